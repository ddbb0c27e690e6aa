/**
 * What moderators decide for their server, stored per server. Anything they have not set falls back to the
 * operator's defaults from the environment, so a server that has set nothing is protected.
 */
import { z } from 'zod';

export const QUOTA_PERIODS = ['day', 'week', 'month'] as const;
export type QuotaPeriod = (typeof QUOTA_PERIODS)[number];

/** A limit: a whole number, or null for none. */
export type Limit = number | null;

export interface QuotaDefaults {
  readonly period: QuotaPeriod;
  readonly memberUnits: Limit;
  readonly serverUnits: Limit;
  readonly memberRunning: Limit;
  readonly memberWaiting: Limit;
  readonly globalUnitsPerDay: Limit;
  /** No server spends more than this per UTC day, whatever its moderators set (QUOTA_SERVER_MAX_UNITS). */
  readonly serverMaxUnitsPerDay: Limit;
}

const limit = z.number().int().nonnegative().nullable();
const snowflake = z.string().regex(/^\d{1,20}$/);

export const guildQuotaSettingsSchema = z.object({
  version: z.literal(1),
  period: z.enum(QUOTA_PERIODS).optional(),
  memberDefault: limit.optional(),
  serverUnits: limit.optional(),
  memberRunning: limit.optional(),
  memberWaiting: limit.optional(),
  serverRunning: limit.optional(),
  roleUnits: z.record(snowflake, limit).default({}),
  memberUnits: z.record(snowflake, limit).default({}),
  /** Channels where /animate may be used; empty means everywhere. */
  allowedChannels: z.array(snowflake).default([]),
});
export type GuildQuotaSettings = z.infer<typeof guildQuotaSettingsSchema>;

export const emptyGuildSettings = (): GuildQuotaSettings => ({ version: 1, roleUnits: {}, memberUnits: {}, allowedChannels: [] });

/** The limits in force in one server: its own settings over the operator's defaults. */
export interface EffectiveQuota {
  period: QuotaPeriod;
  memberDefault: Limit;
  serverUnits: Limit;
  memberRunning: Limit;
  memberWaiting: Limit;
  serverRunning: Limit;
  roleUnits: Readonly<Record<string, Limit>>;
  memberUnits: Readonly<Record<string, Limit>>;
  allowedChannels: readonly string[];
}

export function effectiveQuota(settings: GuildQuotaSettings, defaults: QuotaDefaults): EffectiveQuota {
  return {
    period: settings.period ?? defaults.period,
    memberDefault: settings.memberDefault !== undefined ? settings.memberDefault : defaults.memberUnits,
    serverUnits: settings.serverUnits !== undefined ? settings.serverUnits : defaults.serverUnits,
    memberRunning: settings.memberRunning !== undefined ? settings.memberRunning : defaults.memberRunning,
    memberWaiting: settings.memberWaiting !== undefined ? settings.memberWaiting : defaults.memberWaiting,
    serverRunning: settings.serverRunning !== undefined ? settings.serverRunning : null,
    roleUnits: settings.roleUnits,
    memberUnits: settings.memberUnits,
    allowedChannels: settings.allowedChannels,
  };
}

export type AllowanceRule = { kind: 'member' } | { kind: 'role'; roleId: string } | { kind: 'server' };

/**
 * A member's allowance per period: their own setting if there is one; else the highest among their roles
 * that have a setting (no limit beats any number); else the server default.
 */
export function resolveAllowance(quota: EffectiveQuota, userId: string, roleIds: readonly string[]): { units: Limit; rule: AllowanceRule } {
  const own = quota.memberUnits[userId];
  if (own !== undefined) return { units: own, rule: { kind: 'member' } };
  let best: { units: Limit; roleId: string } | undefined;
  for (const roleId of roleIds) {
    const units = quota.roleUnits[roleId];
    if (units === undefined) continue;
    if (!best || isHigher(units, best.units)) best = { units, roleId };
  }
  if (best) return { units: best.units, rule: { kind: 'role', roleId: best.roleId } };
  return { units: quota.memberDefault, rule: { kind: 'server' } };
}

function isHigher(a: Limit, b: Limit): boolean {
  if (b === null) return false;
  return a === null || a > b;
}
