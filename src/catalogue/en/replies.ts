/**
 * The member's reply while a video is made and when it is done, plus the short answers around it
 * (cancelling, a bad option, an apology), in English. The reply quotes the prompt beneath (`reply.with_prompt`).
 */
export const replyTexts = {
  'progress.checking': '🔍 Checking your picture…',
  'progress.waiting': '⏳ Waiting for the video service to start…',
  'progress.waiting_turn': '⏳ Waiting for your previous video to finish ({position} in line). Your units are held for it.',
  'progress.paused': '⏸️ Video generation is paused for a few minutes; yours will start when it resumes.',
  'progress.generating': '🎬 Generating your video…',
  'progress.generating_percent': '🎬 Generating your video… {percent}%',
  'progress.generating_eta': '🎬 Generating your video… ready {eta}',
  'progress.generating_percent_eta': '🎬 Generating your video… {percent}% ready {eta}',
  'progress.delivering': '📦 Delivering your video…',
  'progress.still_working': "⏳ Still working on your video. It will be posted in this channel with a mention when it's ready.",

  'final.video': '🎬 Here is your video!',
  'final.video_link_cannot_attach':
    "🎬 Your video is ready, but the bot isn't allowed to attach files in this channel.\nDownload it here (the link expires {expires}): {url}",
  'final.video_link_too_large':
    "🎬 Your video is ready, but it is larger than this server's {limit} upload limit.\nDownload it here (the link expires {expires}): {url}",
  'final.video_link_too_large_sized':
    "🎬 Your video is ready, but at {size} it is larger than this server's {limit} upload limit.\nDownload it here (the link expires {expires}): {url}",
  'final.failed': '❌ {failure}',
  'final.failed_refunded': '❌ {failure} {refund}',
  'final.refund': { plural: 'cardinal', one: 'Your {count} unit was refunded.', other: 'Your {count} units were refunded.' },
  /** The bot died after acknowledging a request and before recording it: nothing was sent to the video service. */
  'final.interrupted': '🔄 The bot restarted before it could start your video, so nothing was made. {refund} Please try again.',

  /** The prompt, already shortened and escaped, quoted beneath a reply as context. */
  'reply.with_prompt': '{text}\n> {prompt}',
  /** Posted in the channel once the interaction token has expired: the mention pings exactly the member who asked. */
  'reply.late_delivery': '{member} {text}',
  /** Sent as a direct message when the bot may not post in the channel where the member asked. */
  'reply.direct_delivery': "{text}\n-# Sent here because the bot can't post in {channel}.",
  'reply.generic_apology': '❌ Something went wrong on our side (ref {ref}). Please try again in a moment.',
  'reply.servers_only': '{command} works in servers only.',
  'reply.not_enabled': "🚫 This bot is not enabled in this server. Ask the bot's operator if you think it should be.",
  /** Answered to any command or button while the bot is stopping; nothing was reserved or recorded. */
  'reply.restarting': '🔄 The bot is restarting. Please try again in a minute.',
  'reply.needs_manage_server': '🚫 Only members with the Manage Server permission can use {command}.',

  'cancel.button': 'Cancel',
  'cancel.not_found': 'That generation no longer exists.',
  'cancel.not_allowed': 'Only the member who asked (or a moderator) can cancel this generation.',
  'cancel.started': 'This generation has already started, so it can no longer be cancelled.',
  'cancel.finished': 'This generation has already finished.',

  'animate.problem.prompt': '❌ The prompt must be between 1 and {max} characters.',
  'animate.problem.negative_prompt': '❌ The negative prompt must be at most {max} characters.',
  'animate.problem.server': '❌ /animate works in servers only.',
  'animate.problem.image': '❌ Please attach a picture in the image option.',
  'animate.problem.options': '❌ Those options are not valid: duration is 5 or 10 and cfg_scale between 0 and 1.',

  'number.units': { plural: 'cardinal', one: '{count} unit', other: '{count} units' },
  'number.ordinal': { plural: 'ordinal', one: '{count}st', two: '{count}nd', few: '{count}rd', other: '{count}th' },
  'number.megabytes': '{megabytes} MB',
  /** The last item of a list cut short to fit in one message. */
  'list.more': { plural: 'cardinal', one: '{count} more', other: '{count} more' },
} as const;
