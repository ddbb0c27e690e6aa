/**
 * Every locale of the table says everything English says, with the same placeholders, and with the plural
 * forms its grammar needs; every Discord locale is answered in one of them.
 */
import { Locale } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { t } from '../../src/catalogue/catalogue.ts';
import { english } from '../../src/catalogue/english.ts';
import { FALLBACK_LOCALE, LOCALES, resolveLocale } from '../../src/catalogue/locales.ts';
import { messagePlaceholders, PLURAL_CATEGORIES, type Message } from '../../src/catalogue/template.ts';

const englishKeys = Object.keys(english).sort();
const tables = Object.entries(LOCALES) as [string, Readonly<Record<string, Message>>][];

describe.each(tables)('locale %s', (tag, table) => {
  it('is a locale Discord sends', () => {
    expect(Object.values(Locale)).toContain(tag);
  });

  it('has exactly the keys English has', () => {
    expect(Object.keys(table).sort()).toEqual(englishKeys);
  });

  it.each(englishKeys)('%s: same placeholders and shape as English', (key) => {
    const reference = (english as Readonly<Record<string, Message>>)[key] as Message;
    const translated = table[key] as Message;
    expect(typeof translated).toBe(typeof reference);
    expect(messagePlaceholders(translated)).toEqual(messagePlaceholders(reference));
    if (typeof translated === 'string') {
      expect(translated.trim()).not.toBe('');
      return;
    }
    expect(typeof reference === 'object' && reference.plural).toBe(translated.plural);
    // Every form the locale's grammar has is written out, and no form it lacks.
    const needed = new Intl.PluralRules(tag, { type: translated.plural }).resolvedOptions().pluralCategories;
    const written = PLURAL_CATEGORIES.filter((category) => translated[category] !== undefined);
    expect([...written].sort()).toEqual([...needed].sort());
  });
});

describe('resolveLocale', () => {
  it('keeps a locale the table has', () => {
    for (const tag of Object.keys(LOCALES)) expect(resolveLocale(tag)).toBe(tag);
  });

  it('answers every Discord locale with one of the table, English variants in English', () => {
    for (const locale of Object.values(Locale)) {
      expect(Object.keys(LOCALES)).toContain(resolveLocale(locale));
      if (locale.startsWith('en')) expect(resolveLocale(locale)).toBe('en-US');
    }
  });

  it('falls back to English for no locale, an empty one, or one nobody speaks', () => {
    expect(FALLBACK_LOCALE).toBe('en-US');
    for (const locale of [undefined, '', 'tlh', 'xx-YY']) expect(resolveLocale(locale)).toBe('en-US');
  });
});

describe('numbers in English', () => {
  it('counts units in the singular and the plural', () => {
    expect(t('en-US', 'number.units', { count: 0 })).toBe('0 units');
    expect(t('en-US', 'number.units', { count: 1 })).toBe('1 unit');
    expect(t('en-US', 'number.units', { count: 2 })).toBe('2 units');
    expect(t('en-GB', 'final.refund', { count: 1 })).toBe('Your 1 unit was refunded.');
    expect(t('ja', 'final.refund', { count: 2 })).toBe('Your 2 units were refunded.');
  });

  it('writes ordinals', () => {
    const ordinals = [1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101, 111, 112].map((count) => t('en-US', 'number.ordinal', { count }));
    expect(ordinals).toEqual(['1st', '2nd', '3rd', '4th', '11th', '12th', '13th', '21st', '22nd', '23rd', '101st', '111th', '112th']);
  });
});
