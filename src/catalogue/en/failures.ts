/**
 * Why a request ended without a video (src/outcomes.ts), in English. Each says what went wrong and what the
 * member can do; the reply adds the refund note. A picture refusal is shown alone, privately.
 */
export const failureTexts = {
  'failure.picture_not_an_image': "That file isn't a picture the bot can read. Please attach a photo (JPEG, PNG, WebP, AVIF, GIF or TIFF).",
  'failure.picture_gif': "GIFs (animated or not) can't be used; please attach a .png or .jpg image.",
  'failure.picture_webp': "WebP pictures can't be used; please attach a .png or .jpg image.",
  /** The bundled decoder has no HEVC: say how to send the same photo in a form it reads. */
  'failure.picture_heic':
    "HEIC photos can't be read. Please send it as JPEG: share it from Photos, or set Camera → Formats → Most Compatible.",
  'failure.picture_damaged': 'That {format} picture seems damaged or incomplete; please save it again or attach another one.',
  'failure.picture_too_small': 'That picture is {width}x{height}; it needs to be at least {minWidth}x{minHeight} pixels.',
  'failure.picture_too_many_pixels': 'That picture is too large (over {megapixels} megapixels); please attach a smaller one.',
  'failure.picture_too_large': 'That picture is larger than {megabytes} MB; please attach a smaller one.',
  /** A version-1 record kept only that the picture was refused, not why. */
  'failure.picture_unusable':
    "That picture can't be used: please attach a PNG or JPEG of at least {minWidth}x{minHeight}, up to {megabytes} MB.",
  'failure.picture_unavailable': "Couldn't download your picture from Discord. Please try again.",
  /** Refused before any download: not over https from Discord's attachment hosts. Trying again would not help. */
  'failure.picture_not_on_discord':
    'The bot only fetches pictures uploaded to Discord, and this one points somewhere else. Please attach the image file itself.',
  'failure.provider_rejected': 'The provider rejected this picture or prompt.',
  'failure.provider_rejected_because': 'The provider rejected this picture or prompt: {reason}',
  'failure.generation_failed': 'The video service could not make this video: no reason given.',
  'failure.generation_failed_because': 'The video service could not make this video: {reason}',
  'failure.generation_timed_out': 'The video service took too long to make this video. Please try /animate again later.',
  'failure.video_lost': 'The video was made, but the bot could not fetch it from the video service. Please try /animate again.',
  'failure.provider_misconfigured': "The video service is misconfigured on the bot's side. An admin has been alerted.",
  'failure.provider_out_of_credit': 'Video generation is unavailable right now. Please try again later.',
  'failure.provider_unavailable': 'The video service is not answering right now. Please try /animate again in a few minutes.',
  'failure.submit_unknown':
    "We lost contact with the video service while sending your picture, so we can't tell whether it started. To avoid charging you twice it wasn't sent again. Please try /animate again in a minute.",
  'failure.cancelled': 'Cancelled before it started.',
  'failure.internal': 'Something went wrong on our side (ref {ref}). Please try /animate again.',
} as const;
