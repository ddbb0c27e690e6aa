/**
 * Re-encoding a video over the upload limit with the real ffmpeg: a 25 MB video of 5 s fits under 10 MiB,
 * as H.264 in yuv420p with the index first; a missing ffmpeg or a file that is not a video gives a reason,
 * never a file; and re-encodes run one at a time.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.ts';
import { targetVideoKbps, VideoFitter } from '../../src/videos/fit-video.ts';
import { VideoFiles, type VideoFile } from '../../src/videos/video-files.ts';
import { ffmpegSkipReason, makeNoiseVideo, probeVideo, requireFfmpeg, startsFast } from '../support/video-fixtures.ts';

const LIMIT = 10 * 1024 * 1024;

describe('the bitrate a video is re-encoded at', () => {
  it('fills 85% of the limit over the duration, less the audio track when there is one', () => {
    expect(targetVideoKbps(LIMIT, 5, false)).toBe(14260);
    expect(targetVideoKbps(LIMIT, 10, false)).toBe(7130);
    expect(targetVideoKbps(LIMIT, 10, true)).toBe(7130 - 64);
  });
});

describe.skipIf(ffmpegSkipReason !== undefined)(
  `re-encoding with ffmpeg${ffmpegSkipReason ? ` (skipped: ${ffmpegSkipReason})` : ''}`,
  () => {
    let dir: string;
    let files: VideoFiles;
    let source: VideoFile;
    const fitter = (overrides: { ffmpegPath?: string; ffprobePath?: string } = {}) =>
      new VideoFitter({ ffmpegPath: 'ffmpeg', ffprobePath: 'ffprobe', files, logger: silentLogger, ...overrides });

    beforeAll(async () => {
      requireFfmpeg();
      dir = mkdtempSync(join(tmpdir(), 'animate-fit-'));
      files = await VideoFiles.open(silentLogger, join(dir, 'videos'));
      const path = join(dir, 'source.mp4');
      makeNoiseVideo(path, { seconds: 5, megabytes: 25 });
      source = { path, sizeBytes: statSync(path).size };
    });

    afterAll(async () => {
      await files.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('fits a 25 MB video of 5 s under 10 MiB: H.264, yuv420p, index first; the source stays', async () => {
      requireFfmpeg();
      expect(source.sizeBytes).toBeGreaterThan(24_000_000);
      const fitted = await fitter().fit(source, LIMIT);
      if (fitted.kind !== 'fitted') throw new Error(`not fitted: ${fitted.kind}`);
      expect(fitted.file.sizeBytes).toBeLessThan(LIMIT);
      expect(statSync(fitted.file.path).size).toBe(fitted.file.sizeBytes);
      expect(fitted.file.path.startsWith(`${files.directory}/`)).toBe(true);
      const probed = probeVideo(fitted.file.path);
      expect(probed).toMatchObject({ codec: 'h264', pixelFormat: 'yuv420p' });
      expect(probed.durationSeconds).toBeCloseTo(5, 0);
      expect(startsFast(readFileSync(fitted.file.path))).toBe(true);
      expect(existsSync(source.path)).toBe(true);
    });

    it('says ffmpeg is missing when FFMPEG_PATH points at nothing, and makes no file', async () => {
      requireFfmpeg();
      expect(await fitter({ ffmpegPath: join(dir, 'no-ffmpeg') }).fit(source, LIMIT)).toEqual({ kind: 'no_ffmpeg' });
      expect(await fitter({ ffprobePath: join(dir, 'no-ffprobe') }).fit(source, LIMIT)).toEqual({ kind: 'no_ffmpeg' });
    });

    it('says it failed for a file that is not a video', async () => {
      requireFfmpeg();
      const path = join(dir, 'not-a-video.mp4');
      writeFileSync(path, 'these bytes are no video at all');
      expect(await fitter().fit({ path, sizeBytes: 31 }, LIMIT)).toEqual({ kind: 'failed' });
    });

    it('gives up at once when the limit is too small for the duration (the picture would be mush)', async () => {
      requireFfmpeg();
      expect(await fitter().fit(source, 50_000)).toEqual({ kind: 'still_too_large' });
    });

    it('runs one re-encode at a time', async () => {
      requireFfmpeg();
      // An ffmpeg that notes when it starts and ends, then runs the real one.
      const log = join(dir, 'runs.log');
      const wrapper = join(dir, 'ffmpeg-noting');
      writeFileSync(wrapper, `#!/bin/sh\necho start >> '${log}'\nffmpeg "$@"\nstatus=$?\necho end >> '${log}'\nexit $status\n`);
      chmodSync(wrapper, 0o755);
      const shared = fitter({ ffmpegPath: wrapper });
      // A small source, so the test costs little: 1 s of about 2 MB, to fit in 1.5 MB.
      const small = join(dir, 'small.mp4');
      makeNoiseVideo(small, { seconds: 1, megabytes: 2 });
      const smallSource = { path: small, sizeBytes: statSync(small).size };
      const results = await Promise.all([0, 1, 2].map(() => shared.fit(smallSource, 1_500_000)));
      expect(results.map((result) => result.kind)).toEqual(['fitted', 'fitted', 'fitted']);
      // Each ffmpeg ended before the next one started (a fit may take two runs).
      const runs = readFileSync(log, 'utf8').trim().split('\n');
      expect(runs.length).toBeGreaterThanOrEqual(6);
      expect(runs).toEqual(runs.map((_, i) => (i % 2 === 0 ? 'start' : 'end')));
    });
  },
);
