/**
 * Message templates in the Fluent spirit: a key, a text with named `{placeholders}`, and nothing else.
 * The placeholders of an English template are read off its literal type, so `format` refuses a call that
 * forgets one; other locales must use the same names (checked by test/catalogue).
 */

/** The names between braces in a template, e.g. `'{width}x{height}'` → `'width' | 'height'`. */
export type PlaceholderNames<T extends string> = T extends `${string}{${infer Name}}${infer Rest}` ? Name | PlaceholderNames<Rest> : never;

export type Values<T extends string> = [PlaceholderNames<T>] extends [never]
  ? Record<string, never>
  : Record<PlaceholderNames<T>, string | number>;

/** CLDR plural categories (`Intl.PluralRules#select`); a locale uses the ones its grammar needs. */
export type PluralCategory = Intl.LDMLPluralRule;
export const PLURAL_CATEGORIES: readonly PluralCategory[] = ['zero', 'one', 'two', 'few', 'many', 'other'];

/**
 * A message whose wording depends on a number, `{count}`: cardinal ("1 unit", "2 units") or ordinal
 * ("1st", "2nd"). Each locale lists the categories its grammar has (`Intl.PluralRules`); `other` is required.
 */
export type PluralMessage = { readonly plural: 'cardinal' | 'ordinal'; readonly other: string } & Readonly<
  Partial<Record<Exclude<PluralCategory, 'other'>, string>>
>;

/** One entry of a locale's table: a template, or a template per plural category. */
export type Message = string | PluralMessage;

/** The templates of a message: itself, or each of its plural forms. */
export type TemplatesOf<M> = M extends string ? M : M extends PluralMessage ? Extract<M[Extract<keyof M, PluralCategory>], string> : never;

const PLACEHOLDER = /\{([a-zA-Z][a-zA-Z0-9_]*)\}/g;

/** Fills a template's placeholders; one that has no value is left visible rather than dropped. */
export function fillTemplate(template: string, values: Readonly<Record<string, string | number>>): string {
  return template.replace(PLACEHOLDER, (whole, name: string) => {
    const value = values[name];
    return value === undefined ? whole : String(value);
  });
}

/** The placeholder names a template uses, sorted (for checking that translations keep them). */
export function placeholdersOf(template: string): string[] {
  return [...new Set([...template.matchAll(PLACEHOLDER)].map((m) => m[1] ?? ''))].sort();
}

/** The placeholder names of a message, over all its plural forms. */
export function messagePlaceholders(message: Message): string[] {
  if (typeof message === 'string') return placeholdersOf(message);
  const forms = PLURAL_CATEGORIES.map((category) => message[category]).filter((form) => form !== undefined);
  return [...new Set(forms.flatMap(placeholdersOf))].sort();
}
