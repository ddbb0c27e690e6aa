/**
 * Names, descriptions and choice names for the command builders in commands/: English as the default, and
 * every other locale of the table as Discord's `name_localizations` / `description_localizations`, so the
 * command list reads, and is typed, in each member's language. The name in code stays the one the router
 * reads back (`interaction.commandName`, `options.getString('prompt')`): Discord answers with it whatever
 * the member typed.
 */
import type { APIApplicationCommandOptionChoice, LocalizationMap } from 'discord.js';
import type { commandTexts } from './en/commands.ts';
import { english, type MessageKey } from './english.ts';
import { FALLBACK_LOCALE, LOCALES, resolveLocale, type Translation } from './locales.ts';

export type CommandTextKey = keyof typeof commandTexts;

/** The key's text in every locale but the fallback, or undefined when there is no other. */
export function commandLocalizations(key: MessageKey): LocalizationMap | undefined {
  const tables: Readonly<Record<string, Translation>> = LOCALES;
  const others = Object.entries(tables).filter(([locale]) => locale !== FALLBACK_LOCALE);
  return others.length === 0 ? undefined : Object.fromEntries(others.map(([locale, table]) => [locale, text(table[key])]));
}

function text(message: Translation[MessageKey]): string {
  return typeof message === 'string' ? message : message.other;
}

const isMessageKey = (key: string): key is MessageKey => Object.hasOwn(english, key);

/** The catalogue key of a command's or option's name (`name.prompt`), when the catalogue has it. */
function nameKey(name: string): MessageKey | undefined {
  const key = `name.${name}`;
  return isMessageKey(key) ? key : undefined;
}

/**
 * A command or option name as members of `locale` see it in their command list (`animate` → `アニメ化` in
 * Japanese), for messages that name a command; the name itself when it has no translation.
 */
export function localCommandName(name: string, locale: string | undefined): string {
  const key = nameKey(name);
  return key ? text(LOCALES[resolveLocale(locale)][key]) : name;
}

interface Nameable {
  readonly name: string;
  setNameLocalizations(localizations: LocalizationMap | null): this;
}

interface Describable extends Nameable {
  setDescription(description: string): this;
  setDescriptionLocalizations(localizations: LocalizationMap | null): this;
}

/**
 * Sets the translations of a builder's name from the catalogue (`name.<name>`): call it after `setName`.
 * For a builder without a description (a context-menu command); `described` does it for the others. A name
 * the catalogue lacks stays English-only, and test/catalogue/discord-limits fails naming it.
 */
export function named<B extends Nameable>(builder: B): B {
  const key = nameKey(builder.name);
  const names = key ? commandLocalizations(key) : undefined;
  return names ? builder.setNameLocalizations(names) : builder;
}

/** Sets a builder's description (command, subcommand or option) and its name's translations, in every locale. */
export function described<B extends Describable>(builder: B, key: CommandTextKey): B {
  const described = builder.setDescription(english[key]);
  const localizations = commandLocalizations(key);
  return named(localizations ? described.setDescriptionLocalizations(localizations) : described);
}

/** A choice of a string option, named from the catalogue in every locale. */
export function choice<V extends string>(key: CommandTextKey, value: V): APIApplicationCommandOptionChoice<V> {
  const localizations = commandLocalizations(key);
  return { name: english[key], value, ...(localizations ? { name_localizations: localizations } : {}) };
}
