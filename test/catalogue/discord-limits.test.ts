/**
 * Every text the bot can send, at its largest, fits Discord's limits: 2000 characters of message content;
 * 1–32 for command and option names; 1–100 for descriptions and choice names; 80 for a button label.
 * Checked in every locale of the table, and for a locale that falls back to English.
 */
import type { APIApplicationCommandOption, RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { FALLBACK_LOCALE, LOCALES } from '../../src/catalogue/locales.ts';
import { adminAnswerText } from '../../src/catalogue/render-admin.ts';
import { renderFailure } from '../../src/catalogue/render-failure.ts';
import { refusalText, standingText } from '../../src/catalogue/render-quota.ts';
import {
  cancelAnswer,
  cancelButtonLabel,
  directDeliveryText,
  genericApology,
  lateDeliveryText,
  optionProblemText,
  replyText,
  notEnabledText,
  restartingText,
  preconditionText,
} from '../../src/catalogue/render-reply.ts';
import { historyText, resendButtonLabel, resendText, retryButtonLabel, retryRefusalText } from '../../src/catalogue/render-history.ts';
import { commands, messageCommands } from '../../src/command-registry.ts';
import { menuFormTexts, menuRefusalText } from '../../src/catalogue/render-menu.ts';
import { deleteRefusalText, remixFormTexts, rerollRefusalText, resultButtonLabels } from '../../src/catalogue/render-buttons.ts';
import { settingsText } from '../../src/catalogue/render-settings.ts';
import {
  allAdminAnswers,
  allFailures,
  allHistoryRecords,
  allRefusals,
  CANCEL_OUTCOMES,
  ID,
  OPTION_PROBLEMS,
  PROMPT,
  RESEND_OUTCOMES,
  RETRY_REFUSALS,
  STANDINGS,
  VIEWS,
} from './largest-outcomes.ts';

const MESSAGE_MAX = 2000;
/** Every table, and locales that fall back: to a table of the same language, or to English. */
const locales = [...Object.keys(LOCALES), 'es-419', 'en-GB', 'ko', undefined];

/** Every message text, labelled for the failure report. */
function everyMessage(locale: string | undefined): [string, string][] {
  const texts: [string, string][] = [];
  const add = (label: string, text: string | undefined) => {
    if (text !== undefined) texts.push([label, text]);
  };
  for (const failure of allFailures) add(`failure ${failure.kind}`, renderFailure(failure, locale));
  for (const view of Object.values(VIEWS).flat()) {
    const reply = replyText(view, PROMPT, locale);
    add(`reply ${view.kind}`, reply);
    add(`late reply ${view.kind}`, lateDeliveryText(reply, ID, locale));
    add(`direct message ${view.kind}`, directDeliveryText(reply, ID, locale));
  }
  for (const refusal of allRefusals)
    for (const period of ['day', 'week', 'month'] as const) add(`refusal ${refusal.kind}`, refusalText(refusal, period, locale));
  for (const standing of STANDINGS) add('standing', standingText(standing, { running: Number.MAX_SAFE_INTEGER, waiting: 0 }, locale));
  for (const answer of allAdminAnswers) {
    add(`admin ${answer.kind}`, adminAnswerText(answer, locale));
    add(`admin ${answer.kind} with the ceiling note`, adminAnswerText(answer, locale, Number.MAX_SAFE_INTEGER));
  }
  for (const outcome of CANCEL_OUTCOMES) add(`cancel ${outcome}`, cancelAnswer(outcome, locale));
  for (const problem of Object.values(OPTION_PROBLEMS)) add(`option ${problem.field}`, optionProblemText(problem, locale));
  add('apology', genericApology('x'.repeat(64), locale));
  add('servers only', preconditionText('guild_only', '/animate-admin', locale));
  add('needs Manage Server', preconditionText('manage_guild', '/animate-admin', locale));
  add('not enabled', notEnabledText(locale));
  add('restarting', restartingText(locale));
  // Ten generations (the most /animate-history lists), each state and failure at its longest.
  for (const record of allHistoryRecords) {
    add(
      `history ${record.state} ${'failure' in record ? record.failure.kind : ''}`,
      historyText(Array(10).fill(record), () => true, locale),
    );
  }
  add(
    'history of every state',
    historyText(allHistoryRecords.slice(-10), () => true, locale),
  );
  add(
    'history, empty',
    historyText([], () => true, locale),
  );
  for (const outcome of RESEND_OUTCOMES)
    add(`resend ${outcome.kind === 'found' ? outcome.view.kind : outcome.why}`, resendText(outcome, locale));
  for (const why of RETRY_REFUSALS) add(`retry ${why}`, retryRefusalText(why, locale));
  for (const refusal of ['no_picture', 'expired', 'duration'] as const) add(`menu ${refusal}`, menuRefusalText(refusal, locale));
  for (const why of ['not_found', 'expired'] as const) add(`result ${why}`, rerollRefusalText(why, locale));
  add('result delete refused', deleteRefusalText(locale));
  // The longest defaults a member can set: a 2500-character negative prompt full of characters that get escaped.
  const longest = { duration: '10', cfgScale: 0.123456789, negativePrompt: '*@'.repeat(1250) } as const;
  for (const kind of ['current', 'saved'] as const) {
    add(`settings ${kind}`, settingsText({ kind, defaults: longest }, locale));
    add(`settings ${kind}, none`, settingsText({ kind, defaults: {} }, locale));
  }
  add('settings reset', settingsText({ kind: 'reset' }, locale));
  return texts;
}

describe.each(locales)('in locale %s, every message', (locale) => {
  const texts = everyMessage(locale);

  it('is covered: every kind of outcome, view, refusal and answer is rendered', () => {
    expect(texts.length).toBeGreaterThan(150);
  });

  it.each(texts)('%s fits in one Discord message and says something', (_label, text) => {
    expect(text.length).toBeLessThanOrEqual(MESSAGE_MAX);
    expect(text.trim()).not.toBe('');
  });

  it('fills every placeholder', () => {
    for (const [label, text] of texts) expect(text, label).not.toMatch(/\{[a-zA-Z][a-zA-Z0-9_]*\}/);
  });

  it.each<[string, string]>([
    ['Cancel', cancelButtonLabel(locale)],
    ['Try again', retryButtonLabel(locale)],
    ['Send 10 again', resendButtonLabel(10, locale)],
    ['Send n again', resendButtonLabel(Number.MAX_SAFE_INTEGER, locale)],
    ...Object.entries(resultButtonLabels(locale)),
  ])('has a %s button label within 80 characters', (_name, label) => {
    expect(label.length).toBeGreaterThan(0);
    expect(label.length).toBeLessThanOrEqual(80);
  });
});

describe.each(locales)('in locale %s, the Remix form', (locale) => {
  const texts = remixFormTexts(locale);

  it.each([texts.title, texts.prompt, texts.negativePrompt])('"%s" fits a title or label (1–45 characters)', (text) => {
    expect(text.length).toBeGreaterThanOrEqual(1);
    expect(text.length).toBeLessThanOrEqual(45);
  });

  it('has a placeholder of at most 100 characters', () => {
    expect(texts.negativePromptPlaceholder.length).toBeGreaterThanOrEqual(1);
    expect(texts.negativePromptPlaceholder.length).toBeLessThanOrEqual(100);
  });
});

describe.each(locales)('in locale %s, the Animate form', (locale) => {
  const texts = menuFormTexts(locale);

  it.each([texts.title, texts.prompt, texts.duration, texts.negativePrompt])('"%s" fits a title or label (1–45 characters)', (text) => {
    expect(text.length).toBeGreaterThanOrEqual(1);
    expect(text.length).toBeLessThanOrEqual(45);
  });

  it.each([texts.promptPlaceholder, texts.durationPlaceholder, texts.negativePromptPlaceholder])(
    '"%s" fits a placeholder (at most 100 characters)',
    (text) => {
      expect(text.length).toBeGreaterThanOrEqual(1);
      expect(text.length).toBeLessThanOrEqual(100);
    },
  );
});

describe.each(messageCommands.map((c) => [c.data.name, c.data.toJSON()] as const))('the %s message menu registration', (_name, json) => {
  it('has a name of 1–32 characters, shown as it is in Apps (capitals and spaces allowed), and no description', () => {
    expect(json.name.length).toBeGreaterThanOrEqual(1);
    expect(json.name.length).toBeLessThanOrEqual(32);
    expect(json.type).toBe(3);
    expect(json).not.toHaveProperty('description');
  });
});

describe('the reply to the largest failure', () => {
  it('cuts a 2000-character provider reason to about 300 characters, on one line', () => {
    const text = renderFailure({ kind: 'generation_failed', reason: `  lots\n\n of\twhitespace ${'word '.repeat(400)}` }, 'en-US');
    expect(text).toMatch(/^The video service could not make this video: lots of whitespace word word/);
    expect(text).toMatch(/…$/);
    expect(text.length).toBeLessThan(400);
    expect(text).not.toMatch(/\s{2}|\n|\t/);
  });
});

type Option = APIApplicationCommandOption;

/** Discord's rule for command and option names, in every locale. */
const DISCORD_NAME = /^[-_\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;
/** The locales other than English: each command, option and choice is named and described in all of them. */
const translatedLocales = Object.keys(LOCALES)
  .filter((tag) => tag !== FALLBACK_LOCALE)
  .sort();

interface Choice {
  name: string;
  name_localizations?: Record<string, string | null>;
}

interface Walked {
  path: string;
  item: { name: string; description: string } & Partial<Option>;
}

/** Every command, subcommand and option of a command's registration payload, with its path for the report. */
function walk(command: RESTPostAPIChatInputApplicationCommandsJSONBody): Walked[] {
  const found: Walked[] = [];
  const visit = (path: string, option: Option) => {
    found.push({ path: `${path} ${option.name}`, item: option });
    if ('options' in option && option.options) for (const child of option.options) visit(`${path} ${option.name}`, child);
  };
  found.push({
    path: `/${command.name}`,
    item: {
      name: command.name,
      description: command.description,
      ...(command.name_localizations ? { name_localizations: command.name_localizations } : {}),
      ...(command.description_localizations ? { description_localizations: command.description_localizations } : {}),
    },
  });
  for (const option of command.options ?? []) visit(`/${command.name}`, option);
  return found;
}

describe.each(commands.map((c) => [c.data.name, c.data.toJSON()] as const))('/%s registration', (_name, json) => {
  const items = walk(json);

  it.each(items.map(({ path, item }) => [path, item] as const))(
    '%s has a name of 1–32 and a description of 1–100 characters',
    (_path, item) => {
      expect(item.name.length).toBeGreaterThanOrEqual(1);
      expect(item.name.length).toBeLessThanOrEqual(32);
      expect(item.name).toMatch(/^[-_\p{Ll}\p{N}]{1,32}$/u);
      expect(item.description.length).toBeGreaterThanOrEqual(1);
      expect(item.description.length).toBeLessThanOrEqual(100);
      for (const localized of Object.values(item.description_localizations ?? {})) {
        expect(localized?.length).toBeGreaterThanOrEqual(1);
        expect(localized?.length).toBeLessThanOrEqual(100);
      }
    },
  );

  // Discord allows 100, but the phone app cuts descriptions near 50 (issue "A newcomer's first hour", finding 7).
  it.each(items.map(({ path, item }) => [path, item] as const))('%s has a description a phone shows whole (at most 50)', (_path, item) => {
    expect(item.description.length).toBeLessThanOrEqual(50);
    for (const localized of Object.values(item.description_localizations ?? {})) expect(localized?.length).toBeLessThanOrEqual(50);
  });

  // https://discord.com/developers/docs/interactions/application-commands#application-command-object-application-command-naming
  it.each(items.map(({ path, item }) => [path, item] as const))(
    '%s has a name in every locale, as Discord accepts names: lowercase, no spaces, 1–32 characters',
    (path, item) => {
      const localized = item.name_localizations ?? {};
      expect(Object.keys(localized).sort(), `${path}: a "name.${item.name}" key in the catalogue`).toEqual(translatedLocales);
      for (const [locale, name] of Object.entries(localized)) {
        expect(name, `${path} in ${locale}`).toMatch(DISCORD_NAME);
        expect(name, `${path} in ${locale}`).toBe(name?.toLowerCase());
      }
      expect(Object.keys(item.description_localizations ?? {}).sort(), `${path}: described in every locale`).toEqual(translatedLocales);
    },
  );

  it('has no two options or subcommands of one name side by side, in any locale', () => {
    const siblings = (options: readonly Option[] | undefined) => {
      for (const locale of translatedLocales) {
        const names = (options ?? []).map(
          (o) => (o.name_localizations as Readonly<Record<string, string | null>> | undefined)?.[locale] ?? o.name,
        );
        expect(new Set(names).size, `${locale}: ${names.join(', ')}`).toBe(names.length);
      }
      for (const option of options ?? []) if ('options' in option) siblings(option.options);
    };
    siblings(json.options);
  });

  it('has choice names of 1–100 characters, in every locale', () => {
    const choices = items.flatMap(({ item }) => ('choices' in item && Array.isArray(item.choices) ? (item.choices as Choice[]) : []));
    for (const choice of choices) {
      expect(choice.name.length).toBeGreaterThanOrEqual(1);
      expect(choice.name.length).toBeLessThanOrEqual(100);
      expect(Object.keys(choice.name_localizations ?? {}).sort(), choice.name).toEqual(translatedLocales);
      for (const localized of Object.values(choice.name_localizations ?? {})) {
        expect(localized?.length).toBeGreaterThanOrEqual(1);
        expect(localized?.length).toBeLessThanOrEqual(100);
      }
    }
  });
});

it('registers the commands with the descriptions of the catalogue', () => {
  expect(commands.map((c) => c.data.name).sort()).toEqual([
    'animate',
    'animate-admin',
    'animate-history',
    'animate-quota',
    'animate-settings',
  ]);
  const animate = commands.find((c) => c.data.name === 'animate')?.data.toJSON();
  expect(animate?.description).toBe('Turn a picture into a short video');
  expect(animate?.options?.find((o) => o.name === 'duration')).toMatchObject({
    choices: [
      { name: '5 seconds (1 unit)', value: '5' },
      { name: '10 seconds (2 units)', value: '10' },
    ],
  });
  expect(animate?.options?.find((o) => o.name === 'image')?.description).toBe('A photo or picture, at least 300x300');
  expect(messageCommands.map((c) => c.data.name)).toEqual(['Animate']);
});

it('registers each command, option and choice under its English name, translated in every locale', () => {
  const animate = commands.find((c) => c.data.name === 'animate')?.data.toJSON();
  expect(animate?.name_localizations).toMatchObject({
    ja: 'アニメ化',
    'es-ES': 'animar',
    'pt-BR': 'animar',
    de: 'animieren',
    fr: 'animer',
  });
  expect(animate?.description_localizations?.ja).toBe('画像を短い動画に変えます');
  const prompt = animate?.options?.find((o) => o.name === 'prompt');
  expect(prompt?.name_localizations?.ja).toBe('プロンプト');
  const duration = animate?.options?.find((o) => o.name === 'duration');
  expect(duration && 'choices' in duration ? duration.choices?.[1] : undefined).toMatchObject({
    name: '10 seconds (2 units)',
    value: '10',
    name_localizations: { ja: '10 秒（2 ユニット）', fr: '10 secondes (2 unités)' },
  });
});
