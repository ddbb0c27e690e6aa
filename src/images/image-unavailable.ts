import { UserFacingError } from '../errors.ts';
import { imageRefusals } from './image-refusals.ts';

/** The picture could not be fetched (HTTP error, network failure, timeout): nothing was charged, try again. */
export class ImageUnavailable extends UserFacingError {
  constructor(options?: { cause?: unknown }) {
    super('image_unavailable', imageRefusals.unavailable, options);
    this.name = 'ImageUnavailable';
  }
}
