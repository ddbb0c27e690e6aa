/**
 * The locales the bot speaks, keyed by Discord's locale codes (https://discord.com/developers/docs/reference#locales).
 * Only English for now; a member whose locale has no table gets the closest one (same language), else English.
 */
import { english, type English, type MessageKey } from './english.ts';
import type { PluralMessage } from './template.ts';

/** A locale's table: every English key, a template where English has one, plural forms where English has them. */
export type Translation = { readonly [K in MessageKey]: English[K] extends string ? string : PluralMessage };

export const LOCALES = {
  'en-US': english,
} as const satisfies Readonly<Record<string, Translation>>;

export type LocaleTag = keyof typeof LOCALES;
export const FALLBACK_LOCALE: LocaleTag = 'en-US';

const tags = Object.keys(LOCALES) as LocaleTag[];
const isTag = (value: string): value is LocaleTag => (tags as readonly string[]).includes(value);

/**
 * The locale to speak to a member in, from the Discord locale of their interaction or task record:
 * the same tag (`pt-BR`), else one of the same language (`en-GB` → `en-US`, `es-419` → `es-ES`), else English.
 */
export function resolveLocale(discordLocale: string | undefined): LocaleTag {
  if (discordLocale === undefined || discordLocale === '') return FALLBACK_LOCALE;
  if (isTag(discordLocale)) return discordLocale;
  const language = languageOf(discordLocale);
  return tags.find((tag) => languageOf(tag) === language) ?? FALLBACK_LOCALE;
}

function languageOf(tag: string): string {
  return (tag.split(/[-_]/)[0] ?? '').toLowerCase();
}
