/** Quota texts: why /animate was refused, and a member's standing (/animate-quota). */
import { channelMention, roleMention } from 'discord.js';
import type { MemberStanding, QuotaRefusal } from '../quota/quota-service.ts';
import type { AllowanceRule, QuotaPeriod } from '../quota/quota-settings.ts';
import { catalogue, type Catalogue } from './catalogue.ts';
import { fitMessage, fullTime, limitText, periodName, relativeTime, shortList, unitsText } from './formats.ts';

/** Room for the channels a refusal names, within the message's 2000 characters. */
const CHANNELS_MAX_CHARS = 1500;

/** Which setting gave a member their allowance. */
export function ruleText(c: Catalogue, rule: AllowanceRule): string {
  switch (rule.kind) {
    case 'member':
    case 'server':
      return c.t(`rule.${rule.kind}`);
    case 'role':
      return c.t('rule.role', { role: roleMention(rule.roleId) });
  }
}

/** Why /animate was refused, and when the member can try again. Shown privately, before any public trace. */
export function refusalText(refusal: QuotaRefusal, period: QuotaPeriod, locale: string | undefined): string {
  const c = catalogue(locale);
  switch (refusal.kind) {
    case 'channel':
      return fitMessage(
        c.t('refusal.channel', {
          channels: shortList(
            c,
            refusal.allowedChannels.map((id) => channelMention(id)),
            CHANNELS_MAX_CHARS,
          ),
        }),
      );
    case 'paused':
      return c.t('refusal.paused', { when: relativeTime(refusal.until) });
    case 'blocked':
      return c.t('refusal.blocked', { rule: ruleText(c, refusal.rule) });
    case 'member_units': {
      const values = {
        left: unitsText(c, refusal.left),
        needed: unitsText(c, refusal.needed),
        period: periodName(c, period),
        rule: ruleText(c, refusal.rule),
        renews: relativeTime(refusal.renewsAt),
        renewsAt: fullTime(refusal.renewsAt),
      };
      return refusal.left > 0 ? c.t('refusal.member_units_some_left', values) : c.t('refusal.member_units', values);
    }
    case 'server_units':
      return c.t('refusal.server_units', {
        period: periodName(c, period),
        renews: relativeTime(refusal.renewsAt),
        renewsAt: fullTime(refusal.renewsAt),
      });
    case 'global_units':
      return c.t('refusal.global_units', { renews: relativeTime(refusal.renewsAt), renewsAt: fullTime(refusal.renewsAt) });
    case 'server_ceiling':
      return c.t('refusal.server_ceiling', {
        units: unitsText(c, refusal.units),
        renews: relativeTime(refusal.renewsAt),
        renewsAt: fullTime(refusal.renewsAt),
      });
    case 'active_limit':
      return c.t('refusal.active_limit', { running: limitText(c, refusal.running), waiting: limitText(c, refusal.waiting) });
  }
}

/** A member's standing, for /animate-quota: units left, when they renew, the rule, and what is in progress. */
export function standingText(standing: MemberStanding, work: { running: number; waiting: number }, locale: string | undefined): string {
  const c = catalogue(locale);
  const period = periodName(c, standing.period.kind);
  const lines: string[] = [];
  if (standing.left === null) {
    lines.push(c.t('standing.unlimited', { period }));
  } else {
    lines.push(
      c.t('standing.left', {
        left: unitsText(c, standing.left),
        period,
        renews: relativeTime(standing.period.end),
        renewsAt: fullTime(standing.period.end),
      }),
    );
    const allowance = { allowance: unitsText(c, standing.allowance ?? 0), used: unitsText(c, standing.used) };
    lines.push(
      standing.granted > 0
        ? c.t('standing.allowance_granted', { ...allowance, granted: unitsText(c, standing.granted) })
        : c.t('standing.allowance', allowance),
    );
  }
  lines.push(c.t('standing.rule', { rule: ruleText(c, standing.rule) }));
  lines.push(c.t('standing.work', { running: work.running, waiting: work.waiting }));
  return lines.join('\n');
}
