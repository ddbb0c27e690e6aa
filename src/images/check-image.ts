import { InvalidImage } from '../errors.ts';
import { isImageComplete, readImageHeader, type ImageFormat } from './image-format.ts';

/**
 * The video API's rules for its `image` input (.jpg or .png, at most 10 MB, at least 300x300 px), checked
 * here so that nothing is paid for a picture it would refuse.
 * `maxPixels` is ours: a small file can declare a huge canvas, and whoever decodes it pays in memory.
 */
export const IMAGE_LIMITS = { maxBytes: 10_000_000, minWidth: 300, minHeight: 300, maxPixels: 40_000_000 } as const;

export interface CheckedImage {
  format: ImageFormat;
  width: number;
  height: number;
  /** Exactly the bytes that were checked. */
  bytes: Buffer;
  /** Raw base64 of `bytes`, no `data:` prefix: the form the video API takes inline. */
  base64: string;
  mimeType: 'image/png' | 'image/jpeg';
}

/** Checks a picture by its bytes alone, without decoding it. Throws `InvalidImage` saying what is wrong. */
export function checkImage(bytes: Buffer): CheckedImage {
  if (bytes.length > IMAGE_LIMITS.maxBytes) throw new InvalidImage({ kind: 'picture_too_large', maxBytes: IMAGE_LIMITS.maxBytes });

  const header = readImageHeader(bytes);
  if (header.format === 'gif') throw new InvalidImage({ kind: 'picture_gif' });
  if (header.format === 'webp') throw new InvalidImage({ kind: 'picture_webp' });
  if (header.format === 'unknown') throw new InvalidImage({ kind: 'picture_not_an_image' });
  const format = header.format;
  const formatName = format === 'png' ? 'PNG' : 'JPEG';

  const { width, height } = header;
  if (width === undefined || height === undefined) throw new InvalidImage({ kind: 'picture_damaged', format: formatName });
  // Before anything else looks further into the file: the declared size alone decides this.
  if (width * height > IMAGE_LIMITS.maxPixels)
    throw new InvalidImage({ kind: 'picture_too_many_pixels', maxPixels: IMAGE_LIMITS.maxPixels });
  if (width < IMAGE_LIMITS.minWidth || height < IMAGE_LIMITS.minHeight) {
    throw new InvalidImage({
      kind: 'picture_too_small',
      width,
      height,
      minWidth: IMAGE_LIMITS.minWidth,
      minHeight: IMAGE_LIMITS.minHeight,
    });
  }
  if (!isImageComplete(bytes, format)) throw new InvalidImage({ kind: 'picture_damaged', format: formatName });

  return {
    format,
    width,
    height,
    bytes,
    base64: bytes.toString('base64'),
    mimeType: format === 'png' ? 'image/png' : 'image/jpeg',
  };
}
