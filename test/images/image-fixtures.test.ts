/** The fixtures are only worth something if they are real pictures: a decoder that knows nothing of this code reads them. */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeGif, makeJpeg, makePng } from '../support/image-fixtures.ts';

const haveFfmpeg = spawnSync('ffprobe', ['-version']).status === 0 && spawnSync('ffmpeg', ['-version']).status === 0;
const ffmpegMissing = 'ffmpeg is not installed (apt-get install ffmpeg), so no decoder checks the fixtures';
// On CI a missing ffmpeg fails these tests, never quietly skips them; elsewhere they skip and say why.
const onCi = process.env.CI === 'true';
const skipReason = haveFfmpeg || onCi ? undefined : ffmpegMissing;
if (skipReason) console.warn(`image fixtures: skipped, because ${skipReason} (they run, and must pass, on CI)`);
const dir = mkdtempSync(join(tmpdir(), 'image-fixtures-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What ffprobe reports for the file, and whether ffmpeg decodes every pixel of it without an error. */
function probe(name: string, bytes: Buffer): { codec: string; width: number; height: number } {
  const file = join(dir, name);
  writeFileSync(file, bytes);
  const out = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name,width,height', '-of', 'json', file], {
    encoding: 'utf8',
  });
  execFileSync('ffmpeg', ['-v', 'error', '-xerror', '-i', file, '-f', 'null', '-']);
  const stream = (JSON.parse(out) as { streams: { codec_name: string; width: number; height: number }[] }).streams[0];
  return { codec: stream?.codec_name ?? '', width: stream?.width ?? 0, height: stream?.height ?? 0 };
}

describe.skipIf(skipReason !== undefined)(`image fixtures decode with ffmpeg${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  it.each([
    { name: 'a.png', bytes: () => makePng(641, 479), codec: 'png', width: 641, height: 479 },
    { name: 'a.gif', bytes: () => makeGif(401, 299), codec: 'gif', width: 401, height: 299 },
    { name: 'baseline.jpg', bytes: () => makeJpeg(641, 479), codec: 'mjpeg', width: 641, height: 479 },
    { name: 'progressive.jpg', bytes: () => makeJpeg(320, 320, { progressive: true }), codec: 'mjpeg', width: 320, height: 320 },
    { name: 'exif.jpg', bytes: () => makeJpeg(800, 600, { exif: true, fillBytes: 3 }), codec: 'mjpeg', width: 800, height: 600 },
  ])('$name', ({ name, bytes, codec, width, height }) => {
    if (!haveFfmpeg) throw new Error(ffmpegMissing);
    expect(probe(name, bytes())).toEqual({ codec, width, height });
  });
});
