/** /animate-settings' answers: the member's defaults, each marked when it is the bot's own. */
import { BOT_DEFAULTS, type MemberDefaults } from '../animation/member-defaults.ts';
import { catalogue } from './catalogue.ts';
import { promptPreview } from './render-reply.ts';

/** A negative prompt may be 2500 characters; the answer quotes enough to recognise it and stays one message. */
const NEGATIVE_PROMPT_PREVIEW_CHARS = 200;

export type SettingsAnswer = { kind: 'current' | 'saved'; defaults: MemberDefaults } | { kind: 'reset' };

export function settingsText(answer: SettingsAnswer, locale: string | undefined): string {
  const c = catalogue(locale);
  if (answer.kind === 'reset') return c.t('settings.reset');
  const { defaults } = answer;
  const bot = ` ${c.t('settings.bot_default')}`;
  return [
    c.t(answer.kind === 'saved' ? 'settings.saved' : 'settings.current'),
    c.t('settings.duration', { seconds: defaults.duration ?? BOT_DEFAULTS.duration }) + (defaults.duration === undefined ? bot : ''),
    c.t('settings.cfg_scale', { value: defaults.cfgScale ?? BOT_DEFAULTS.cfgScale }) + (defaults.cfgScale === undefined ? bot : ''),
    defaults.negativePrompt === undefined
      ? c.t('settings.negative_prompt.none') + bot
      : c.t('settings.negative_prompt', { text: promptPreview(defaults.negativePrompt, NEGATIVE_PROMPT_PREVIEW_CHARS) }),
    c.t('settings.hint'),
  ].join('\n');
}
