/**
 * The locales the bot speaks, keyed by Discord's locale codes (https://discord.com/developers/docs/reference#locales).
 * A member whose locale has no table gets one of the same language (`es-419` → `es-ES`, `pt-PT` → `pt-BR`,
 * `en-GB` → `en-US`), else the server's locale, else English.
 */
import { english, type English, type MessageKey } from './english.ts';
import type { PluralMessage } from './template.ts';
import { de } from './translations/de.ts';
import { esES } from './translations/es-ES.ts';
import { fr } from './translations/fr.ts';
import { ja } from './translations/ja.ts';
import { ptBR } from './translations/pt-BR.ts';

/**
 * A locale's table: every English key, a template where English has one, plural forms where English has them.
 * A key English gained and a locale lacks fails to compile here, naming the key, and fails test/catalogue.
 */
export type Translation = { readonly [K in MessageKey]: English[K] extends string ? string : PluralMessage };

export const LOCALES = {
  'en-US': english,
  'es-ES': esES,
  'pt-BR': ptBR,
  de,
  fr,
  ja,
} as const satisfies Readonly<Record<string, Translation>>;

export type LocaleTag = keyof typeof LOCALES;
export const FALLBACK_LOCALE: LocaleTag = 'en-US';

const tags = Object.keys(LOCALES) as LocaleTag[];
const isTag = (value: string): value is LocaleTag => (tags as readonly string[]).includes(value);

/** The table for one Discord locale: the same tag (`pt-BR`), else one of the same language (`es-419` → `es-ES`). */
function tableFor(discordLocale: string | null | undefined): LocaleTag | undefined {
  if (discordLocale === undefined || discordLocale === null || discordLocale === '') return undefined;
  if (isTag(discordLocale)) return discordLocale;
  const language = languageOf(discordLocale);
  return tags.find((tag) => languageOf(tag) === language);
}

/**
 * The locale to speak to a member in: the first of the given Discord locales with a table (the member's
 * own, then their server's: `interaction.locale`, `interaction.guildLocale`), else English.
 */
export function resolveLocale(...discordLocales: readonly (string | null | undefined)[]): LocaleTag {
  for (const locale of discordLocales) {
    const found = tableFor(locale);
    if (found) return found;
  }
  return FALLBACK_LOCALE;
}

/** Whether a Discord locale is spoken (by its own table or one of its language). */
export function speaks(discordLocale: string | null | undefined): boolean {
  return tableFor(discordLocale) !== undefined;
}

function languageOf(tag: string): string {
  return (tag.split(/[-_]/)[0] ?? '').toLowerCase();
}

/**
 * The Discord locale to keep for a member (in replies and in the task record): their own when the bot speaks
 * its language, else their server's when it does, else their own (told in English).
 */
export function memberLocale(own: string | null | undefined, server: string | null | undefined): string {
  if (speaks(own)) return own ?? FALLBACK_LOCALE;
  if (speaks(server)) return server ?? FALLBACK_LOCALE;
  return own ?? FALLBACK_LOCALE;
}
