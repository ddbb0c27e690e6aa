/**
 * Re-encodes a video that is over the upload limit so that it fits, with ffmpeg: H.264 in yuv420p with the
 * index at the front (`+faststart`), which plays inline on every Discord client, phones included, and
 * starts before it is fully downloaded. The bitrate comes from the duration (ffprobe) and the limit, with
 * a margin for the container and the encoder's rate control. One re-encode at a time: it takes both cores
 * of a small machine, and a second one at once would only make both slower.
 */
import { spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { z } from 'zod';
import { ConcurrencyLimit } from '../concurrency-limit.ts';
import type { Logger } from '../logger.ts';
import { removeVideoFile, type VideoFile, type VideoFiles } from './video-files.ts';

/** The share of the limit the encoder aims at; the rest absorbs the container and rate-control overshoot. */
export const SIZE_MARGIN = 0.85;
/** The audio track, when there is one, at a modest AAC bitrate (its bits are taken from the video's). */
const AUDIO_KBPS = 64;
/** Below this the picture would be mush: better the link to the original. */
const MIN_VIDEO_KBPS = 150;
/** Re-encodes running at once, per process. */
export const REENCODES_AT_ONCE = 1;
/** A result over the limit is encoded once more at a bitrate lowered by the overshoot; then the link is sent. */
const REENCODE_ATTEMPTS = 2;
/** A re-encode that takes longer is stuck: it is stopped and the link is sent. */
const REENCODE_TIMEOUT_MS = 5 * 60_000;
/** The end of ffmpeg's error output kept for the log. */
const STDERR_KEPT_CHARS = 2_000;

export type FitResult =
  | { kind: 'fitted'; file: VideoFile }
  /** ffmpeg or ffprobe is not installed where FFMPEG_PATH (FFPROBE_PATH) says. */
  | { kind: 'no_ffmpeg' }
  | { kind: 'failed' }
  /** Re-encoded twice, but still over the limit (or the limit is too small for the duration). */
  | { kind: 'still_too_large'; sizeBytes?: number };

export interface VideoFitterOptions {
  ffmpegPath: string;
  ffprobePath: string;
  files: VideoFiles;
  logger: Logger;
}

const probeSchema = z.object({
  streams: z.array(z.object({ codec_type: z.string().optional() })).default([]),
  format: z.object({ duration: z.coerce.number().positive() }),
});

/** The video bitrate (kbit/s) that makes `durationSeconds` of video fit in `limitBytes`, audio included. */
export function targetVideoKbps(limitBytes: number, durationSeconds: number, hasAudio: boolean): number {
  const totalKbps = (limitBytes * 8 * SIZE_MARGIN) / durationSeconds / 1000;
  return Math.floor(totalKbps - (hasAudio ? AUDIO_KBPS : 0));
}

export class VideoFitter {
  readonly #options: VideoFitterOptions;
  readonly #oneAtATime = new ConcurrencyLimit(REENCODES_AT_ONCE);

  constructor(options: VideoFitterOptions) {
    this.#options = options;
  }

  /** A new file of at most `limitBytes` with the video of `source` (which is left in place), or why not. */
  fit(source: VideoFile, limitBytes: number): Promise<FitResult> {
    return this.#oneAtATime.run(() => this.#fit(source, limitBytes));
  }

  async #fit(source: VideoFile, limitBytes: number): Promise<FitResult> {
    const log = this.#options.logger;
    const probed = await run(this.#options.ffprobePath, [
      '-v',
      'error',
      '-show_entries',
      'format=duration:stream=codec_type',
      '-of',
      'json',
      source.path,
    ]);
    if (probed.kind === 'missing') return this.#missing('ffprobe', this.#options.ffprobePath);
    const parsed = probed.kind === 'done' && probed.code === 0 ? safeJson(probed.stdout, probeSchema) : undefined;
    if (!parsed) {
      log.warn('ffprobe could not read the video; sending its link', { stderr: probed.kind === 'done' ? probed.stderr : undefined });
      return { kind: 'failed' };
    }
    const duration = parsed.format.duration;
    const hasAudio = parsed.streams.some((stream) => stream.codec_type === 'audio');
    const videoKbps = targetVideoKbps(limitBytes, duration, hasAudio);
    if (videoKbps < MIN_VIDEO_KBPS) {
      log.info('the upload limit is too small for this video even re-encoded; sending its link', { duration, limitBytes });
      return { kind: 'still_too_large' };
    }

    const started = performance.now();
    let kbps = videoKbps;
    for (let attempt = 1; ; attempt++) {
      const encoded = await this.#encode(source, kbps);
      if (encoded.kind !== 'encoded') return encoded;
      const fields = {
        fromBytes: source.sizeBytes,
        toBytes: encoded.file.sizeBytes,
        limitBytes,
        videoKbps: kbps,
        durationSeconds: duration,
        attempt,
      };
      if (encoded.file.sizeBytes <= limitBytes) {
        log.info('video re-encoded to fit the upload limit', { ...fields, ms: Math.round(performance.now() - started) });
        return { kind: 'fitted', file: encoded.file };
      }
      await removeVideoFile(encoded.file);
      // Rate control overshoots on some content (noise, a very short clip): once more, aiming lower by the overshoot.
      const lower = Math.floor(kbps * (limitBytes / encoded.file.sizeBytes) * SIZE_MARGIN);
      if (attempt >= REENCODE_ATTEMPTS || lower < MIN_VIDEO_KBPS) {
        log.warn('the re-encoded video is still over the upload limit; sending its link', fields);
        return { kind: 'still_too_large', sizeBytes: encoded.file.sizeBytes };
      }
      kbps = lower;
    }
  }

  /** One ffmpeg run at `videoKbps`: one pass with a capped rate (maxrate, a one-second buffer) stays near the target. */
  async #encode(
    source: VideoFile,
    videoKbps: number,
  ): Promise<{ kind: 'encoded'; file: VideoFile } | { kind: 'no_ffmpeg' } | { kind: 'failed' }> {
    const target = this.#options.files.newPath();
    const encoded = await run(
      this.#options.ffmpegPath,
      [
        ...['-hide_banner', '-nostdin', '-v', 'error', '-y', '-i', source.path],
        ...['-map', '0:v:0', '-map', '0:a:0?', '-sn', '-dn', '-map_metadata', '-1'],
        ...['-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-profile:v', 'high'],
        ...['-b:v', `${videoKbps}k`, '-maxrate', `${videoKbps}k`, '-bufsize', `${videoKbps}k`],
        ...['-c:a', 'aac', '-b:a', `${AUDIO_KBPS}k`, '-movflags', '+faststart', '-f', 'mp4', target],
      ],
      REENCODE_TIMEOUT_MS,
    );
    if (encoded.kind === 'missing') return this.#missing('ffmpeg', this.#options.ffmpegPath);
    if (encoded.kind === 'timed_out' || encoded.code !== 0) {
      await removeVideoFile({ path: target, sizeBytes: 0 });
      this.#options.logger.warn('ffmpeg could not re-encode the video; sending its link', {
        ...(encoded.kind === 'done' ? { exitCode: encoded.code, stderr: encoded.stderr } : { timedOutAfterMs: REENCODE_TIMEOUT_MS }),
      });
      return { kind: 'failed' };
    }
    return { kind: 'encoded', file: { path: target, sizeBytes: (await stat(target)).size } };
  }

  #missing(program: string, path: string): { kind: 'no_ffmpeg' } {
    this.#options.logger.warn(
      `${program} was not found at ${path} (FFMPEG_PATH, FFPROBE_PATH): a video over the upload limit is sent as a link`,
    );
    return { kind: 'no_ffmpeg' };
  }
}

type RunResult = { kind: 'missing' } | { kind: 'timed_out' } | { kind: 'done'; code: number | null; stdout: string; stderr: string };

/** Runs a program to its end, keeping its output (stderr's tail only); `missing` when it cannot be started at all. */
function run(program: string, args: string[], timeoutMs = 60_000): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-STDERR_KEPT_CHARS)));
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      // Not there, or not a program this user may run: as good as absent.
      if (error.code === 'ENOENT' || error.code === 'EACCES') resolve({ kind: 'missing' });
      else resolve({ kind: 'done', code: null, stdout, stderr: `${stderr}${String(error)}` });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve(timedOut ? { kind: 'timed_out' } : { kind: 'done', code, stdout, stderr: stderr.trim() });
    });
  });
}

function safeJson<T>(text: string, schema: z.ZodType<T>): T | undefined {
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
