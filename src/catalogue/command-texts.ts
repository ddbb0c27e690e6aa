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

interface Describable {
  readonly name: string;
  setDescription(description: string): this;
  setDescriptionLocalizations(localizations: LocalizationMap | null): this;
  setNameLocalizations(localizations: LocalizationMap | null): this;
}

/**
 * Sets a builder's description (command, subcommand or option) from the catalogue, in every locale, and
 * its name's translations (`name.<name>`): call it after `setName`. A name the catalogue lacks stays
 * English-only, and test/catalogue/discord-limits fails naming it.
 */
export function described<B extends Describable>(builder: B, key: CommandTextKey): B {
  let described = builder.setDescription(english[key]);
  const localizations = commandLocalizations(key);
  if (localizations) described = described.setDescriptionLocalizations(localizations);
  const name = nameKey(builder.name);
  const names = name ? commandLocalizations(name) : undefined;
  return names ? described.setNameLocalizations(names) : described;
}

/** A choice of a string option, named from the catalogue in every locale. */
export function choice<V extends string>(key: CommandTextKey, value: V): APIApplicationCommandOptionChoice<V> {
  const localizations = commandLocalizations(key);
  return { name: english[key], value, ...(localizations ? { name_localizations: localizations } : {}) };
}
