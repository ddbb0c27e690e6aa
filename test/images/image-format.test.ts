import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isImageComplete, readImageHeader } from '../../src/images/image-format.ts';
import { makeGif, makeJpeg, makePng } from '../support/image-fixtures.ts';

const FFMPEG_JPEG = readFileSync(new URL('../fixtures/ffmpeg-640x480.jpg', import.meta.url));

/** A JPEG segment: marker, big-endian length (counting itself), body. */
const segment = (marker: number, body: number[]): number[] => [0xff, marker, (body.length + 2) >> 8, (body.length + 2) & 0xff, ...body];
/** A SOF body declaring width x height with one component. */
const frame = (width: number, height: number): number[] => [8, height >> 8, height & 0xff, width >> 8, width & 0xff, 1, 1, 0x11, 0];

/** A deterministic byte source, so a failing garbage case can be replayed. */
function seededBytes(seed: number): (length: number) => Uint8Array {
  let state = seed >>> 0;
  return (length) => {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      out[i] = state >>> 24;
    }
    return out;
  };
}

describe('readImageHeader', () => {
  it('reads a PNG size from its IHDR', () => {
    expect(readImageHeader(makePng(640, 480))).toEqual({ format: 'png', width: 640, height: 480 });
  });

  it('reads a baseline JPEG size from its SOF0', () => {
    expect(readImageHeader(makeJpeg(641, 479))).toEqual({ format: 'jpeg', width: 641, height: 479 });
  });

  it('reads a progressive JPEG size from its SOF2', () => {
    const jpeg = makeJpeg(320, 320, { progressive: true });
    expect(jpeg.includes(Buffer.from([0xff, 0xc2]))).toBe(true);
    expect(readImageHeader(jpeg)).toEqual({ format: 'jpeg', width: 320, height: 320 });
  });

  it("skips an EXIF segment whole, so its thumbnail's frame header is not mistaken for the picture's", () => {
    const jpeg = makeJpeg(800, 600, { exif: true });
    // The thumbnail's SOF0 comes first in the file: a search for FF C0 would answer 160x120.
    expect(jpeg.indexOf(Buffer.from([0xff, 0xc0]))).toBeLessThan(jpeg.lastIndexOf(Buffer.from([0xff, 0xc0])));
    expect(readImageHeader(jpeg)).toEqual({ format: 'jpeg', width: 800, height: 600 });
  });

  it('reads a JPEG written by another encoder (ffmpeg: comment segment, Huffman tables before the frame, 4:2:0)', () => {
    expect(readImageHeader(FFMPEG_JPEG)).toEqual({ format: 'jpeg', width: 640, height: 480 });
  });

  it('steps over fill bytes, standalone markers and the DHT, JPG and DAC markers that share the SOF range', () => {
    const bytes = Uint8Array.from([
      0xff,
      0xd8,
      0xff,
      0x01, // TEM
      0xff,
      0xd0, // RST0
      0xff,
      0xff,
      0xff, // fill bytes before the next marker
      ...segment(0xc4, frame(1, 2)), // DHT, whose body happens to look like a tiny frame
      ...segment(0xc8, frame(3, 4)), // JPG (reserved)
      ...segment(0xcc, frame(5, 6)), // DAC
      ...segment(0xe1, [0xff, 0xc0, ...frame(7, 8)]), // an APP1 holding SOF bytes
      0xff,
      0xff,
      ...segment(0xc1, frame(1024, 768)), // SOF1, after fill bytes
      0xff,
      0xd9,
    ]);
    expect(readImageHeader(bytes)).toEqual({ format: 'jpeg', width: 1024, height: 768 });
  });

  const otherFrameMarkers = [0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf].map((marker) => ({
    marker,
    hex: marker.toString(16),
  }));
  it.each(otherFrameMarkers)('takes SOF marker 0x$hex as the frame header', ({ marker }) => {
    const bytes = Uint8Array.from([0xff, 0xd8, ...segment(marker, frame(500, 400))]);
    expect(readImageHeader(bytes)).toEqual({ format: 'jpeg', width: 500, height: 400 });
  });

  it('names GIF and WebP, so the member can be told which format they sent', () => {
    expect(readImageHeader(makeGif(400, 300))).toEqual({ format: 'gif', width: 400, height: 300 });
    const webp = Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WEBPVP8 '), Buffer.alloc(20)]);
    expect(readImageHeader(webp)).toEqual({ format: 'webp' });
  });

  it('answers unknown for text, whatever name or content type it arrived with', () => {
    expect(readImageHeader(Buffer.from('hello'))).toEqual({ format: 'unknown' });
    expect(readImageHeader(new Uint8Array(0))).toEqual({ format: 'unknown' });
  });

  it('gives the format without a size when the header is cut short', () => {
    expect(readImageHeader(makePng(640, 480).subarray(0, 20))).toEqual({ format: 'png' });
    const jpeg = makeJpeg(640, 480);
    const widthEnd = jpeg.indexOf(Buffer.from([0xff, 0xc0])) + 9;
    expect(readImageHeader(jpeg.subarray(0, widthEnd - 1))).toEqual({ format: 'jpeg' });
    expect(readImageHeader(jpeg.subarray(0, widthEnd))).toEqual({ format: 'jpeg', width: 640, height: 480 });
    expect(readImageHeader(makeGif(400, 300).subarray(0, 8))).toEqual({ format: 'gif' });
  });

  it('never throws on any prefix of a JPEG, and never reports a size it did not read', () => {
    const jpeg = makeJpeg(800, 600, { exif: true });
    for (let length = 0; length <= jpeg.length; length++) {
      const header = readImageHeader(jpeg.subarray(0, length));
      if (header.width !== undefined) expect([header.width, header.height]).toEqual([800, 600]);
    }
    expect(readImageHeader(jpeg).width).toBe(800);
  });

  it('never throws on garbage, including garbage behind a valid signature', () => {
    const random = seededBytes(42);
    const signatures = [[], [0xff, 0xd8, 0xff], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], [0x47, 0x49, 0x46, 0x38, 0x39, 0x61]];
    for (let round = 0; round < 2000; round++) {
      const prefix = signatures[round % signatures.length] ?? [];
      const bytes = Uint8Array.from([...prefix, ...random(round % 300)]);
      const header = readImageHeader(bytes);
      expect(['png', 'jpeg', 'gif', 'webp', 'unknown']).toContain(header.format);
      isImageComplete(bytes, 'png');
      isImageComplete(bytes, 'jpeg');
    }
  });

  it('stops on a JPEG segment whose length is impossible, and on a megabyte of fill bytes', () => {
    expect(readImageHeader(Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x01, 0xff, 0xc0]))).toEqual({ format: 'jpeg' });
    expect(readImageHeader(Uint8Array.from([0xff, 0xd8, ...segment(0xc0, [8, 0, 0])]))).toEqual({ format: 'jpeg' });
    const fill = new Uint8Array(1_000_000).fill(0xff);
    fill[1] = 0xd8;
    expect(readImageHeader(fill)).toEqual({ format: 'jpeg' });
  });

  it('stops at the end of the image or the start of a scan when no frame header came first', () => {
    expect(readImageHeader(Uint8Array.from([0xff, 0xd8, 0xff, 0xd9, ...segment(0xc0, frame(500, 500))]))).toEqual({ format: 'jpeg' });
    expect(readImageHeader(Uint8Array.from([0xff, 0xd8, ...segment(0xda, [0]), ...segment(0xc0, frame(500, 500))]))).toEqual({
      format: 'jpeg',
    });
  });
});

describe('isImageComplete', () => {
  it('accepts whole files', () => {
    expect(isImageComplete(makePng(320, 320), 'png')).toBe(true);
    expect(isImageComplete(makeJpeg(320, 320), 'jpeg')).toBe(true);
    expect(isImageComplete(makeJpeg(320, 320, { progressive: true }), 'jpeg')).toBe(true);
    expect(isImageComplete(makeJpeg(320, 320, { exif: true }), 'jpeg')).toBe(true);
    expect(isImageComplete(FFMPEG_JPEG, 'jpeg')).toBe(true);
  });

  it('accepts data after the end marker, which some cameras append', () => {
    expect(isImageComplete(Buffer.concat([makeJpeg(320, 320), Buffer.from('trailer')]), 'jpeg')).toBe(true);
    expect(isImageComplete(Buffer.concat([makePng(320, 320), Buffer.from('trailer')]), 'png')).toBe(true);
  });

  it('refuses files cut short anywhere after the header', () => {
    const png = makePng(320, 320);
    const jpeg = makeJpeg(320, 320, { exif: true });
    for (const cut of [30, Math.floor(png.length / 2), png.length - 1]) expect(isImageComplete(png.subarray(0, cut), 'png')).toBe(false);
    for (const cut of [30, Math.floor(jpeg.length / 2), jpeg.length - 1])
      expect(isImageComplete(jpeg.subarray(0, cut), 'jpeg')).toBe(false);
  });

  it('refuses a PNG whose chunks do not start with IHDR or that has no image data', () => {
    const png = makePng(320, 320);
    const noIhdr = Buffer.from(png);
    noIhdr.write('IHDX', 12, 'latin1');
    expect(isImageComplete(noIhdr, 'png')).toBe(false);
    const ihdrThenIend = Buffer.concat([png.subarray(0, 33), png.subarray(png.length - 12)]);
    expect(isImageComplete(ihdrThenIend, 'png')).toBe(false);
  });
});
