/**
 * Turns whatever picture a phone or a computer sends into what the video API takes (PNG or JPEG, at most
 * 10,000,000 bytes, at least 300x300): WebP, AVIF, GIF (first frame) and TIFF are converted, a JPEG or PNG
 * that is too large is downscaled, a photo taken sideways is turned upright (its EXIF orientation applied),
 * and transparency is flattened onto white. A PNG or JPEG that already fits goes through byte for byte.
 *
 * The format is read from the bytes first (src/images/image-format.ts): only the formats named here ever
 * reach the decoder, so an SVG, a PDF or anything else is refused without being parsed. Decoding is bounded
 * by `limitInputPixels` and a time limit, and at most `concurrency` pictures are worked on at once: libvips
 * needs memory in proportion to the pixels, and the bot runs on small machines.
 */
import sharp, { type Metadata, type OutputInfo } from 'sharp';
import { InvalidImage } from '../errors.ts';
import type { PictureFormatName } from '../outcomes.ts';
import { IMAGE_LIMITS, type CheckedImage } from './check-image.ts';
import { isImageComplete, readImageHeader, type ImageHeader } from './image-format.ts';
import { ConcurrencyLimit } from '../concurrency-limit.ts';

/** The longest side of a converted picture: the video is at most 1080p, and this keeps detail for its framing. */
export const CONVERTED_MAX_EDGE = 4096;
/** Converted pictures are JPEG at this quality, then lower ones while the file is still too large. */
const JPEG_QUALITIES = [90, 80, 70] as const;
/** libvips stops a decode that runs longer than this (a crafted file can be slow without being large). */
const DECODE_TIMEOUT_SECONDS = 30;

const FORMAT_NAMES: Record<Exclude<ImageHeader['format'], 'unknown' | 'heic'>, PictureFormatName> = {
  png: 'PNG',
  jpeg: 'JPEG',
  gif: 'GIF',
  webp: 'WebP',
  avif: 'AVIF',
  tiff: 'TIFF',
};

export interface ImagePreparerOptions {
  /** Pictures worked on at once; the others wait their turn. Default 2. */
  concurrency?: number;
}

export class ImagePreparer {
  readonly #slots: ConcurrencyLimit;

  constructor(options: ImagePreparerOptions = {}) {
    this.#slots = new ConcurrencyLimit(options.concurrency ?? 2);
    // libvips keeps recently decoded images in a process-wide cache; every picture here is seen once.
    sharp.cache(false);
  }

  /** Throws `InvalidImage` saying what is wrong; otherwise the bytes to submit. */
  async prepare(bytes: Buffer): Promise<CheckedImage> {
    const header = readImageHeader(bytes);
    if (header.format === 'unknown') throw new InvalidImage({ kind: 'picture_not_an_image' });
    if (header.format === 'heic') throw new InvalidImage({ kind: 'picture_heic' });
    const format = header.format;
    const formatName = FORMAT_NAMES[format];
    return this.#slots.run(async () => {
      const metadata = await readMetadata(bytes, formatName);
      const { width, height } = metadata;
      // Before anything is decoded: the declared size alone decides this.
      if (width * height > IMAGE_LIMITS.maxPixels)
        throw new InvalidImage({ kind: 'picture_too_many_pixels', maxPixels: IMAGE_LIMITS.maxPixels });
      const upright = isQuarterTurn(metadata.orientation) ? { width: height, height: width } : { width, height };
      if (upright.width < IMAGE_LIMITS.minWidth || upright.height < IMAGE_LIMITS.minHeight) {
        // No upscaling of thumbnails into paid generations.
        throw new InvalidImage({
          kind: 'picture_too_small',
          ...upright,
          minWidth: IMAGE_LIMITS.minWidth,
          minHeight: IMAGE_LIMITS.minHeight,
        });
      }
      if ((format === 'png' || format === 'jpeg') && !isImageComplete(bytes, format)) {
        throw new InvalidImage({ kind: 'picture_damaged', format: formatName });
      }
      const fitsAsIs =
        (format === 'png' || format === 'jpeg') &&
        bytes.length <= IMAGE_LIMITS.maxBytes &&
        (metadata.orientation ?? 1) === 1 &&
        !metadata.hasAlpha;
      if (fitsAsIs) return checked(bytes, format, width, height);
      return convert(bytes, formatName);
    });
  }
}

async function readMetadata(bytes: Buffer, formatName: PictureFormatName): Promise<Metadata & { width: number; height: number }> {
  let metadata: Metadata;
  try {
    // Reads the headers only; nothing is decoded yet.
    metadata = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (error) {
    throw new InvalidImage({ kind: 'picture_damaged', format: formatName }, { cause: error });
  }
  const { width, height } = metadata;
  if (!width || !height) throw new InvalidImage({ kind: 'picture_damaged', format: formatName });
  return { ...metadata, width, height };
}

/** EXIF orientations 5 to 8 turn the picture a quarter: its upright width is its stored height. */
function isQuarterTurn(orientation: number | undefined): boolean {
  return orientation !== undefined && orientation >= 5 && orientation <= 8;
}

async function convert(bytes: Buffer, formatName: PictureFormatName): Promise<CheckedImage> {
  let maxEdge = CONVERTED_MAX_EDGE;
  // Each turn lowers the quality, then the size; a 4096-pixel JPEG at quality 70 is far below 10 MB, so this
  // ends within a few turns, and the bound only guards against a mistake in that reasoning.
  for (let turn = 0; turn < 6; turn++) {
    const quality = JPEG_QUALITIES[Math.min(turn, JPEG_QUALITIES.length - 1)] ?? 70;
    let output: { data: Buffer; info: OutputInfo };
    try {
      output = await sharp(bytes, { limitInputPixels: IMAGE_LIMITS.maxPixels, failOn: 'error', pages: 1 })
        .timeout({ seconds: DECODE_TIMEOUT_SECONDS })
        // Applies the EXIF orientation; the output carries no EXIF, so nothing turns it again.
        .autoOrient()
        .flatten({ background: '#ffffff' })
        .resize({ width: maxEdge, height: maxEdge, fit: 'inside', withoutEnlargement: true })
        .jpeg({ quality })
        .toBuffer({ resolveWithObject: true });
    } catch (error) {
      throw new InvalidImage({ kind: 'picture_damaged', format: formatName }, { cause: error });
    }
    const { data, info } = output;
    if (data.length <= IMAGE_LIMITS.maxBytes) return checked(data, 'jpeg', info.width, info.height);
    if (turn >= JPEG_QUALITIES.length - 1) maxEdge = Math.floor(maxEdge * 0.75);
  }
  throw new InvalidImage({ kind: 'picture_too_large', maxBytes: IMAGE_LIMITS.maxBytes });
}

function checked(bytes: Buffer, format: 'png' | 'jpeg', width: number, height: number): CheckedImage {
  return { format, width, height, bytes, base64: bytes.toString('base64'), mimeType: format === 'png' ? 'image/png' : 'image/jpeg' };
}
