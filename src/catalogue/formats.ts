/**
 * Pieces many messages share: units, limits, periods, Discord timestamps, lists of mentions, and the
 * 2000-character ceiling of a message.
 */
import { time, TimestampStyles } from 'discord.js';
import type { QuotaPeriod, Limit } from '../quota/quota-settings.ts';
import type { Catalogue } from './catalogue.ts';

/** Discord refuses message content over 2000 characters. */
export const MESSAGE_MAX_CHARS = 2000;

/** "in 3 hours", rendered by each member's Discord client in their own language and time zone. */
export const relativeTime = (ms: number): string => time(Math.round(ms / 1000), TimestampStyles.RelativeTime);
/** "25 November 2026 00:00", likewise rendered by the member's client. */
export const fullTime = (ms: number): string => time(Math.round(ms / 1000), TimestampStyles.LongDateShortTime);

/** "1 unit", "2 units". */
export function unitsText(c: Catalogue, units: number): string {
  return c.t('number.units', { count: units });
}

/** A running/waiting limit: a number, or "no limit". */
export function limitText(c: Catalogue, limit: Limit): string {
  return limit === null ? c.t('limit.none') : c.number(limit);
}

/** An allowance or budget: "3 units", or "no limit". */
export function unitsLimitText(c: Catalogue, limit: Limit): string {
  return limit === null ? c.t('limit.none') : unitsText(c, limit);
}

export function periodName(c: Catalogue, period: QuotaPeriod): string {
  return c.t(`period.${period}`);
}

/** "3.0 MB" (MiB, as Discord counts its upload limit). */
export function megabytesText(c: Catalogue, bytes: number): string {
  return c.t('number.megabytes', { megabytes: c.fixed(bytes / (1024 * 1024), 1) });
}

/**
 * As many items as fit in `maxChars`, then "N more": a server may allow any number of channels, roles and
 * members, and a message holds 2000 characters.
 */
export function shortList(c: Catalogue, items: readonly string[], maxChars: number): string {
  const listOf = (shown: number) =>
    c.list(shown === items.length ? items : [...items.slice(0, shown), c.t('list.more', { count: items.length - shown })]);
  // The longest prefix that fits, by bisection: the list grows with every item shown.
  let fits = 0;
  let tooMany = items.length + 1;
  while (tooMany - fits > 1) {
    const middle = Math.floor((fits + tooMany) / 2);
    if (listOf(middle).length <= maxChars) fits = middle;
    else tooMany = middle;
  }
  return listOf(fits);
}

/** Cuts a message to Discord's limit, at a line, comma or space, with "…" where it was cut. */
export function fitMessage(text: string, max = MESSAGE_MAX_CHARS): string {
  if (text.length <= max) return text;
  const head = text.slice(0, max - 1);
  const cut = Math.max(head.lastIndexOf('\n'), head.lastIndexOf(', '), head.lastIndexOf(' '));
  return `${(cut > max - 200 ? head.slice(0, cut) : head).trimEnd()}…`;
}

/** Collapses whitespace and cuts to `max` characters with "…": for text from outside (a prompt, a provider's reason). */
export function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1).trimEnd()}…` : flat;
}
