/** What members read about their quota: why /animate was refused, and their standing (/animate-quota), in English. */
export const quotaTexts = {
  'period.day': 'day',
  'period.week': 'week',
  'period.month': 'month',
  'limit.none': 'no limit',

  'rule.member': 'your own allowance, set by a moderator',
  'rule.role': 'the allowance of your role {role}',
  'rule.server': "this server's default allowance",

  'refusal.channel': "🚫 /animate can't be used in this channel. Try {channels}.",
  'refusal.paused': '⏸️ Video generation is unavailable right now. Please try again {when}. No units were used.',
  'refusal.blocked': "🚫 You can't generate videos in this server: {rule} is 0. Ask a moderator if you think this is a mistake.",
  'refusal.member_units':
    '🚫 Not enough units: you have {left} left this {period} and this video needs {needed} ({rule}). Your units renew {renews} ({renewsAt}).',
  'refusal.member_units_some_left':
    '🚫 Not enough units: you have {left} left this {period} and this video needs {needed} ({rule}). Your units renew {renews} ({renewsAt}). A 5-second video costs 1 unit.',
  'refusal.server_units': '🚫 This server has used its whole video budget for this {period}. It renews {renews} ({renewsAt}).',
  'refusal.global_units': '🚫 The bot has reached its daily limit across all servers. It renews {renews} ({renewsAt}).',
  'refusal.server_ceiling':
    "🚫 This server has reached the bot's daily limit of {units} per server, whatever its own settings. It renews {renews} ({renewsAt}).",
  'refusal.active_limit':
    '🚫 You already have as many videos in progress as allowed ({running} running, {waiting} waiting). Wait for one to finish, then try again.',

  'standing.unlimited': '🎟️ You have **no limit** on videos this {period}.',
  'standing.left': '🎟️ You have **{left}** left this {period}; they renew {renews} ({renewsAt}).',
  'standing.allowance': 'Allowance: {allowance}, {used} used or held.',
  'standing.allowance_granted': 'Allowance: {allowance} + {granted} granted, {used} used or held.',
  'standing.rule': 'Rule: {rule}.',
  'standing.work': 'In progress: {running} running, {waiting} waiting. A 5-second video costs 1 unit, a 10-second one 2.',
} as const;
