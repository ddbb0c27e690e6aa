/** /animate-settings: a member's own defaults for the options they leave out, in English. */
export const settingsTexts = {
  'settings.current': '⚙️ Your defaults in this server:',
  'settings.saved': '✅ Saved. Your defaults in this server:',
  'settings.reset': '✅ Your defaults are cleared: the bot’s own apply again.',
  'settings.duration': '• Length: {seconds} s',
  'settings.cfg_scale': '• cfg_scale: {value}',
  'settings.negative_prompt': '• Avoid: {text}',
  'settings.negative_prompt.none': '• Avoid: nothing',
  /** After a value the member did not set: the bot's own default. */
  'settings.bot_default': '(bot default)',
  'settings.hint': 'They apply whenever you leave an option out of /animate, Apps → Animate or Remix.',
} as const;
