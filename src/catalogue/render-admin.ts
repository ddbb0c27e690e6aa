/**
 * /animate-admin's answers to moderators. The command says what it did as data (`AdminAnswer`); this words it.
 */
import { channelMention, roleMention, userMention } from 'discord.js';
import type { PeriodWindow } from '../quota/period.ts';
import type { ServerUsage } from '../quota/quota-service.ts';
import type { EffectiveQuota, Limit, QuotaPeriod } from '../quota/quota-settings.ts';
import { catalogue, type Catalogue } from './catalogue.ts';
import { fitMessage, fullTime, limitText, periodName, relativeTime, shortList, unitsLimitText, unitsText } from './formats.ts';

/** One setting a moderator changed, with its value before and after. */
export type SettingChange =
  | { setting: 'member_default' | 'server_budget'; before: Limit; after: Limit; period: QuotaPeriod }
  | { setting: 'period'; before: QuotaPeriod; after: QuotaPeriod }
  | { setting: 'period_unchanged'; period: QuotaPeriod }
  | { setting: 'member_running' | 'member_waiting' | 'server_running'; before: Limit; after: Limit };

/** Where /animate may be used: every restriction lifted, or one channel allowed or no longer allowed. */
export type ChannelChange = { action: 'clear' } | { action: 'add' | 'remove'; channelId: string };

/** What a /animate-admin subcommand did, or why it did nothing. */
export type AdminAnswer =
  | { kind: 'unknown_subcommand' }
  /** A required option is missing: which ones would do. */
  | { kind: 'missing'; needs: 'units' | 'units_or_period' | 'units_or_clear' | 'limits' | 'channel' }
  /** Two options that contradict each other: nothing was changed. */
  | { kind: 'conflict'; options: 'units_unlimited' | 'running_unlimited' | 'waiting_unlimited' }
  /** Removing the only allowed channel would silently mean "everywhere": refused, `clear` does that. */
  | { kind: 'last_channel'; channelId: string }
  | { kind: 'settings_changed'; changes: readonly SettingChange[] }
  /** `before` is undefined when the role or member had no setting of its own. */
  | { kind: 'allowance_set'; target: 'role' | 'member'; id: string; before: Limit | undefined; after: Limit; period: QuotaPeriod }
  | { kind: 'allowance_cleared'; target: 'role' | 'member'; id: string; before: Limit | undefined }
  /** `allowed`: the channels where /animate may be used now (empty: everywhere). */
  | { kind: 'channels_changed'; change: ChannelChange; allowed: readonly string[] }
  | { kind: 'granted'; userId: string; units: number; period: PeriodWindow; left: Limit }
  | { kind: 'reset'; userId: string; units: number }
  | { kind: 'usage'; usage: ServerUsage; quota: EffectiveQuota; running: readonly string[]; waiting: readonly string[] };

/**
 * Room for each list of the usage report (six of them, with about 400 characters of other text, in 2000):
 * the top ten members always fit; long lists of running members, roles or channels end with "N more".
 */
const TOP_MAX_CHARS = 300;
const LIST_MAX_CHARS = 250;
/** Room for the channel list after a change, which is alone in its message. */
const CHANNELS_MAX_CHARS = 1500;

/**
 * `ceiling`: the operator's cap per server and day (QUOTA_SERVER_MAX_UNITS), given when the change sets more
 * than it, so the moderator knows what will really apply.
 */
export function adminAnswerText(answer: AdminAnswer, locale: string | undefined, ceiling?: number): string {
  const text = answerText(answer, locale);
  return ceiling === undefined
    ? text
    : fitMessage(`${text}\n${catalogue(locale).t('admin.ceiling_note', { units: unitsText(catalogue(locale), ceiling) })}`);
}

function answerText(answer: AdminAnswer, locale: string | undefined): string {
  const c = catalogue(locale);
  switch (answer.kind) {
    case 'unknown_subcommand':
      return c.t(`admin.${answer.kind}`);
    case 'missing':
      return c.t(`admin.missing.${answer.needs}`);
    case 'conflict':
      return c.t(`admin.conflict.${answer.options}`);
    case 'last_channel':
      return c.t('admin.last_channel', { channel: channelMention(answer.channelId) });
    case 'settings_changed':
      return answer.changes.map((change) => settingChangeText(c, change)).join('\n');
    case 'allowance_set':
      return c.t('admin.allowance_set', {
        who: mentionOf(answer.target, answer.id),
        before: previousText(c, answer.before),
        after: unitsLimitText(c, answer.after),
        period: periodName(c, answer.period),
      });
    case 'allowance_cleared':
      return c.t(`admin.${answer.target}_allowance_cleared`, {
        who: mentionOf(answer.target, answer.id),
        before: previousText(c, answer.before),
      });
    case 'channels_changed': {
      const channels =
        answer.allowed.length === 0
          ? c.t('admin.every_channel')
          : shortList(
              c,
              answer.allowed.map((id) => channelMention(id)),
              CHANNELS_MAX_CHARS,
            );
      const { change } = answer;
      if (change.action === 'clear') return c.t('admin.channels_cleared', { channels });
      const key = change.action === 'add' ? 'admin.channel_added' : 'admin.channel_removed';
      return fitMessage(c.t(key, { channel: channelMention(change.channelId), channels }));
    }
    case 'granted':
      return c.t('admin.granted', {
        units: unitsText(c, answer.units),
        member: userMention(answer.userId),
        period: periodName(c, answer.period.kind),
        until: fullTime(answer.period.end),
        left: unitsLimitText(c, answer.left),
      });
    case 'reset':
      return answer.units > 0
        ? c.t('admin.reset', { units: unitsText(c, answer.units), member: userMention(answer.userId) })
        : c.t('admin.reset_nothing', { member: userMention(answer.userId) });
    case 'usage':
      return usageText(c, answer);
  }
}

function settingChangeText(c: Catalogue, change: SettingChange): string {
  switch (change.setting) {
    case 'member_default':
    case 'server_budget':
      return c.t(`admin.${change.setting}_set`, {
        before: unitsLimitText(c, change.before),
        after: unitsLimitText(c, change.after),
        period: periodName(c, change.period),
      });
    case 'period':
      return c.t(`admin.period_set.${change.after}`, { before: periodName(c, change.before), after: periodName(c, change.after) });
    case 'period_unchanged':
      return c.t('admin.period_unchanged', { period: periodName(c, change.period) });
    case 'member_running':
    case 'member_waiting':
    case 'server_running':
      return c.t(`admin.${change.setting}_set`, { before: limitText(c, change.before), after: limitText(c, change.after) });
  }
}

function mentionOf(target: 'role' | 'member', id: string): string {
  return target === 'role' ? roleMention(id) : userMention(id);
}

/** A role's or member's own setting before a change: "not set", "no limit" or "3 units". */
function previousText(c: Catalogue, before: Limit | undefined): string {
  return before === undefined ? c.t('admin.not_set') : unitsLimitText(c, before);
}

/** The moderators' report: this period's spend, who spent most, what runs and waits, and every setting. */
function usageText(c: Catalogue, answer: Extract<AdminAnswer, { kind: 'usage' }>): string {
  const { usage, quota } = answer;
  const none = c.t('admin.usage.none');
  const mentions = (userIds: readonly string[]) => (userIds.length === 0 ? none : shortList(c, userIds.map(userMention), LIST_MAX_CHARS));
  const entries = (map: Readonly<Record<string, Limit>>, mention: (id: string) => string) => {
    const all = Object.entries(map).map(([id, limit]) => c.t('admin.usage.entry', { who: mention(id), amount: limitText(c, limit) }));
    return all.length === 0 ? c.t('admin.usage.none_set') : shortList(c, all, LIST_MAX_CHARS);
  };
  const top = usage.topMembers.map((m) => c.t('admin.usage.entry', { who: userMention(m.userId), amount: m.used }));
  const lines = [
    c.t('admin.usage.spend', {
      period: periodName(c, usage.period.kind),
      used: unitsText(c, usage.used),
      budget: unitsLimitText(c, usage.budget),
      renews: relativeTime(usage.period.end),
    }),
    top.length > 0 ? c.t('admin.usage.top', { members: shortList(c, top, TOP_MAX_CHARS) }) : c.t('admin.usage.top_none'),
    c.t('admin.usage.running', { members: mentions(answer.running) }),
    c.t('admin.usage.waiting', { members: mentions(answer.waiting) }),
    c.t('admin.usage.settings', {
      units: unitsLimitText(c, quota.memberDefault),
      period: periodName(c, quota.period),
      running: limitText(c, quota.memberRunning),
      waiting: limitText(c, quota.memberWaiting),
      serverRunning: limitText(c, quota.serverRunning),
    }),
    c.t('admin.usage.overrides', { roles: entries(quota.roleUnits, roleMention), members: entries(quota.memberUnits, userMention) }),
    c.t('admin.usage.channels', {
      channels:
        quota.allowedChannels.length === 0
          ? c.t('admin.usage.everywhere')
          : shortList(
              c,
              quota.allowedChannels.map((id) => channelMention(id)),
              LIST_MAX_CHARS,
            ),
    }),
  ];
  return fitMessage(lines.join('\n'));
}
