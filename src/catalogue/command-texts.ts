/**
 * Descriptions and choice names for the command builders in commands/: English as the default, and every
 * other locale of the table as Discord's `description_localizations` / `name_localizations`, so the command
 * list reads in each member's language. Command, option and choice names stay in code.
 */
import type { APIApplicationCommandOptionChoice, LocalizationMap } from 'discord.js';
import type { commandTexts } from './en/commands.ts';
import { english } from './english.ts';
import { FALLBACK_LOCALE, LOCALES, type Translation } from './locales.ts';

export type CommandTextKey = keyof typeof commandTexts;

/** The key's text in every locale but the fallback, or undefined when there is no other. */
export function commandLocalizations(key: CommandTextKey): LocalizationMap | undefined {
  const tables: Readonly<Record<string, Translation>> = LOCALES;
  const others = Object.entries(tables).filter(([locale]) => locale !== FALLBACK_LOCALE);
  return others.length === 0 ? undefined : Object.fromEntries(others.map(([locale, table]) => [locale, table[key]]));
}

interface Describable {
  setDescription(description: string): this;
  setDescriptionLocalizations(localizations: LocalizationMap | null): this;
}

/** Sets a builder's description (command, subcommand or option) from the catalogue, in every locale. */
export function described<B extends Describable>(builder: B, key: CommandTextKey): B {
  const described = builder.setDescription(english[key]);
  const localizations = commandLocalizations(key);
  return localizations ? described.setDescriptionLocalizations(localizations) : described;
}

/** A choice of a string option, named from the catalogue in every locale. */
export function choice<V extends string>(key: CommandTextKey, value: V): APIApplicationCommandOptionChoice<V> {
  const localizations = commandLocalizations(key);
  return { name: english[key], value, ...(localizations ? { name_localizations: localizations } : {}) };
}
