/**
 * /animate-history, sending a finished video again, and "Try again" after an unknown submission outcome,
 * in English. A history line quotes the start of its prompt beneath (`history.line`).
 */
export const historyTexts = {
  'history.header': {
    plural: 'cardinal',
    one: 'Your last video request in this server:',
    other: 'Your last {count} video requests in this server, newest first:',
  },
  'history.empty': "You haven't asked for a video in this server in the last 30 days. Use /animate to make one.",
  /** One generation: its number (the buttons use it), its state, when it was asked for, and its prompt quoted. */
  'history.line': '**{number}.** {state} · {when}\n> {prompt}',
  'history.resend_hint': 'Press a number below to have that video sent to you again.',
  'history.resend_button': 'Send {number} again',
  'history.state.waiting': '⏳ waiting its turn',
  'history.state.making': '🎬 being made',
  'history.state.delivered': '✅ delivered',
  'history.state.undelivered': '📭 made, but it could not be delivered',
  'history.state.cancelled': '🚫 cancelled, refunded',
  'history.state.picture_refused': '🖼️ picture refused, refunded',
  'history.state.submit_unknown': '❓ unknown whether it started, refunded',
  'history.state.failed': '❌ not made, refunded',

  'resend.video': '🎬 Here is your video again.',
  'resend.not_found': 'That video request is no longer in your history (requests are kept for 30 days).',
  'resend.not_allowed': 'Only the member who asked for this video can have it sent again.',
  'resend.not_made': 'No video was made for that request, so there is nothing to send.',
  'resend.gone': 'The video service no longer has that video, so it cannot be sent again.',
  'resend.deleted': 'That video was deleted, so it cannot be sent again.',
  'resend.unavailable': 'The video service is not answering right now. Please try again in a few minutes.',

  'retry.button': 'Try again',
  'retry.not_found': 'That video request is no longer known (requests are kept for 30 days). Please use /animate again.',
  'retry.not_allowed': 'Only the member who asked for this video can try it again. Use /animate to make your own.',
  'retry.not_retryable': 'This video request cannot be tried again. Use /animate to make a new one.',
  'retry.already_retried': 'This video request has already been tried again. Use /animate to make a new one.',
} as const;
