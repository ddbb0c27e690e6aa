/**
 * Pictures as phones make them, encoded with sharp (the same library the bot converts them with, but each
 * fixture is checked by its own metadata in the tests): WebP, a JPEG stored sideways with an EXIF
 * orientation, a PNG with transparency, and a JPEG too large for the video API.
 */
import { randomBytes } from 'node:crypto';
import sharp from 'sharp';
import { makePng } from './image-fixtures.ts';

/** A WebP of the given size, as Android phones and many apps save pictures. */
export function webpOf(width: number, height: number): Promise<Buffer> {
  return sharp(makePng(width, height)).webp({ quality: 80 }).toBuffer();
}

/**
 * A JPEG stored `width` x `height` with EXIF orientation 6 (turn 90° clockwise to view), as a phone camera
 * writes a portrait photo: upright it is `height` wide and `width` high. Its left half is red and its right
 * half blue, so a test can tell which way it was turned.
 */
export async function exifRotatedJpeg(width: number, height: number): Promise<Buffer> {
  const half = Math.floor(width / 2);
  const left = await sharp({ create: { width: half, height, channels: 3, background: '#ff0000' } })
    .png()
    .toBuffer();
  return sharp({ create: { width, height, channels: 3, background: '#0000ff' } })
    .composite([{ input: left, left: 0, top: 0 }])
    .jpeg({ quality: 90 })
    .withMetadata({ orientation: 6 })
    .toBuffer();
}

/** A PNG whose corners are fully transparent, with an opaque disc in the middle. */
export function transparentPng(width: number, height: number): Promise<Buffer> {
  const r = Math.floor(Math.min(width, height) / 3);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><circle cx="${width / 2}" cy="${height / 2}" r="${r}" fill="#208040"/></svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

/** Random noise at JPEG quality 100: the hardest thing to compress, so a modest size makes a large file. */
export function noisyJpeg(width: number, height: number): Promise<Buffer> {
  return sharp(randomBytes(width * height * 3), { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 100 })
    .toBuffer();
}
