import { InvalidImage } from '../errors.ts';

/** The picture could not be fetched (HTTP error, network failure, timeout): nothing was charged, try again. */
export class ImageUnavailable extends InvalidImage {
  constructor(options?: { cause?: unknown }) {
    super({ kind: 'picture_unavailable' }, options);
    this.name = 'ImageUnavailable';
  }
}
