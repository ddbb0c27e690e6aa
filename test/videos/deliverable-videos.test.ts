/**
 * Which video the member gets: the provider's file when it fits, a re-encoded one when it does not, the link
 * when neither can be sent; and the source of a re-encode never stays on disk.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.ts';
import type { VideoDownload } from '../../src/video-api/download-video.ts';
import { DeliverableVideos, SOURCE_MAX_BYTES } from '../../src/videos/deliverable-videos.ts';
import type { FitResult } from '../../src/videos/fit-video.ts';
import type { VideoFile } from '../../src/videos/video-files.ts';

const LIMIT = 10 * 1024 * 1024;
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'animate-deliverable-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A downloaded file of `sizeBytes` (its content does not matter here). */
function downloaded(sizeBytes: number): VideoDownload {
  const path = join(dir, `source-${sizeBytes}.mp4`);
  writeFileSync(path, 'video');
  return { kind: 'file', file: { path, sizeBytes } };
}

function setUp(download: VideoDownload, fit: FitResult) {
  const asked: { maxBytes: number }[] = [];
  const fitted: { source: VideoFile; limitBytes: number }[] = [];
  const videos = new DeliverableVideos({
    download: async (_url, maxBytes) => {
      asked.push({ maxBytes });
      return download;
    },
    fitter: {
      fit: async (source, limitBytes) => {
        fitted.push({ source, limitBytes });
        return fit;
      },
    },
    logger: silentLogger,
  });
  return { videos, asked, fitted };
}

describe('the video as it can be delivered', () => {
  it('is the downloaded file when it fits, with no re-encode; the download may go up to the cap for re-encoding', async () => {
    const download = downloaded(LIMIT);
    const { videos, asked, fitted } = setUp(download, { kind: 'no_ffmpeg' });
    expect(await videos.fetch('https://cdn/v.mp4', LIMIT)).toEqual(download);
    expect(asked).toEqual([{ maxBytes: SOURCE_MAX_BYTES }]);
    expect(fitted).toEqual([]);
  });

  it('is the re-encoded file when the download is over the limit, and the source is removed', async () => {
    const download = downloaded(LIMIT + 1);
    const result: VideoFile = { path: join(dir, 'fitted.mp4'), sizeBytes: LIMIT - 1000 };
    const { videos, fitted } = setUp(download, { kind: 'fitted', file: result });
    expect(await videos.fetch('https://cdn/v.mp4', LIMIT)).toEqual({ kind: 'file', file: result });
    expect(fitted).toEqual([{ source: download.kind === 'file' ? download.file : undefined, limitBytes: LIMIT }]);
    expect(download.kind === 'file' && existsSync(download.file.path)).toBe(false);
  });

  it.each<FitResult>([{ kind: 'no_ffmpeg' }, { kind: 'failed' }, { kind: 'still_too_large', sizeBytes: LIMIT + 5 }])(
    'is the link, with the original size, when the re-encode gives %o; the source is removed',
    async (fit) => {
      const download = downloaded(25_000_000);
      const { videos } = setUp(download, fit);
      expect(await videos.fetch('https://cdn/v.mp4', LIMIT)).toEqual({ kind: 'too_large', sizeBytes: 25_000_000 });
      expect(download.kind === 'file' && existsSync(download.file.path)).toBe(false);
    },
  );

  it('is the link at once when the provider declares more than the cap (nothing is downloaded)', async () => {
    const { videos, fitted } = setUp({ kind: 'too_large', sizeBytes: SOURCE_MAX_BYTES + 1 }, { kind: 'failed' });
    expect(await videos.fetch('https://cdn/v.mp4', LIMIT)).toEqual({ kind: 'too_large', sizeBytes: SOURCE_MAX_BYTES + 1 });
    expect(fitted).toEqual([]);
  });

  it('downloads up to a boosted limit above the cap', async () => {
    const { videos, asked } = setUp(downloaded(1000), { kind: 'failed' });
    await videos.fetch('https://cdn/v.mp4', 500 * 1024 * 1024);
    expect(asked).toEqual([{ maxBytes: 500 * 1024 * 1024 }]);
  });
});
