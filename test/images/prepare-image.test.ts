import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { renderFailure } from '../../src/catalogue/render-failure.ts';
import { InvalidImage } from '../../src/errors.ts';
import { IMAGE_LIMITS } from '../../src/images/check-image.ts';
import { ImagePreparer } from '../../src/images/prepare-image.ts';
import { forgePngSize, makeGif, makeJpeg, makeHeicHeader, makePng } from '../support/image-fixtures.ts';
import { exifRotatedJpeg, noisyJpeg, transparentPng, webpOf } from '../support/phone-pictures.ts';

const NOT_A_PICTURE = "That file isn't a picture the bot can read. Please attach a photo (JPEG, PNG, WebP, AVIF, GIF or TIFF).";
const FFMPEG_JPEG = readFileSync(new URL('../fixtures/ffmpeg-640x480.jpg', import.meta.url));

const preparer = new ImagePreparer();
const checkImage = (bytes: Buffer) => preparer.prepare(bytes);

/** The refusal the preparer throws, checked to be a picture problem. */
async function refusal(bytes: Buffer): Promise<InvalidImage> {
  try {
    await checkImage(bytes);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidImage);
    expect((error as InvalidImage).kind).toMatch(/^picture_/);
    return error as InvalidImage;
  }
  throw new Error('the picture was accepted');
}

/** What the member reads about a refused picture. */
const says = async (bytes: Buffer): Promise<string> => renderFailure((await refusal(bytes)).failure, 'en-US');

describe('the preparer accepts as they are', async () => {
  it('a PNG, with its size, its MIME type and the raw base64 of exactly its bytes', async () => {
    const png = makePng(640, 480);
    const checked = await checkImage(png);
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
  ])('$name', async ({ jpeg, width, height }) => {
    const bytes = jpeg();
    const checked = await checkImage(bytes);
    expect(checked).toMatchObject({ format: 'jpeg', width, height, mimeType: 'image/jpeg' });
    expect(Buffer.from(checked.base64, 'base64').equals(bytes)).toBe(true);
  });

  it('a picture of exactly 300x300', async () => {
    expect(await checkImage(makePng(300, 300))).toMatchObject({ width: 300, height: 300 });
  });
});

describe('the preparer refuses', async () => {
  it.each([
    { name: 'an HEIC photo', bytes: () => makeHeicHeader(), kind: 'picture_heic' },
    { name: 'a text file', bytes: () => Buffer.from('hello'), kind: 'picture_not_an_image' },
    { name: 'a small picture', bytes: () => makePng(200, 200), kind: 'picture_too_small' },
    { name: 'too many pixels', bytes: () => forgePngSize(makePng(1, 1), 10_000, 10_000), kind: 'picture_too_many_pixels' },
    { name: 'a damaged PNG', bytes: () => makePng(640, 480).subarray(0, 20), kind: 'picture_damaged' },
  ])('$name, as the outcome $kind (data, not words)', async ({ bytes, kind }) => {
    expect((await refusal(bytes())).failure.kind).toBe(kind);
  });

  it('a too-small picture, with the sizes the message needs', async () => {
    expect((await refusal(makePng(200, 100))).failure).toEqual({
      kind: 'picture_too_small',
      width: 200,
      height: 100,
      minWidth: 300,
      minHeight: 300,
    });
  });

  it('an HEIC photo, saying how to send it instead', async () => {
    expect(await says(makeHeicHeader())).toBe(
      "HEIC photos can't be read. Please send it as JPEG: share it from Photos, or set Camera → Formats → Most Compatible.",
    );
  });

  it('a text file, even though it arrived named .png with content type image/png', async () => {
    expect(await says(Buffer.from('hello'))).toBe(NOT_A_PICTURE);
    expect(await says(Buffer.alloc(0))).toBe(NOT_A_PICTURE);
  });

  it('an SVG or a PDF, from their bytes, without handing them to a decoder', async () => {
    expect(await says(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="900" height="900"></svg>'))).toBe(NOT_A_PICTURE);
    expect(await says(Buffer.from('%PDF-1.7\n%âãÏÓ\n'))).toBe(NOT_A_PICTURE);
  });

  it('a 200x200 picture, saying the size it needs', async () => {
    expect(await says(makePng(200, 200))).toBe('That picture is 200x200; it needs to be at least 300x300 pixels.');
  });

  it('a picture too narrow or too short, even if the other side is large enough', async () => {
    expect(await says(makePng(299, 400))).toBe('That picture is 299x400; it needs to be at least 300x300 pixels.');
    expect(await says(makeJpeg(400, 299))).toBe('That picture is 400x299; it needs to be at least 300x300 pixels.');
  });

  it('a small file declaring 10000x10000 pixels, from its header alone', async () => {
    // Only the IHDR says 100 megapixels: the pixel data is that of a 1x1 picture, so decoding would fail.
    const forged = forgePngSize(makePng(1, 1), 10_000, 10_000);
    expect(forged.length).toBeLessThan(100);
    expect(await says(forged)).toBe('That picture is too large (over 40 megapixels); please attach a smaller one.');
  });

  it('a JPEG declaring more than 40 megapixels', async () => {
    const jpeg = makeJpeg(320, 320);
    const sof = jpeg.indexOf(Buffer.from([0xff, 0xc0]));
    jpeg.writeUInt16BE(8000, sof + 5);
    jpeg.writeUInt16BE(6000, sof + 7);
    expect(await says(jpeg)).toMatch(/over 40 megapixels/);
  });

  it('nothing at exactly 40 megapixels, but a picture one pixel wider', async () => {
    expect(await checkImage(makeJpeg(8000, 5000))).toMatchObject({ format: 'jpeg', width: 8000, height: 5000 });
    expect(await says(makeJpeg(8001, 5000))).toMatch(/over 40 megapixels/);
  });

  it('a PNG cut short, whether inside its header or inside its image data', async () => {
    const png = makePng(640, 480);
    expect(await says(png.subarray(0, 20))).toBe(
      'That PNG picture seems damaged or incomplete; please save it again or attach another one.',
    );
    expect(await says(png.subarray(0, Math.floor(png.length / 2)))).toMatch(/^That PNG picture seems damaged or incomplete/);
  });

  it('a JPEG cut short, whether before its frame header or inside its scan', async () => {
    const jpeg = makeJpeg(640, 480, { exif: true });
    expect(await says(jpeg.subarray(0, 200))).toBe(
      'That JPEG picture seems damaged or incomplete; please save it again or attach another one.',
    );
    expect(await says(jpeg.subarray(0, jpeg.length - 10))).toMatch(/^That JPEG picture seems damaged or incomplete/);
  });
});

describe('the preparer converts what a phone sends', () => {
  it('a WebP, into a JPEG of the same size', async () => {
    const checked = await checkImage(await webpOf(640, 480));
    expect(checked).toMatchObject({ format: 'jpeg', mimeType: 'image/jpeg', width: 640, height: 480 });
    const sent = await sharp(checked.bytes).metadata();
    expect(sent).toMatchObject({ format: 'jpeg', width: 640, height: 480 });
  });

  it('an AVIF and a TIFF, into JPEGs', async () => {
    const avif = await sharp(makePng(400, 320)).avif().toBuffer();
    const tiff = await sharp(makePng(400, 320)).tiff().toBuffer();
    for (const picture of [avif, tiff]) {
      const checked = await checkImage(picture);
      expect(await sharp(checked.bytes).metadata()).toMatchObject({ format: 'jpeg', width: 400, height: 320 });
    }
  });

  it('a GIF, by its first frame', async () => {
    const checked = await checkImage(makeGif(400, 400));
    expect(await sharp(checked.bytes).metadata()).toMatchObject({ format: 'jpeg', width: 400, height: 400 });
  });

  it('a portrait photo stored sideways, turned upright with no EXIF rotation left', async () => {
    // Stored 640 wide and 480 high, with orientation 6: the camera was held upright, so it shows 480x640.
    const photo = await exifRotatedJpeg(640, 480);
    expect(await sharp(photo).metadata()).toMatchObject({ width: 640, height: 480, orientation: 6 });
    const checked = await checkImage(photo);
    expect(checked).toMatchObject({ format: 'jpeg', width: 480, height: 640 });
    const sent = await sharp(checked.bytes).metadata();
    expect(sent).toMatchObject({ format: 'jpeg', width: 480, height: 640 });
    expect(sent.orientation ?? 1).toBe(1);
  });

  it('a sideways photo too small once upright is refused with its upright size', async () => {
    expect(await says(await exifRotatedJpeg(400, 290))).toBe('That picture is 290x400; it needs to be at least 300x300 pixels.');
  });

  it('transparency, flattened onto white', async () => {
    const checked = await checkImage(await transparentPng(400, 400));
    const { data, info } = await sharp(checked.bytes).raw().toBuffer({ resolveWithObject: true });
    expect(info.channels).toBe(3);
    // The corner was fully transparent.
    expect([...data.subarray(0, 3)].every((v) => v > 245)).toBe(true);
  });

  it('a PNG over 10,000,000 bytes, re-encoded under the limit', async () => {
    const big = Buffer.concat([makePng(320, 320), Buffer.alloc(IMAGE_LIMITS.maxBytes)]);
    expect(big.length).toBeGreaterThan(IMAGE_LIMITS.maxBytes);
    const checked = await checkImage(big);
    expect(checked.bytes.length).toBeLessThanOrEqual(IMAGE_LIMITS.maxBytes);
    expect(await sharp(checked.bytes).metadata()).toMatchObject({ format: 'jpeg', width: 320, height: 320 });
  });

  it('a JPEG over 10,000,000 bytes, downscaled under the limit', async () => {
    const big = await noisyJpeg(3000, 2500);
    expect(big.length).toBeGreaterThan(IMAGE_LIMITS.maxBytes);
    const checked = await checkImage(big);
    expect(checked.bytes.length).toBeLessThanOrEqual(IMAGE_LIMITS.maxBytes);
    const sent = await sharp(checked.bytes).metadata();
    expect(sent.format).toBe('jpeg');
    expect(sent.width / sent.height).toBeCloseTo(3000 / 2500, 1);
  }, 60_000);

  it('a WebP that is not one, as damaged', async () => {
    const webp = Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WEBPVP8 '), Buffer.alloc(64)]);
    expect(await says(webp)).toBe('That WebP picture seems damaged or incomplete; please save it again or attach another one.');
  });
});
