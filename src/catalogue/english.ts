/**
 * Every text the bot shows, in English: the reference locale. Its templates' placeholders type-check every
 * call (`t`), and every other locale must have the same keys with the same placeholders.
 */
import { adminTexts } from './en/admin.ts';
import { commandNames } from './en/command-names.ts';
import { buttonTexts } from './en/buttons.ts';
import { commandTexts } from './en/commands.ts';
import { failureTexts } from './en/failures.ts';
import { historyTexts } from './en/history.ts';
import { menuTexts } from './en/menu.ts';
import { quotaTexts } from './en/quota.ts';
import { replyTexts } from './en/replies.ts';
import { settingsTexts } from './en/settings.ts';
import type { Message } from './template.ts';

export const english = {
  ...failureTexts,
  ...replyTexts,
  ...quotaTexts,
  ...historyTexts,
  ...adminTexts,
  ...commandTexts,
  ...menuTexts,
  ...commandNames,
  ...buttonTexts,
  ...settingsTexts,
} as const satisfies Readonly<Record<string, Message>>;

export type English = typeof english;
export type MessageKey = keyof English;

/**
 * A template written as `'a' + 'b'` is typed `string`, and its placeholders would go unchecked: such a key
 * fails to compile here ("Type '"the.key"' does not satisfy the constraint 'never'").
 */
type WideTemplates = { [K in MessageKey]: string extends English[K] ? K : never }[MessageKey];
type NoneOf<T extends never> = T;
export type CheckedTemplates = NoneOf<WideTemplates>;
