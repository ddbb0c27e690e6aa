/** Texts about quotas: refusals members see, and the standing /animate-quota shows. */
import { channelMention, roleMention, time, TimestampStyles } from 'discord.js';
import type { MemberStanding, QuotaRefusal } from '../quota/quota-service.ts';
import type { AllowanceRule, Limit, QuotaPeriod } from '../quota/quota-settings.ts';
import { unitsText } from './messages.ts';

const relative = (ms: number) => time(Math.round(ms / 1000), TimestampStyles.RelativeTime);
const full = (ms: number) => time(Math.round(ms / 1000), TimestampStyles.LongDateShortTime);

export function periodName(period: QuotaPeriod): string {
  return period;
}

export function ruleText(rule: AllowanceRule): string {
  switch (rule.kind) {
    case 'member':
      return 'your own allowance, set by a moderator';
    case 'role':
      return `the allowance of your role ${roleMention(rule.roleId)}`;
    case 'server':
      return "this server's default allowance";
  }
}

export function limitText(limit: Limit): string {
  return limit === null ? 'no limit' : String(limit);
}

/** Why /animate was refused, and when the member can try again. Shown privately, before any public trace. */
export function refusalText(refusal: QuotaRefusal, period: QuotaPeriod): string {
  switch (refusal.kind) {
    case 'channel':
      return `🚫 /animate can't be used in this channel. Try ${refusal.allowedChannels.map((id) => channelMention(id)).join(', ')}.`;
    case 'paused':
      return `⏸️ Video generation is unavailable right now. Please try again ${relative(refusal.until)}. No units were used.`;
    case 'blocked':
      return `🚫 You can't generate videos in this server: ${ruleText(refusal.rule)} is 0. Ask a moderator if you think this is a mistake.`;
    case 'member_units':
      return (
        `🚫 Not enough units: you have ${unitsText(refusal.left)} left this ${periodName(period)} and this video needs ${unitsText(refusal.needed)}` +
        ` (${ruleText(refusal.rule)}). Your units renew ${relative(refusal.renewsAt)} (${full(refusal.renewsAt)}).` +
        (refusal.left > 0 ? ' A 5-second video costs 1 unit.' : '')
      );
    case 'server_units':
      return `🚫 This server has used its whole video budget for this ${periodName(period)}. It renews ${relative(refusal.renewsAt)} (${full(refusal.renewsAt)}).`;
    case 'global_units':
      return `🚫 The bot has reached its daily limit across all servers. It renews ${relative(refusal.renewsAt)} (${full(refusal.renewsAt)}).`;
    case 'active_limit':
      return (
        `🚫 You already have as many videos in progress as allowed (${limitText(refusal.running)} running, ${limitText(refusal.waiting)} waiting). ` +
        'Wait for one to finish, then try again.'
      );
  }
}

/** A member's standing, for /animate-quota. */
export function standingText(standing: MemberStanding, work: { running: number; waiting: number }): string {
  const lines: string[] = [];
  if (standing.left === null) {
    lines.push(`🎟️ You have **no limit** on videos this ${standing.period.kind}.`);
  } else {
    lines.push(
      `🎟️ You have **${unitsText(standing.left)}** left this ${standing.period.kind}; they renew ${relative(standing.period.end)} (${full(standing.period.end)}).`,
    );
    const extra = standing.granted > 0 ? ` + ${unitsText(standing.granted)} granted` : '';
    lines.push(`Allowance: ${unitsText(standing.allowance ?? 0)}${extra}, ${unitsText(standing.used)} used or held.`);
  }
  lines.push(`Rule: ${ruleText(standing.rule)}.`);
  lines.push(`In progress: ${work.running} running, ${work.waiting} waiting. A 5-second video costs 1 unit, a 10-second one 2.`);
  return lines.join('\n');
}
