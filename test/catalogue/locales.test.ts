/**
 * Every locale of the table says everything English says, with the same placeholders, the same markdown and
 * the plural forms its grammar needs; every Discord locale is answered in one of them. A key English gained
 * and a locale lacks fails here by name ("ja has no translation of modal.prompt"), and fails to compile.
 */
import { Locale } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { t } from '../../src/catalogue/catalogue.ts';
import { localCommandName } from '../../src/catalogue/command-texts.ts';
import { preconditionText } from '../../src/catalogue/render-reply.ts';
import { english } from '../../src/catalogue/english.ts';
import { FALLBACK_LOCALE, LOCALES, memberLocale, resolveLocale } from '../../src/catalogue/locales.ts';
import { messagePlaceholders, PLURAL_CATEGORIES, type Message } from '../../src/catalogue/template.ts';

const englishTable: Readonly<Record<string, Message>> = english;
const englishKeys = Object.keys(english).sort();
const tables = Object.entries(LOCALES) as [string, Readonly<Record<string, Message>>][];
const translations = tables.filter(([tag]) => tag !== FALLBACK_LOCALE);

/** A message's templates: itself, or each plural form it writes out. */
const formsOf = (message: Message): string[] =>
  typeof message === 'string' ? [message] : PLURAL_CATEGORIES.flatMap((category) => message[category] ?? []);

/** The markdown a template relies on: bold, code spans, quoted lines, small-text lines, line breaks. */
function markdownOf(template: string): Record<string, number> {
  const count = (pattern: RegExp) => (template.match(pattern) ?? []).length;
  return {
    bold: count(/\*\*/g),
    code: count(/`/g),
    quote: count(/(^|\n)> /g),
    small: count(/(^|\n)-# /g),
    lines: count(/\n/g),
  };
}

/** The emoji a message opens with (❌, 🚫, ✅, …): members recognise a message's kind by it. */
const opening = (template: string): string => /^\p{Extended_Pictographic}\uFE0F?/u.exec(template)?.[0] ?? '';

it('speaks English, Spanish, Brazilian Portuguese, German, French and Japanese', () => {
  expect(Object.keys(LOCALES).sort()).toEqual(['de', 'en-US', 'es-ES', 'fr', 'ja', 'pt-BR']);
});

describe.each(tables)('locale %s', (tag, table) => {
  it('is a locale Discord sends', () => {
    expect(Object.values(Locale)).toContain(tag);
  });

  it('has no key English lacks', () => {
    expect(Object.keys(table).filter((key) => !(key in englishTable))).toEqual([]);
  });

  it.each(englishKeys)('%s: translated, with the same placeholders and shape as English', (key) => {
    const reference = englishTable[key] as Message;
    const translated = table[key];
    expect(translated, `${tag} has no translation of ${key}`).toBeDefined();
    if (translated === undefined) return;
    expect(typeof translated, `${tag} ${key}: a plural message in English is plural here too`).toBe(typeof reference);
    expect(messagePlaceholders(translated), `${tag} ${key}: placeholders`).toEqual(messagePlaceholders(reference));
    for (const form of formsOf(translated)) expect(form.trim(), `${tag} ${key}: empty`).not.toBe('');
    if (typeof translated === 'string') return;
    expect(typeof reference === 'object' && reference.plural).toBe(translated.plural);
    // Every form the locale's grammar has is written out, and no form it lacks.
    const needed = new Intl.PluralRules(tag, { type: translated.plural }).resolvedOptions().pluralCategories;
    const written = PLURAL_CATEGORIES.filter((category) => translated[category] !== undefined);
    expect([...written].sort()).toEqual([...needed].sort());
  });
});

describe.each(translations)('the %s translation', (tag, table) => {
  it.each(englishKeys)('%s keeps the markdown and the opening emoji of English', (key) => {
    const reference = englishTable[key] as Message;
    const translated = table[key];
    if (translated === undefined) return; // named above
    const englishForm = formsOf(reference)[0] ?? '';
    for (const form of formsOf(translated)) {
      expect(markdownOf(form), `${tag} ${key}: ${form}`).toEqual(markdownOf(englishForm));
      expect(opening(form), `${tag} ${key}`).toBe(opening(englishForm));
    }
  });

  /** The locale's names of the commands and options (`name.*`): what its members see in the command list. */
  const names = new Set(Object.entries(table).flatMap(([key, message]) => (key.startsWith('name.') ? formsOf(message) : [])));

  it('names commands the way its command list shows them (/アニメ化, not /animate)', () => {
    const mentioned = Object.entries(table).flatMap(([key, message]) =>
      formsOf(message).flatMap((form) => [...form.matchAll(/(?<![\p{L}\p{N}/:])\/([-_\p{L}\p{N}]+)/gu)].map((m) => [key, m[1] ?? ''])),
    );
    expect(mentioned.length).toBeGreaterThan(10);
    expect(mentioned.filter(([, name]) => !names.has(name ?? ''))).toEqual([]);
  });

  it('quotes options the way its command list shows them (`unités`, `illimité: True`)', () => {
    const quoted = Object.entries(table).flatMap(([key, message]) =>
      formsOf(message).flatMap((form) => [...form.matchAll(/`([^`:]+)(?::[^`]*)?`/gu)].map((m) => [key, m[1] ?? ''])),
    );
    expect(quoted.length).toBeGreaterThan(10);
    expect(quoted.filter(([, name]) => !names.has(name ?? ''))).toEqual([]);
  });

  it('quotes a choice by its name in the list (`action: allow everywhere`)', () => {
    const quoted = Object.values(table).flatMap((message) => formsOf(message).flatMap((form) => [...form.matchAll(/`[^`:]+: ([^`]+)`/gu)]));
    const choices = new Set(Object.entries(table).flatMap(([key, message]) => (key.startsWith('command.') ? formsOf(message) : [])));
    for (const [whole, value] of quoted) if (value !== 'True') expect(choices, whole).toContain(value);
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

  it('matches on the language when the region differs', () => {
    expect(resolveLocale('es-419')).toBe('es-ES');
    expect(resolveLocale('pt-PT')).toBe('pt-BR');
    expect(resolveLocale('en-GB')).toBe('en-US');
    expect(resolveLocale('de-AT')).toBe('de');
    expect(resolveLocale('fr-CA')).toBe('fr');
    expect(resolveLocale('ja-JP')).toBe('ja');
  });

  it("falls back to the server's locale, then to English", () => {
    expect(resolveLocale('ko', 'ja')).toBe('ja');
    expect(resolveLocale(undefined, 'es-419')).toBe('es-ES');
    expect(resolveLocale('fr', 'ja')).toBe('fr');
    expect(resolveLocale('ko', 'zh-CN')).toBe('en-US');
    expect(resolveLocale('ko', null)).toBe('en-US');
  });

  it('falls back to English for no locale, an empty one, or one nobody speaks', () => {
    expect(FALLBACK_LOCALE).toBe('en-US');
    for (const locale of [undefined, '', 'tlh', 'xx-YY']) expect(resolveLocale(locale)).toBe('en-US');
  });
});

describe('the locale kept for a member (replies and the task record)', () => {
  it("is the member's own when the bot speaks its language, region and all", () => {
    expect(memberLocale('es-419', 'ja')).toBe('es-419');
    expect(memberLocale('en-GB', 'de')).toBe('en-GB');
  });

  it("is the server's when the bot does not speak the member's", () => {
    expect(memberLocale('ko', 'ja')).toBe('ja');
  });

  it("is the member's own, told in English, when the bot speaks neither", () => {
    expect(memberLocale('ko', 'zh-TW')).toBe('ko');
    expect(t(memberLocale('ko', 'zh-TW'), 'cancel.button')).toBe('Cancel');
  });
});

describe('numbers', () => {
  it('counts units in the singular and the plural, in each language', () => {
    expect(t('en-US', 'number.units', { count: 0 })).toBe('0 units');
    expect(t('en-US', 'number.units', { count: 1 })).toBe('1 unit');
    expect(t('en-US', 'number.units', { count: 2 })).toBe('2 units');
    expect(t('en-GB', 'final.refund', { count: 1 })).toBe('Your 1 unit was refunded.');
    expect(t('ja', 'final.refund', { count: 2 })).toBe('2 ユニットを返却しました。');
    expect(t('es-419', 'number.units', { count: 1 })).toBe('1 unidad');
    expect(t('es-ES', 'number.units', { count: 1_000_000 })).toBe('1.000.000 unidades');
    expect(t('fr', 'number.units', { count: 0 })).toBe('0 unité');
    expect(t('de', 'number.units', { count: 2 })).toBe('2 Einheiten');
    expect(t('pt-BR', 'number.units', { count: 1 })).toBe('1 unidade');
  });

  it('writes ordinals', () => {
    const ordinals = [1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101, 111, 112].map((count) => t('en-US', 'number.ordinal', { count }));
    expect(ordinals).toEqual(['1st', '2nd', '3rd', '4th', '11th', '12th', '13th', '21st', '22nd', '23rd', '101st', '111th', '112th']);
    expect([1, 2].map((count) => t('fr', 'number.ordinal', { count }))).toEqual(['1er', '2e']);
    expect(t('de', 'number.ordinal', { count: 3 })).toBe('3.');
    expect(t('ja', 'number.ordinal', { count: 3 })).toBe('3 番目');
  });
});

describe('commands named in a message', () => {
  it("are named as the member's command list shows them", () => {
    expect(preconditionText('manage_guild', '/animate-admin', 'ja')).toBe(
      '🚫 /アニメ化-管理 は「サーバー管理」権限を持つメンバーのみ使えます。',
    );
    expect(preconditionText('guild_only', '/animate-quota', 'es-419')).toBe('/animar-cupo solo funciona en servidores.');
    expect(preconditionText('guild_only', '/animate-quota', 'en-GB')).toBe('/animate-quota works in servers only.');
  });

  it('keep a name the catalogue does not know', () => {
    expect(localCommandName('animate-something-new', 'de')).toBe('animate-something-new');
  });
});
