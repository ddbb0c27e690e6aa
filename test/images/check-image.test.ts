import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderFailure } from '../../src/catalogue/render-failure.ts';
import { InvalidImage } from '../../src/errors.ts';
import { checkImage, IMAGE_LIMITS } from '../../src/images/check-image.ts';
import { forgePngSize, makeGif, makeJpeg, makePng } from '../support/image-fixtures.ts';

const FFMPEG_JPEG = readFileSync(new URL('../fixtures/ffmpeg-640x480.jpg', import.meta.url));

/** The refusal checkImage throws, checked to be a picture problem. */
function refusal(bytes: Buffer): InvalidImage {
  try {
    checkImage(bytes);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidImage);
    expect((error as InvalidImage).kind).toMatch(/^picture_/);
    return error as InvalidImage;
  }
  throw new Error('the picture was accepted');
}

/** What the member reads about a refused picture. */
const says = (bytes: Buffer): string => renderFailure(refusal(bytes).failure, 'en-US');

describe('checkImage accepts', () => {
  it('a PNG, with its size, its MIME type and the raw base64 of exactly its bytes', () => {
    const png = makePng(640, 480);
    const checked = checkImage(png);
    expect(checked).toMatchObject({ format: 'png', width: 640, height: 480, mimeType: 'image/png' });
    expect(checked.bytes).toBe(png);
    expect(checked.base64).toBe(png.toString('base64'));
    expect(checked.base64.startsWith('data:')).toBe(false);
    expect(Buffer.from(checked.base64, 'base64').equals(png)).toBe(true);
  });

  it.each([
    { name: 'a baseline JPEG', jpeg: () => makeJpeg(320, 320), width: 320, height: 320 },
    { name: 'a progressive JPEG', jpeg: () => makeJpeg(640, 480, { progressive: true }), width: 640, height: 480 },
    { name: 'a JPEG with an EXIF thumbnail', jpeg: () => makeJpeg(1024, 768, { exif: true }), width: 1024, height: 768 },
    { name: 'a JPEG written by ffmpeg', jpeg: () => FFMPEG_JPEG, width: 640, height: 480 },
  ])('$name', ({ jpeg, width, height }) => {
    const bytes = jpeg();
    const checked = checkImage(bytes);
    expect(checked).toMatchObject({ format: 'jpeg', width, height, mimeType: 'image/jpeg' });
    expect(Buffer.from(checked.base64, 'base64').equals(bytes)).toBe(true);
  });

  it('a picture of exactly 300x300', () => {
    expect(checkImage(makePng(300, 300))).toMatchObject({ width: 300, height: 300 });
  });
});

describe('checkImage refuses', () => {
  it.each([
    { name: 'a GIF', bytes: () => makeGif(400, 400), kind: 'picture_gif' },
    { name: 'a text file', bytes: () => Buffer.from('hello'), kind: 'picture_not_an_image' },
    { name: 'a small picture', bytes: () => makePng(200, 200), kind: 'picture_too_small' },
    { name: 'too many pixels', bytes: () => forgePngSize(makePng(1, 1), 10_000, 10_000), kind: 'picture_too_many_pixels' },
    {
      name: 'too many bytes',
      bytes: () => Buffer.concat([makePng(320, 320), Buffer.alloc(IMAGE_LIMITS.maxBytes)]),
      kind: 'picture_too_large',
    },
    { name: 'a damaged PNG', bytes: () => makePng(640, 480).subarray(0, 20), kind: 'picture_damaged' },
  ])('$name, as the outcome $kind (data, not words)', ({ bytes, kind }) => {
    expect(refusal(bytes()).failure.kind).toBe(kind);
  });

  it('a too-small picture, with the sizes the message needs', () => {
    expect(refusal(makePng(200, 100)).failure).toEqual({
      kind: 'picture_too_small',
      width: 200,
      height: 100,
      minWidth: 300,
      minHeight: 300,
    });
  });

  it('a GIF, naming the format', () => {
    expect(says(makeGif(400, 400))).toBe("GIFs (animated or not) can't be used; please attach a .png or .jpg image.");
  });

  it('a WebP, naming the format', () => {
    const webp = Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WEBPVP8 '), Buffer.alloc(64)]);
    expect(says(webp)).toMatch(/^WebP pictures can't be used/);
  });

  it('a text file, even though it arrived named .png with content type image/png', () => {
    expect(says(Buffer.from('hello'))).toBe("That file isn't a PNG or JPEG picture. Please attach a .png or .jpg image.");
    expect(says(Buffer.alloc(0))).toBe("That file isn't a PNG or JPEG picture. Please attach a .png or .jpg image.");
  });

  it('a 200x200 picture, saying the size it needs', () => {
    expect(says(makePng(200, 200))).toBe('That picture is 200x200; it needs to be at least 300x300 pixels.');
  });

  it('a picture too narrow or too short, even if the other side is large enough', () => {
    expect(says(makePng(299, 400))).toBe('That picture is 299x400; it needs to be at least 300x300 pixels.');
    expect(says(makeJpeg(400, 299))).toBe('That picture is 400x299; it needs to be at least 300x300 pixels.');
  });

  it('a small file declaring 10000x10000 pixels, from its header alone', () => {
    // Only the IHDR says 100 megapixels: the pixel data is that of a 1x1 picture, so decoding would fail.
    const forged = forgePngSize(makePng(1, 1), 10_000, 10_000);
    expect(forged.length).toBeLessThan(100);
    expect(says(forged)).toBe('That picture is too large (over 40 megapixels); please attach a smaller one.');
  });

  it('a JPEG declaring more than 40 megapixels', () => {
    const jpeg = makeJpeg(320, 320);
    const sof = jpeg.indexOf(Buffer.from([0xff, 0xc0]));
    jpeg.writeUInt16BE(8000, sof + 5);
    jpeg.writeUInt16BE(6000, sof + 7);
    expect(says(jpeg)).toMatch(/over 40 megapixels/);
  });

  it('nothing at exactly 40 megapixels, but a picture one pixel wider', () => {
    expect(checkImage(makeJpeg(8000, 5000))).toMatchObject({ format: 'jpeg', width: 8000, height: 5000 });
    expect(says(makeJpeg(8001, 5000))).toMatch(/over 40 megapixels/);
  });

  it('more than 10,000,000 bytes, before looking at anything else', () => {
    const big = Buffer.concat([makePng(320, 320), Buffer.alloc(IMAGE_LIMITS.maxBytes)]);
    expect(big.length).toBeGreaterThan(10_000_000);
    expect(says(big)).toBe('That picture is larger than 10 MB; please attach a smaller one.');
  });

  it('a PNG cut short, whether inside its header or inside its image data', () => {
    const png = makePng(640, 480);
    expect(says(png.subarray(0, 20))).toBe('That PNG picture seems damaged or incomplete; please save it again or attach another one.');
    expect(says(png.subarray(0, Math.floor(png.length / 2)))).toMatch(/^That PNG picture seems damaged or incomplete/);
  });

  it('a JPEG cut short, whether before its frame header or inside its scan', () => {
    const jpeg = makeJpeg(640, 480, { exif: true });
    expect(says(jpeg.subarray(0, 200))).toBe('That JPEG picture seems damaged or incomplete; please save it again or attach another one.');
    expect(says(jpeg.subarray(0, jpeg.length - 10))).toMatch(/^That JPEG picture seems damaged or incomplete/);
  });
});
