/**
 * The catalogue's API: `t(locale, key, values)` words one message in a member's locale, with `values`
 * type-checked against the English template's placeholders. Plural messages pick their form with
 * `Intl.PluralRules` for the locale; numbers are written the locale's way.
 */
import type { English, MessageKey } from './english.ts';
import { LOCALES, resolveLocale, type LocaleTag, type Translation } from './locales.ts';
import { fillTemplate, type Message, type PlaceholderNames, type PluralMessage, type TemplatesOf, type Values } from './template.ts';

export type { MessageKey } from './english.ts';
export { resolveLocale, type LocaleTag } from './locales.ts';

/** The values a message needs: one per placeholder, and a numeric `count` for a plural message. */
export type MessageValues<K extends MessageKey> = English[K] extends PluralMessage
  ? Values<TemplatesOf<English[K]>> & { count: number }
  : Values<TemplatesOf<English[K]>>;

/** No argument for a message without placeholders; its values otherwise. */
export type ValuesArg<K extends MessageKey> = [PlaceholderNames<TemplatesOf<English[K]>>] extends [never] ? [] : [values: MessageValues<K>];

type AnyValues = Readonly<Record<string, string | number>>;

/** The messages of one locale, with that locale's number, plural and list rules. */
export class Catalogue {
  readonly locale: LocaleTag;
  readonly #table: Translation;
  readonly #numbers: Intl.NumberFormat;
  readonly #cardinal: Intl.PluralRules;
  readonly #ordinal: Intl.PluralRules;
  readonly #lists: Intl.ListFormat;

  constructor(locale: LocaleTag) {
    this.locale = locale;
    this.#table = LOCALES[locale];
    this.#numbers = new Intl.NumberFormat(locale);
    this.#cardinal = new Intl.PluralRules(locale, { type: 'cardinal' });
    this.#ordinal = new Intl.PluralRules(locale, { type: 'ordinal' });
    // `unit` lists join without "and" ("a, b, c"): right for mentions and figures.
    this.#lists = new Intl.ListFormat(locale, { type: 'unit', style: 'short' });
  }

  /** One message, its placeholders filled; numbers among the values are written the locale's way. */
  t<K extends MessageKey>(key: K, ...args: ValuesArg<K>): string {
    const values: AnyValues = (args as [AnyValues?])[0] ?? {};
    const message: Message = this.#table[key];
    const template = typeof message === 'string' ? message : this.#form(message, values.count);
    const formatted = Object.fromEntries(
      Object.entries(values).map(([name, value]) => [name, typeof value === 'number' ? this.number(value) : value]),
    );
    return fillTemplate(template, formatted);
  }

  /** A number the locale's way (`1,234.5` in English). */
  number(value: number): string {
    return this.#numbers.format(value);
  }

  /** A number with exactly `digits` decimals (`15.0`). */
  fixed(value: number, digits: number): string {
    return new Intl.NumberFormat(this.locale, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value);
  }

  /** Items joined the locale's way, without a conjunction. */
  list(items: readonly string[]): string {
    return this.#lists.format(items);
  }

  #form(message: PluralMessage, count: string | number | undefined): string {
    if (typeof count !== 'number') return message.other;
    const category = (message.plural === 'ordinal' ? this.#ordinal : this.#cardinal).select(count);
    return message[category] ?? message.other;
  }
}

const catalogues = new Map<LocaleTag, Catalogue>();

/** The catalogue for a member's Discord locale (`interaction.locale`, `task.locale`); English when there is none. */
export function catalogue(discordLocale: string | undefined): Catalogue {
  const locale = resolveLocale(discordLocale);
  let found = catalogues.get(locale);
  if (!found) {
    found = new Catalogue(locale);
    catalogues.set(locale, found);
  }
  return found;
}

/** One message in a member's locale: `t(interaction.locale, 'cancel.finished')`, `t(task.locale, 'number.units', { count: 2 })`. */
export function t<K extends MessageKey>(discordLocale: string | undefined, key: K, ...args: ValuesArg<K>): string {
  return catalogue(discordLocale).t(key, ...args);
}
