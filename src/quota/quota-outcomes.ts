/** What the quota answers: reservations, refusals (as data the catalogue words) and standings. */
import type { PeriodWindow } from './period.ts';
import type { StoredText } from '../store/store.ts';
import type { AllowanceRule, Limit } from './quota-settings.ts';

export interface ReserveRequest {
  taskId: string;
  guildId: string;
  channelId: string;
  userId: string;
  roleIds: readonly string[];
  units: number;
  /**
   * Opaque to the quota, kept with the reservation (JSON-serialisable): what the caller needs to answer the
   * member if its task is never recorded (a crash between reserve and record). Handed back by `reconcile`.
   */
  caller?: unknown;
  /** Keyv values the caller decided the request on (a member's defaults): it is booked only while they hold. */
  decidedOn?: readonly StoredText[];
}

export type QuotaRefusal =
  | { kind: 'channel'; allowedChannels: readonly string[] }
  | { kind: 'paused'; until: number }
  | { kind: 'blocked'; rule: AllowanceRule }
  | { kind: 'member_units'; left: number; needed: number; renewsAt: number; rule: AllowanceRule }
  | { kind: 'server_units'; renewsAt: number }
  | { kind: 'global_units'; renewsAt: number }
  /** The operator's ceiling for any one server per UTC day (QUOTA_SERVER_MAX_UNITS). */
  | { kind: 'server_ceiling'; units: number; renewsAt: number }
  | { kind: 'active_limit'; running: Limit; waiting: Limit };

export type ReserveOutcome =
  | { ok: true; units: number; left: number | null; renewsAt: number }
  | { ok: false; refusal: QuotaRefusal }
  /** One of `decidedOn` (this one) changed: nothing was booked; the caller decides again on a fresh read. */
  | { ok: false; changed: string };

export interface MemberStanding {
  allowance: Limit;
  rule: AllowanceRule;
  used: number;
  /** Units given beyond the allowance this period (grants and resets). */
  granted: number;
  /** null when the member has no limit. */
  left: number | null;
  period: PeriodWindow;
}

export interface ServerUsage {
  period: PeriodWindow;
  used: number;
  budget: Limit;
  topMembers: { userId: string; used: number }[];
}
