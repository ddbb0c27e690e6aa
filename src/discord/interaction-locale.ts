/**
 * The locale to answer an interaction in: the member's (`locale`, their Discord client's language), else the
 * server's (`guild_locale`, its Community language) when the bot speaks only that one, else English. Every
 * reply to the interaction uses it, and a request stores it so later messages match.
 */
import { memberLocale } from '../catalogue/locales.ts';

export function localeOf(interaction: { readonly locale: string; readonly guildLocale: string | null }): string {
  return memberLocale(interaction.locale, interaction.guildLocale);
}
