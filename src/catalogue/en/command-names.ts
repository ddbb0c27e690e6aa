/**
 * The names of the slash commands, subcommands and options, keyed `name.<name in code>`. English is the name
 * the code registers and reads back; the other locales are Discord's `name_localizations`, so a member types
 * the command in their language. One translation per name: `member` is the same word wherever it appears.
 * Discord: lowercase, no spaces, 1–32 characters (test/catalogue checks).
 */
export const commandNames = {
  'name.animate': 'animate',
  'name.animate-quota': 'animate-quota',
  'name.animate-history': 'animate-history',
  'name.animate-admin': 'animate-admin',
  'name.animate-settings': 'animate-settings',
  /** The message menu command (Apps → Animate): a menu name may hold capitals and spaces. */
  'name.Animate': 'Animate',

  'name.image': 'image',
  'name.prompt': 'prompt',
  'name.duration': 'duration',
  'name.cfg_scale': 'cfg_scale',
  'name.negative_prompt': 'negative_prompt',

  'name.default': 'default',
  'name.role': 'role',
  'name.member': 'member',
  'name.budget': 'budget',
  'name.limits': 'limits',
  'name.channels': 'channels',
  'name.usage': 'usage',
  'name.grant': 'grant',
  'name.reset': 'reset',

  'name.units': 'units',
  'name.unlimited': 'unlimited',
  'name.clear': 'clear',
  'name.period': 'period',
  'name.running': 'running',
  'name.waiting': 'waiting',
  'name.server_running': 'server_running',
  'name.running_unlimited': 'running_unlimited',
  'name.waiting_unlimited': 'waiting_unlimited',
  'name.action': 'action',
  'name.channel': 'channel',
} as const;
