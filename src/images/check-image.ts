import type { ImageFormat } from './image-format.ts';

/**
 * The video API's rules for its `image` input (.jpg or .png, at most 10 MB, at least 300x300 px), checked
 * (src/images/prepare-image.ts) so that nothing is paid for a picture it would refuse.
 * `maxPixels` is ours: a small file can declare a huge canvas, and whoever decodes it pays in memory.
 */
export const IMAGE_LIMITS = {
  maxBytes: 10_000_000,
  minWidth: 300,
  minHeight: 300,
  maxPixels: 40_000_000,
  /**
   * Ours too: what may be downloaded before conversion (src/images/prepare-image.ts downscales anything past
   * maxBytes). A boosted server lets members upload far more; the pixel limit bounds the decoding anyway.
   */
  maxDownloadBytes: 50_000_000,
} as const;

export interface CheckedImage {
  format: ImageFormat;
  width: number;
  height: number;
  /** The bytes to submit: the member's own when they already fit, otherwise the converted ones. */
  bytes: Buffer;
  /** Raw base64 of `bytes`, no `data:` prefix: the form the video API takes inline. */
  base64: string;
  mimeType: 'image/png' | 'image/jpeg';
}
