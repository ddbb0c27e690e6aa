/**
 * The buttons under a delivered video (Re-roll, Remix, 10 s version, Delete), their form and their private
 * answers, in English. Discord allows 80 characters for a button label and 45 for a form's title and labels.
 */
export const buttonTexts = {
  'result.button.reroll': 'Re-roll',
  'result.button.remix': 'Remix',
  'result.button.ten_seconds': '10 s version',
  'result.button.delete': 'Delete',

  'result.remix.title': 'Remix this video',
  'result.remix.prompt': 'How should it move?',
  'result.remix.negative_prompt': 'What to avoid (optional)',
  'result.remix.negative_prompt.placeholder': 'Empty: your default, else nothing',

  /** IMAGE_RETENTION_HOURS passed (or the video was deleted): the picture is no longer kept. */
  'result.expired': '⌛ The picture of this video has expired. Send it again with /animate, or long-press it → Apps → Animate.',
  /** The video's record was forgotten (30 days), or it was made in another server. */
  'result.not_found': "This video is no longer known to the bot, so it can't be made again.",
  'result.delete.not_allowed': 'Only the member who asked for this video, or someone who can manage messages, can delete it.',
} as const;
