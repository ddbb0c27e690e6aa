/** What moderators read from /animate-admin, in English. */
export const adminTexts = {
  'admin.ceiling_note': "ℹ️ Whatever is set here, the bot's operator caps every server at {units} a day.",
  'admin.unknown_subcommand': 'Unknown subcommand.',
  'admin.missing.units': 'Give `units` or `unlimited: True`.',
  'admin.missing.units_or_period': 'Give `units` or `unlimited: True`, or a `period`.',
  'admin.missing.units_or_clear': 'Give `units`, `unlimited: True`, or `clear: True`.',
  'admin.missing.limits': 'Give at least one of `running`, `waiting`, `server_running`.',
  'admin.missing.channel': 'Choose a `channel`.',
  'admin.conflict.units_unlimited': 'Give `units` or `unlimited: True`, not both. Nothing was changed.',
  'admin.conflict.running_unlimited': 'Give `running` or `running_unlimited: True`, not both. Nothing was changed.',
  'admin.conflict.waiting_unlimited': 'Give `waiting` or `waiting_unlimited: True`, not both. Nothing was changed.',
  'admin.last_channel':
    '{channel} is the only channel where /animate is allowed, so it stays. To allow every channel again, use `action: allow everywhere`.',

  'admin.member_default_set': '✅ Default allowance per member: {before} → **{after}** per {period}.',
  'admin.server_budget_set': '✅ Server budget: {before} → **{after}** per {period}.',
  'admin.period_set.day': '✅ Period: {before} → **{after}** (renews at 00:00 UTC; usage counts afresh from now).',
  'admin.period_set.week': '✅ Period: {before} → **{after}** (renews at 00:00 UTC on Mondays; usage counts afresh from now).',
  'admin.period_set.month': '✅ Period: {before} → **{after}** (renews at 00:00 UTC on the 1st; usage counts afresh from now).',
  'admin.period_unchanged': 'Period: already **{period}**.',
  'admin.member_running_set': '✅ Running per member: {before} → **{after}**.',
  'admin.member_waiting_set': '✅ Waiting per member: {before} → **{after}**.',
  'admin.server_running_set': '✅ Running in the server: {before} → **{after}**.',

  'admin.not_set': 'not set',
  'admin.allowance_set': '✅ Allowance for {who}: {before} → **{after}** per {period}.',
  'admin.role_allowance_cleared': '✅ Allowance for {who}: {before} → **not set** (members fall back to their other roles or the default).',
  'admin.member_allowance_cleared': '✅ Allowance for {who}: {before} → **not set** (roles or the default apply).',

  'admin.channels_cleared': '✅ No channel restriction. /animate can now be used in {channels}.',
  'admin.channel_added': '✅ Allowed: {channel}. /animate can now be used in {channels}.',
  'admin.channel_removed': '✅ No longer allowed: {channel}. /animate can now be used in {channels}.',
  'admin.every_channel': 'every channel',

  'admin.granted': '✅ Granted {units} to {member} for this {period} (until {until}). They now have {left} left.',
  'admin.reset': '✅ Gave {units} back to {member}: their spending this period is reset.',
  'admin.reset_nothing': '{member} has no finished generations to give back this period (ones in progress are refunded if they fail).',

  'admin.usage.spend': '📊 **This {period}**: {used} used of {budget}; renews {renews}.',
  'admin.usage.top': 'Top members: {members}',
  'admin.usage.top_none': 'Nobody has generated anything this period yet.',
  'admin.usage.running': 'Running: {members}',
  'admin.usage.waiting': 'Waiting: {members}',
  'admin.usage.none': 'none',
  'admin.usage.settings':
    '⚙️ Default {units} per member per {period}; {running} running and {waiting} waiting per member; server-wide running: {serverRunning}.',
  'admin.usage.overrides': 'Roles: {roles} · Members: {members}',
  'admin.usage.none_set': 'none set',
  'admin.usage.channels': 'Channels: {channels}',
  'admin.usage.everywhere': 'everywhere',
  /** One member's (or role's) figure in a list: a mention and a number or limit. */
  'admin.usage.entry': '{who} {amount}',
} as const;
