/** Says why a request ended without a video (src/outcomes.ts) in the member's language. */
import { IMAGE_LIMITS } from '../images/check-image.ts';
import type { TaskFailure } from '../outcomes.ts';
import { catalogue } from './catalogue.ts';
import { oneLine } from './formats.ts';

/**
 * The provider's own words are shown, but they can be long and untidy: whitespace is collapsed and they are
 * cut here, so a failure, its refund note and the quoted prompt stay far below Discord's 2000 characters.
 */
export const REASON_MAX_CHARS = 300;

/** The text for a failure, without decoration (the reply adds ❌ and the refund note). */
export function renderFailure(failure: TaskFailure, locale: string | undefined): string {
  const c = catalogue(locale);
  switch (failure.kind) {
    case 'picture_not_an_image':
    case 'picture_gif':
    case 'picture_webp':
    case 'picture_heic':
    case 'picture_unavailable':
    case 'picture_not_on_discord':
    case 'generation_timed_out':
    case 'video_lost':
    case 'provider_misconfigured':
    case 'provider_out_of_credit':
    case 'provider_unavailable':
    case 'submit_unknown':
    case 'cancelled':
      return c.t(`failure.${failure.kind}`);
    case 'picture_damaged':
      return c.t('failure.picture_damaged', { format: failure.format });
    case 'picture_too_small':
      return c.t('failure.picture_too_small', {
        width: failure.width,
        height: failure.height,
        minWidth: failure.minWidth,
        minHeight: failure.minHeight,
      });
    case 'picture_too_many_pixels':
      return c.t('failure.picture_too_many_pixels', { megapixels: failure.maxPixels / 1_000_000 });
    case 'picture_too_large':
      return c.t('failure.picture_too_large', { megabytes: failure.maxBytes / 1_000_000 });
    case 'picture_unusable':
      return c.t('failure.picture_unusable', {
        minWidth: IMAGE_LIMITS.minWidth,
        minHeight: IMAGE_LIMITS.minHeight,
        megabytes: IMAGE_LIMITS.maxBytes / 1_000_000,
      });
    case 'provider_rejected':
    case 'generation_failed': {
      const reason = oneLine(failure.reason ?? '', REASON_MAX_CHARS);
      return reason === '' ? c.t(`failure.${failure.kind}`) : c.t(`failure.${failure.kind}_because`, { reason });
    }
    case 'internal':
      return c.t('failure.internal', { ref: failure.ref });
  }
}
