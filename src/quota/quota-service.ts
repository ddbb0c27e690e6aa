/**
 * Exact accounting of what members may generate. Units are reserved atomically before anything is paid
 * for, kept when the video is made, refunded when it is not. Everything lives in the store, so a restart
 * or a second bot process sees the same numbers.
 */
import type { Logger } from '../logger.ts';
import { KnownValues } from '../store/known-values.ts';
import type { ReservationCounter, Store } from '../store/store.ts';
import type { Clock } from '../clock.ts';
import { randomId } from '../random.ts';
import { periodWindow, type PeriodWindow } from './period.ts';
import { parseMeta, quotaKeys as key, type ReservationMeta } from './quota-keys.ts';
import type { MemberStanding, QuotaRefusal, ReserveOutcome, ReserveRequest, ServerUsage } from './quota-outcomes.ts';
import {
  effectiveQuota,
  emptyGuildSettings,
  guildQuotaSettingsSchema,
  resolveAllowance,
  type AllowanceRule,
  type EffectiveQuota,
  type GuildQuotaSettings,
  type Limit,
  type QuotaDefaults,
} from './quota-settings.ts';

export type { MemberStanding, QuotaRefusal, ReserveOutcome, ReserveRequest, ServerUsage };

/** Refusals decided on the pause and the settings alone, before any booking checks them: made again on a fresh read. */
const DECIDED_BEFORE_BOOKING = new Set<QuotaRefusal['kind']>(['paused', 'channel', 'blocked']);

/** A request whose task was never recorded, refunded on both ledgers by `reconcile` (nothing reached the provider). */
export interface RefundedOrphan {
  taskId: string;
  guildId: string;
  userId: string;
  units: number;
  /** What the requester stored with the reservation (`ReserveRequest.caller`), unread here. */
  caller: unknown;
}

/** How a finished task's reservations are settled: see `settle`. */
export interface TaskSettlement {
  final: boolean;
  refund: boolean;
  operatorRefund: boolean;
}

const PAUSE_KEY = 'provider:pause';
const PAUSE_UNTIL_KEY = 'provider:paused-until';
/** How long submissions pause after the provider says the account is out of credit. */
const PAUSE_MS = 10 * 60_000;
/**
 * A reservation whose task was never written is a crash between the two; younger ones may still be in flight.
 * A request takes a few seconds at most from reserve to record (a deferral later than 3 s is refused by Discord).
 * One process: 30 s is plenty. Several processes on one store: a peer's request is in flight on another
 * host's clock, behind REST timeouts, so the margin stays wide; refunding a live request would make a video
 * the member was told was never started.
 */
const ORPHAN_AFTER_MS = 30_000;
const SHARED_ORPHAN_AFTER_MS = 2 * 60_000;
/** Usage counters outlive their period a little, for the moderators' report of the period just ended. */
const COUNTER_MARGIN_MS = 40 * 24 * 60 * 60_000;

export class QuotaService {
  readonly #store: Store;
  readonly #defaults: QuotaDefaults;
  readonly #clock: Clock;
  readonly #logger: Logger;
  /** Unique values for claims and one-off reservation keys. */
  readonly #newId: () => string;
  /** Reservations older than this on a store no other process uses were left by a process that is gone. */
  readonly #startedAt: number;
  /** Reads under way or ended this turn, shared by the calls made meanwhile (`settings`, `pausedUntil`). */
  readonly #settingsReads = new TurnReads<GuildQuotaSettings>();
  readonly #pauseReads = new TurnReads<unknown>();
  /** What bookings are decided on: as last read here, and checked by the booking itself (see `reserve`). */
  readonly #knownSettings: KnownValues<GuildQuotaSettings>;
  readonly #knownPause: KnownValues<number | undefined>;

  constructor(deps: { store: Store; defaults: QuotaDefaults; clock: Clock; logger: Logger; newId?: () => string }) {
    this.#newId = deps.newId ?? randomId;
    this.#startedAt = deps.clock.now();
    this.#store = deps.store;
    this.#defaults = deps.defaults;
    this.#clock = deps.clock;
    this.#logger = deps.logger;
    this.#knownSettings = new KnownValues(deps.store, (stored, settingsKey) => this.#settingsFrom(stored, { settingsKey }));
    this.#knownPause = new KnownValues(deps.store, (stored) => (typeof stored === 'number' ? stored : undefined));
  }

  // --- settings ---------------------------------------------------------------------------------------

  /**
   * A server's settings. Reads of one server's settings are shared while under way and for the rest of the turn
   * of the event loop they end in: a burst of commands in one server costs the store one read (a round trip on
   * Redis) rather than one per command. A change made here is seen at once (`updateSettings` drops the shared
   * read); one made by another process, from the next turn on, as if the read had been made a moment earlier.
   * Bookings do not read them here: see `reserve`.
   */
  settings(guildId: string): Promise<GuildQuotaSettings> {
    return this.#sharedSettings(guildId).then(cloneSettings);
  }

  /** The read shared by every caller meanwhile: not to be changed (`settings` gives each caller a copy). */
  #sharedSettings(guildId: string): Promise<GuildQuotaSettings> {
    return this.#settingsReads.read(guildId, () => this.#readSettings(guildId));
  }

  async #readSettings(guildId: string): Promise<GuildQuotaSettings> {
    return this.#settingsFrom(await this.#store.kv.get(key.settings(guildId)), { guildId });
  }

  /** `where` names the server in the log when they cannot be read. */
  #settingsFrom(stored: unknown, where: Record<string, string>): GuildQuotaSettings {
    if (stored === undefined) return emptyGuildSettings();
    const parsed = guildQuotaSettingsSchema.safeParse(stored);
    if (parsed.success) return parsed.data;
    this.#logger.error('stored quota settings unreadable; using defaults', where);
    return emptyGuildSettings();
  }

  /**
   * Without a copy of the settings (a clone was a tenth of a booking's own JavaScript): an `EffectiveQuota` is
   * read-only all through, so no caller can change the read it shares with the others.
   */
  async quota(guildId: string): Promise<EffectiveQuota> {
    return effectiveQuota(await this.#sharedSettings(guildId), this.#defaults);
  }

  /** Applies a moderator's change; last writer wins, which is what two moderators editing at once expect. */
  async updateSettings(guildId: string, change: (current: GuildQuotaSettings) => GuildQuotaSettings): Promise<EffectiveQuota> {
    const next = guildQuotaSettingsSchema.parse(change(await this.settings(guildId)));
    await this.#store.kv.set(key.settings(guildId), next);
    this.#settingsReads.forget(guildId);
    this.#knownSettings.forget(key.settings(guildId));
    return effectiveQuota(next, this.#defaults);
  }

  get defaults(): QuotaDefaults {
    return this.#defaults;
  }

  // --- reservations -----------------------------------------------------------------------------------

  /**
   * Reserves the units of one generation, or says which limit stops it. Nothing changes on refusal.
   *
   * Decided on the provider pause and the server's settings as last read here, so a booking waits for no read
   * first; the booking itself checks they still hold. When one changed (another process paused, a moderator
   * there changed a limit), or a refusal came from them alone, it is decided again on what is stored now.
   * `request.decidedOn` are the caller's own values (a member's defaults), checked the same way: when one of
   * those changed, the outcome says which, nothing is booked, and the caller decides again.
   */
  async reserve(request: ReserveRequest): Promise<ReserveOutcome> {
    const first = await this.#reserveOn(request, false);
    const decideAgain = first === 'changed' || ('refusal' in first && DECIDED_BEFORE_BOOKING.has(first.refusal.kind));
    if (!decideAgain) return first;
    for (let attempt = 2; attempt <= 3; attempt++) {
      const again = await this.#reserveOn(request, true);
      if (again !== 'changed') return again;
    }
    throw new Error('the quota settings or the provider pause changed during three bookings in a row');
  }

  /**
   * One decision and booking, on the pause and settings as known here, or read now when `fresh`; 'changed' when one
   * of those changed meanwhile.
   */
  async #reserveOn(request: ReserveRequest, fresh: boolean): Promise<ReserveOutcome | 'changed'> {
    const now = this.#clock.now();
    const settingsKey = key.settings(request.guildId);
    const [pause, settings] = await Promise.all(
      fresh
        ? [this.#knownPause.read(PAUSE_UNTIL_KEY), this.#knownSettings.read(settingsKey)]
        : [this.#knownPause.get(PAUSE_UNTIL_KEY), this.#knownSettings.get(settingsKey)],
    );
    if (pause.value !== undefined && pause.value > now) return { ok: false, refusal: { kind: 'paused', until: pause.value } };
    const quota = effectiveQuota(settings.value, this.#defaults);

    if (quota.allowedChannels.length > 0 && !quota.allowedChannels.includes(request.channelId)) {
      return { ok: false, refusal: { kind: 'channel', allowedChannels: quota.allowedChannels } };
    }
    const { units: allowance, rule } = resolveAllowance(quota, request.userId, request.roleIds);
    if (allowance === 0) return { ok: false, refusal: { kind: 'blocked', rule } };

    const period = periodWindow(quota.period, now);
    const day = periodWindow('day', now);
    // What moderators granted or gave back this period raises the member's allowance, read in the booking itself.
    const extraKeys = [
      key.memberGranted(request.guildId, period.id, request.userId),
      key.memberReset(request.guildId, period.id, request.userId),
    ];
    const activeLimit = quota.memberRunning === null || quota.memberWaiting === null ? null : quota.memberRunning + quota.memberWaiting;
    const expiresAt = period.end + COUNTER_MARGIN_MS;

    const memberUsedKey = key.memberUsed(request.guildId, period.id, request.userId);
    const dayExpiresAt = day.end + COUNTER_MARGIN_MS;
    // The member's ledger: refunded whenever the member got nothing.
    const counters: ReservationCounter[] = [
      {
        key: memberUsedKey,
        amount: request.units,
        limit: allowance,
        ...(allowance === null ? {} : { raisedBy: extraKeys }),
        held: false,
        expiresAt,
      },
      { key: key.serverUsed(request.guildId, period.id), amount: request.units, limit: quota.serverUnits, held: false, expiresAt },
      {
        key: key.serverDayUsed(request.guildId, day.id),
        amount: request.units,
        limit: this.#defaults.serverMaxUnitsPerDay,
        held: false,
        expiresAt: dayExpiresAt,
      },
      { key: key.memberActive(request.guildId, request.userId), amount: 1, limit: activeLimit, held: true },
    ];
    // The operator's ledger, apart: it keeps every unit the provider may have charged for.
    const spend: ReservationCounter[] = [
      { key: key.globalUsed(day.id), amount: request.units, limit: this.#defaults.globalUnitsPerDay, held: false, expiresAt: dayExpiresAt },
    ];
    const meta = JSON.stringify({
      taskId: request.taskId,
      guildId: request.guildId,
      userId: request.userId,
      units: request.units,
      ...(request.caller === undefined ? {} : { caller: request.caller }),
    } satisfies ReservationMeta);
    // One atomic step: the member's ledger and the operator's are booked together or not at all, and the
    // member is listed among this period's (for /animate-quota) in the same write.
    const result = await this.#store.reserveTogether({
      reservations: [
        { key: key.unitsReservation(request.taskId), counters },
        { key: key.spendReservation(request.taskId), counters: spend },
      ],
      meta,
      now,
      addToSet: { setKey: key.members(request.guildId, period.id), member: request.userId },
      unchanged: [pause.seen, settings.seen, ...(request.decidedOn ?? [])],
    });
    if (!result.ok && 'changed' in result) {
      if (result.changed === pause.seen.key) this.#knownPause.forget(result.changed);
      else if (result.changed === settings.seen.key) this.#knownSettings.forget(result.changed);
      else return { ok: false, changed: result.changed };
      return 'changed';
    }
    if (!result.ok) {
      if (spend.some((c) => c.key === result.blockedBy)) return { ok: false, refusal: { kind: 'global_units', renewsAt: day.end } };
      const refusal = await this.#refusalFor(result.blockedBy, counters, request, { period, day, rule, allowance, quota });
      return { ok: false, refusal };
    }
    const used = result.values.get(memberUsedKey) ?? 0;
    const extra = extraKeys.reduce((sum, k) => sum + (result.values.get(k) ?? 0), 0);
    return {
      ok: true,
      units: request.units,
      left: allowance === null ? null : Math.max(0, allowance + extra - used),
      renewsAt: period.end,
    };
  }

  async #refusalFor(
    blockedBy: string,
    counters: ReservationCounter[],
    request: ReserveRequest,
    ctx: { period: PeriodWindow; day: PeriodWindow; rule: AllowanceRule; allowance: Limit; quota: EffectiveQuota },
  ): Promise<QuotaRefusal> {
    const [memberUsed, serverUsed, serverDayUsed] = counters;
    if (blockedBy === memberUsed?.key) {
      const [used, extra] = await Promise.all([
        this.#store.counter(memberUsed.key),
        this.#extraUnits(request.guildId, ctx.period.id, request.userId),
      ]);
      const left = Math.max(0, (ctx.allowance ?? 0) + extra - used);
      return { kind: 'member_units', left, needed: request.units, renewsAt: ctx.period.end, rule: ctx.rule };
    }
    if (blockedBy === serverUsed?.key) return { kind: 'server_units', renewsAt: ctx.period.end };
    if (blockedBy === serverDayUsed?.key) {
      return { kind: 'server_ceiling', units: this.#defaults.serverMaxUnitsPerDay ?? 0, renewsAt: ctx.day.end };
    }
    return { kind: 'active_limit', running: ctx.quota.memberRunning, waiting: ctx.quota.memberWaiting };
  }

  /**
   * Takes a running slot for a task whose units are reserved: true when it may start now, false when it must
   * keep waiting (the member's or the server's running limit is reached).
   */
  async tryStart(task: { id: string; guildId: string; userId: string }): Promise<boolean> {
    const quota = await this.quota(task.guildId);
    const result = await this.#store.reserve(
      key.slotReservation(task.id),
      [
        { key: key.memberRunning(task.guildId, task.userId), amount: 1, limit: quota.memberRunning, held: true },
        { key: key.serverRunning(task.guildId), amount: 1, limit: quota.serverRunning, held: true },
      ],
      JSON.stringify({ taskId: task.id, guildId: task.guildId, userId: task.userId, units: 0 } satisfies ReservationMeta),
      this.#clock.now(),
    );
    return result.ok;
  }

  /**
   * Ends a task's reservations: its running slot and waiting place are always given back; the member's and
   * the server's units with `refund` (the member got nothing); the operator's spend only with
   * `operatorRefund` (the provider provably charged nothing). Resolves false when the units were already
   * settled (so a refund is never counted twice).
   */
  async settle(taskId: string, refund: boolean, operatorRefund = refund): Promise<boolean> {
    await this.#store.settle(key.slotReservation(taskId), false);
    await this.#store.settle(key.spendReservation(taskId), operatorRefund);
    return this.#store.settle(key.unitsReservation(taskId), refund);
  }

  /**
   * After a crash: settles reservations whose task is final (or was never written), so no member is left
   * holding units or a slot for a generation that is over. A request never written is refunded on both
   * ledgers and handed to `onOrphan` once, by the one call whose settle took it (never twice, even with
   * several processes reconciling), after every reservation has been looked at. Resolves to the number of
   * reservations settled.
   */
  async reconcile(
    taskState: (taskId: string) => Promise<TaskSettlement | undefined>,
    onOrphan?: (orphan: RefundedOrphan) => Promise<void>,
  ): Promise<number> {
    const now = this.#clock.now();
    const orphans: RefundedOrphan[] = [];
    let settled = 0;
    for (const reservation of await this.#store.listReservations()) {
      const meta = parseMeta(reservation.meta);
      if (!meta) continue;
      const state = await taskState(meta.taskId);
      if (state === undefined) {
        if (!this.#orphaned(reservation.createdAt, now)) continue;
        if (!(await this.#store.settle(reservation.key, true))) continue;
        settled++;
        // The member's units stand for the request; the operator's spend is settled as its own reservation.
        if (reservation.key !== key.unitsReservation(meta.taskId)) continue;
        const { taskId, guildId, userId, units, caller } = meta;
        orphans.push({ taskId, guildId, userId, units, caller });
        if (!onOrphan) this.#logger.warn('refunded a reservation whose task was never recorded', { taskId });
      } else if (state.final) {
        const refund =
          reservation.key === key.unitsReservation(meta.taskId)
            ? state.refund
            : reservation.key === key.spendReservation(meta.taskId) && state.operatorRefund;
        if (await this.#store.settle(reservation.key, refund)) settled++;
      }
    }
    if (onOrphan) {
      for (const orphan of orphans) {
        // Each member is told apart: one failed telling does not keep the next from being told.
        await onOrphan(orphan).catch((error: unknown) =>
          this.#logger.error('telling a refunded request failed', { taskId: orphan.taskId, error }),
        );
      }
    }
    return settled;
  }

  /** Whether an unrecorded reservation can no longer be a request in flight. */
  #orphaned(createdAt: number, now: number): boolean {
    // With the store's file to itself (SQLite's lock), whatever was reserved before this process started
    // was left by one that is gone: the first reconcile after a restart refunds it at once.
    if (!this.#store.sharedAcrossProcesses && createdAt < this.#startedAt) return true;
    return now - createdAt >= (this.#store.sharedAcrossProcesses ? SHARED_ORPHAN_AFTER_MS : ORPHAN_AFTER_MS);
  }

  // --- grants and reports -----------------------------------------------------------------------------

  /** Extra units for this period only. */
  async grant(guildId: string, userId: string, roleIds: readonly string[], units: number): Promise<MemberStanding> {
    const { period } = await this.#current(guildId);
    await this.#add(key.memberGranted(guildId, period.id, userId), units, period.end + COUNTER_MARGIN_MS);
    return this.standing(guildId, userId, roleIds);
  }

  /**
   * Gives back what the member spent on finished generations this period (grants are not counted as
   * spending to undo). Generations still in progress are left out: they are refunded anyway if they fail,
   * and counted if they succeed. Returns the units given back.
   */
  async resetMember(guildId: string, userId: string): Promise<number> {
    const { period } = await this.#current(guildId);
    const usedKey = key.memberUsed(guildId, period.id, userId);
    const inProgress = (await this.#store.listReservations())
      .flatMap((r) => r.counters)
      .filter((c) => c.key === usedKey)
      .reduce((sum, c) => sum + c.amount, 0);
    const used = await this.#store.counter(usedKey);
    const alreadyReset = await this.#store.counter(key.memberReset(guildId, period.id, userId));
    const giveBack = used - inProgress - alreadyReset;
    if (giveBack <= 0) return 0;
    // The reset counter may never pass what was spent on finished generations: of two resets racing, the
    // second finds the first's addition and adds nothing.
    const added = await this.#add(key.memberReset(guildId, period.id, userId), giveBack, period.end + COUNTER_MARGIN_MS, used - inProgress);
    return added ? giveBack : 0;
  }

  async standing(guildId: string, userId: string, roleIds: readonly string[]): Promise<MemberStanding> {
    const { quota, period } = await this.#current(guildId);
    const { units: allowance, rule } = resolveAllowance(quota, userId, roleIds);
    const used = await this.#store.counter(key.memberUsed(guildId, period.id, userId));
    const granted = await this.#extraUnits(guildId, period.id, userId);
    const left = allowance === null ? null : Math.max(0, allowance + granted - used);
    return { allowance, rule, used, granted, left, period };
  }

  /** The server's limits and the period in force now. */
  async #current(guildId: string): Promise<{ quota: EffectiveQuota; period: PeriodWindow }> {
    const quota = await this.quota(guildId);
    return { quota, period: periodWindow(quota.period, this.#clock.now()) };
  }

  /** Units a member has beyond their allowance this period: moderators' grants and resets. */
  async #extraUnits(guildId: string, periodId: string, userId: string): Promise<number> {
    const [granted, reset] = await Promise.all([
      this.#store.counter(key.memberGranted(guildId, periodId, userId)),
      this.#store.counter(key.memberReset(guildId, periodId, userId)),
    ]);
    return granted + reset;
  }

  async serverUsage(guildId: string, top = 10): Promise<ServerUsage> {
    const { quota, period } = await this.#current(guildId);
    const members = await this.#store.setMembers(key.members(guildId, period.id));
    const usage = await Promise.all(
      members.map(async (userId) => ({ userId, used: await this.#store.counter(key.memberUsed(guildId, period.id, userId)) })),
    );
    return {
      period,
      used: await this.#store.counter(key.serverUsed(guildId, period.id)),
      budget: quota.serverUnits,
      topMembers: usage
        .filter((m) => m.used > 0)
        .sort((a, b) => b.used - a.used)
        .slice(0, top),
    };
  }

  // --- provider pause ---------------------------------------------------------------------------------

  /**
   * Pauses submissions after the provider reports the account out of credit. Resolves true for the call that
   * started the pause, so exactly one log line alerts the operator.
   */
  async pauseSubmissions(): Promise<boolean> {
    const until = this.#clock.now() + PAUSE_MS;
    // A fresh value per call: the claim succeeds only for whoever finds no pause in force.
    const started = await this.#store.claim(PAUSE_KEY, `${until}:${this.#newId()}`, PAUSE_MS);
    if (started) await this.#store.kv.set(PAUSE_UNTIL_KEY, until, PAUSE_MS);
    this.#pauseReads.forget(PAUSE_UNTIL_KEY);
    this.#knownPause.forget(PAUSE_UNTIL_KEY);
    return started;
  }

  /** Shared while under way and for the rest of its turn, as `settings` is. */
  async pausedUntil(): Promise<number | undefined> {
    const until: unknown = await this.#pauseReads.read(PAUSE_UNTIL_KEY, () => this.#store.kv.get(PAUSE_UNTIL_KEY));
    return typeof until === 'number' && until > this.#clock.now() ? until : undefined;
  }

  /**
   * An atomic increment from the port's two operations: a reservation, kept (not refunded). With a `limit`,
   * nothing is added (and false returned) when the counter would pass it.
   */
  async #add(counterKey: string, amount: number, expiresAt: number, limit: number | null = null): Promise<boolean> {
    const reservationKey = `increment:${counterKey}:${this.#clock.now()}:${this.#newId()}`;
    const result = await this.#store.reserve(
      reservationKey,
      [{ key: counterKey, amount, limit, held: false, expiresAt }],
      '{}',
      this.#clock.now(),
    );
    if (!result.ok) return false;
    await this.#store.settle(reservationKey, false);
    return true;
  }
}

/**
 * Reads by key, shared while under way and for the rest of the turn of the event loop they end in: what was
 * read in a turn (a burst's commands whose replies arrived together) serves all of it, and the next turn reads
 * afresh. `forget` drops one at once, after a write this process made.
 */
class TurnReads<V> {
  readonly #reads = new Map<string, Promise<V>>();

  read(key: string, load: () => Promise<V>): Promise<V> {
    const shared = this.#reads.get(key);
    if (shared) return shared;
    const made: Promise<V> = load().finally(() =>
      setImmediate(() => {
        if (this.#reads.get(key) === made) this.#reads.delete(key);
      }),
    );
    this.#reads.set(key, made);
    return made;
  }

  forget(key: string): void {
    this.#reads.delete(key);
  }
}

/** Each caller gets its own copy of settings read once for several. */
function cloneSettings(settings: GuildQuotaSettings): GuildQuotaSettings {
  return structuredClone(settings);
}
