/**
 * Real videos for the tests, made with ffmpeg at test time, and ffprobe's word on what a video is. Noise
 * does not compress, so a few seconds of it make a file as large as a real generation.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { z } from 'zod';

export const haveFfmpeg = spawnSync('ffmpeg', ['-version']).status === 0 && spawnSync('ffprobe', ['-version']).status === 0;
const ffmpegMissing = 'ffmpeg is not installed (apt-get install ffmpeg)';
/**
 * Why tests needing ffmpeg are skipped, or undefined when they run. On CI (CI=true) a missing ffmpeg fails
 * them instead, never quietly skipping them; elsewhere they skip and say why.
 */
export const ffmpegSkipReason = haveFfmpeg || process.env.CI === 'true' ? undefined : ffmpegMissing;
if (ffmpegSkipReason) console.warn(`video tests: skipped, because ${ffmpegSkipReason} (they run, and must pass, on CI)`);

/** Throws when ffmpeg is missing: for the first line of a test that CI must not pass without it. */
export function requireFfmpeg(): void {
  if (!haveFfmpeg) throw new Error(ffmpegMissing);
}

/**
 * Writes an H.264 mp4 of grey noise, `seconds` long, of about `megabytes` MB (1 MB = 10^6 bytes): 640 x 360
 * at 30 frames a second, encoded at the bitrate that gives that size. Takes well under a second.
 */
export function makeNoiseVideo(path: string, options: { seconds: number; megabytes: number }): void {
  const kbps = Math.round((options.megabytes * 8_000) / options.seconds);
  execFileSync('ffmpeg', [
    ...['-hide_banner', '-nostdin', '-v', 'error', '-y'],
    ...['-f', 'lavfi', '-i', `color=c=gray:s=640x360:r=30:d=${options.seconds}`, '-vf', 'noise=alls=100:allf=t+u'],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'],
    ...['-b:v', `${kbps}k`, '-maxrate', `${kbps}k`, '-bufsize', `${kbps}k`, path],
  ]);
}

const probeSchema = z.object({
  streams: z.array(z.object({ codec_type: z.string(), codec_name: z.string(), pix_fmt: z.string().optional() })),
  format: z.object({ duration: z.coerce.number(), format_name: z.string() }),
});

/** What ffprobe says of the file's first video stream and its container. */
export function probeVideo(path: string): { codec: string; pixelFormat: string | undefined; durationSeconds: number; container: string } {
  const out = execFileSync('ffprobe', [
    '-v',
    'error',
    '-show_entries',
    'stream=codec_type,codec_name,pix_fmt:format=duration,format_name',
    '-of',
    'json',
    path,
  ]);
  const probed = probeSchema.parse(JSON.parse(out.toString()));
  const video = probed.streams.find((stream) => stream.codec_type === 'video');
  if (!video) throw new Error(`${path} has no video stream`);
  return {
    codec: video.codec_name,
    pixelFormat: video.pix_fmt,
    durationSeconds: probed.format.duration,
    container: probed.format.format_name,
  };
}

/**
 * The names of an MP4's top-level boxes, in file order. With `+faststart` the index (`moov`) comes before
 * the media (`mdat`), so a player starts before the whole file has arrived.
 */
export function topLevelBoxes(mp4: Buffer): string[] {
  const boxes: string[] = [];
  let offset = 0;
  while (offset + 8 <= mp4.length) {
    let size = mp4.readUInt32BE(offset);
    const type = mp4.toString('latin1', offset + 4, offset + 8);
    if (size === 1) size = Number(mp4.readBigUInt64BE(offset + 8));
    else if (size === 0) size = mp4.length - offset;
    if (size < 8) throw new Error(`a box of ${size} bytes at ${offset}: not an MP4`);
    boxes.push(type);
    offset += size;
  }
  return boxes;
}

/** Whether the MP4's index comes before its media (`+faststart`). */
export function startsFast(mp4: Buffer): boolean {
  const boxes = topLevelBoxes(mp4);
  return boxes.includes('moov') && boxes.includes('mdat') && boxes.indexOf('moov') < boxes.indexOf('mdat');
}
