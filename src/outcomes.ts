/**
 * What can happen to a request, as data. The core says `{ kind: 'picture_too_small', width: 200, … }`;
 * the catalogue (src/catalogue/) says it in the member's language. Records store these, never sentences,
 * so an old record is told in today's words and in the member's locale.
 */

/** How a picture's format is named to members (a damaged picture says which it claimed to be). */
export const PICTURE_FORMAT_NAMES = ['PNG', 'JPEG', 'GIF', 'WebP', 'AVIF', 'TIFF'] as const;
export type PictureFormatName = (typeof PICTURE_FORMAT_NAMES)[number];

/** Why a member's picture cannot be used; nothing is submitted and the units go back. */
export type PictureProblem =
  | { kind: 'picture_not_an_image' }
  | { kind: 'picture_gif' }
  | { kind: 'picture_webp' }
  /** An iPhone's HEIC photo: HEVC inside, which the bundled decoder cannot read (patent-encumbered codec). */
  | { kind: 'picture_heic' }
  | { kind: 'picture_damaged'; format: PictureFormatName }
  | { kind: 'picture_too_small'; width: number; height: number; minWidth: number; minHeight: number }
  | { kind: 'picture_too_many_pixels'; maxPixels: number }
  | { kind: 'picture_too_large'; maxBytes: number }
  /** Stored by a version-1 record, whose words named the problem; the kind alone survives. */
  | { kind: 'picture_unusable' }
  | { kind: 'picture_unavailable' }
  /** Not over https from Discord's attachment hosts (or redirected away from them): never fetched. */
  | { kind: 'picture_not_on_discord' };

/** Why a task ended without a video; the member is told and refunded. */
export type TaskFailure =
  | PictureProblem
  /** The provider refused the submission (a 4xx); `reason` is its own words, already cleaned for display. */
  | { kind: 'provider_rejected'; reason?: string }
  /** The provider accepted the task, then reported it failed. */
  | { kind: 'generation_failed'; reason?: string }
  | { kind: 'generation_timed_out' }
  /** The provider said it succeeded but gave no video, or the video could not be fetched. */
  | { kind: 'video_lost' }
  | { kind: 'provider_misconfigured' }
  | { kind: 'provider_out_of_credit' }
  | { kind: 'provider_unavailable' }
  /** The submission may have reached the provider; it was not sent again, to avoid charging twice. */
  | { kind: 'submit_unknown' }
  | { kind: 'cancelled' }
  /** A bug or an outage of ours; `ref` lets the operator find the log line. */
  | { kind: 'internal'; ref: string };

export type TaskFailureKind = TaskFailure['kind'];

const PICTURE_KINDS: ReadonlySet<TaskFailureKind> = new Set([
  'picture_not_an_image',
  'picture_gif',
  'picture_webp',
  'picture_heic',
  'picture_damaged',
  'picture_too_small',
  'picture_too_many_pixels',
  'picture_too_large',
  'picture_unusable',
  'picture_unavailable',
  'picture_not_on_discord',
]);

/** A refused picture is answered privately (nothing public should remain); other failures replace the reply. */
export function isPictureProblem(failure: TaskFailure): failure is PictureProblem {
  return PICTURE_KINDS.has(failure.kind);
}
