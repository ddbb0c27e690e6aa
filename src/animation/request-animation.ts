/**
 * The one way to ask for a video, whatever the front end (the /animate command today; a context menu and
 * buttons tomorrow). It owns the task id, the reservation of units and every settlement of that reservation
 * for the task's whole life: refused before anything public happens, refunded when the front end could not
 * acknowledge, settled by the task's lifecycle afterwards (through `animationQuotaGate`).
 */
import { systemClock, type Clock } from '../clock.ts';
import { noMetrics, type AnimationMetrics } from '../metrics.ts';
import type { QuotaPeriod } from '../quota/quota-settings.ts';
import type { QuotaRefusal, ReserveOutcome, ReserveRequest } from '../quota/quota-service.ts';
import type { NewTask, QuotaGate } from '../tasks/task-tracker.ts';
import { unitsFor, type AnimateOptions, type TaskRecord } from '../tasks/task-record.ts';
import type { StoredText } from '../store/store.ts';
import { interruptedAnswerOf } from './interrupted-request.ts';
import type { DefaultsForBooking, MemberDefaults } from './member-defaults.ts';

export interface AnimationRequest {
  /** Who asks, where, and the roles that decide their allowance. */
  requester: TaskRecord['requester'] & { roleIds: readonly string[] };
  /** The member's locale; every later message about this task uses it. */
  locale: string;
  /** How to answer: the interaction's reply handle (its token lives 15 minutes). */
  reply: TaskRecord['interaction'];
  /** The options, or how to make them from the member's own defaults for what they left out (`withDefaults`). */
  options: AnimateOptions | ((defaults: MemberDefaults) => AnimateOptions);
  image: TaskRecord['image'];
  /**
   * Makes the request public (Discord: the deferral), called once the units are held and before anything
   * slow, so a refusal stays private and the 3-second deadline is met.
   */
  acknowledge: () => Promise<void>;
}

export type AnimationOutcome =
  { kind: 'accepted'; taskId: string; units: number } | { kind: 'refused'; refusal: QuotaRefusal; period: QuotaPeriod };

/** The quota operations a request needs. */
export interface AnimationQuota extends QuotaGate {
  reserve(request: ReserveRequest): Promise<ReserveOutcome>;
  quota(guildId: string): Promise<{ period: QuotaPeriod }>;
}

/** The tracker operations a request needs. */
export interface AnimationTasks {
  newTaskId(): string;
  accept(id: string, task: NewTask): Promise<unknown>;
}

/** Acknowledgements first (src/tasks/acknowledgements-first.ts): told of each deferral, and waited for. */
export interface AcknowledgementOrder {
  answered(interactionId: string): void;
  clear(): Promise<void>;
}

export class AnimationRequests {
  readonly #quota: AnimationQuota;
  readonly #acknowledgements: AcknowledgementOrder | undefined;
  readonly #tasks: AnimationTasks;
  readonly #clock: Clock;
  readonly #metrics: AnimationMetrics;
  readonly #memberDefaults: DefaultsForBooking | undefined;
  /** Requests reserved and not yet recorded or refunded: a reconcile must not take them for orphans. */
  readonly #inFlight = new Set<string>();

  constructor(deps: {
    quota: AnimationQuota;
    tasks: AnimationTasks;
    clock?: Clock;
    metrics?: AnimationMetrics;
    acknowledgements?: AcknowledgementOrder;
    /** For requests whose options fall back on the member's defaults; without it, they have none. */
    memberDefaults?: DefaultsForBooking;
  }) {
    this.#memberDefaults = deps.memberDefaults;
    this.#quota = deps.quota;
    this.#acknowledgements = deps.acknowledgements;
    this.#tasks = deps.tasks;
    this.#clock = deps.clock ?? systemClock;
    this.#metrics = deps.metrics ?? noMetrics;
  }

  /** Whether this task's request is still being answered here (reserved, not yet recorded or refunded). */
  isInFlight(taskId: string): boolean {
    return this.#inFlight.has(taskId);
  }

  /**
   * Reserves the units, acknowledges, and records the task. Throws only when acknowledging or recording
   * failed, and then the units have already gone back (nothing public exists, nothing was paid for).
   */
  async request(request: AnimationRequest): Promise<AnimationOutcome> {
    const taskId = this.#tasks.newTaskId();
    this.#inFlight.add(taskId);
    try {
      return await this.#request(taskId, request);
    } finally {
      this.#inFlight.delete(taskId);
    }
  }

  async #request(taskId: string, request: AnimationRequest): Promise<AnimationOutcome> {
    const { userId, guildId, channelId, roleIds } = request.requester;
    // Kept with the reservation: if the bot dies between the acknowledgement and the record, reconciling
    // refunds it and answers the member with this (src/animation/interrupted-request.ts).
    const caller = interruptedAnswerOf(request.reply, request.locale);
    // Decided first on the member's defaults as known here (none, for most), with no read before the booking;
    // when the booking finds they changed, decided again on a fresh read.
    let options: AnimateOptions;
    let units: number;
    let reservation: ReserveOutcome;
    for (let attempt = 1; ; attempt++) {
      const decided = await this.#optionsOf(request, attempt > 1);
      options = decided.options;
      units = unitsFor(options.duration);
      reservation = await this.#quota.reserve({ taskId, guildId, channelId, userId, roleIds, units, caller, decidedOn: decided.decidedOn });
      if (reservation.ok || !('changed' in reservation)) break;
      if (attempt === 3) throw new Error("the member's defaults changed during three bookings in a row");
    }
    if (!reservation.ok) {
      this.#metrics.quotaRefused(reservation.refusal.kind);
      const { period } = await this.#quota.quota(guildId);
      return { kind: 'refused', refusal: reservation.refusal, period };
    }
    try {
      // Observed whatever the answer: a deferral Discord refused as too late is the one the operator must see.
      await request.acknowledge().finally(() => this.#metrics.acknowledged(this.#clock.now() - request.reply.createdAt));
      // Under a burst, the other members' deferrals go before this record and the work it starts (bounded).
      this.#acknowledgements?.answered(request.reply.id);
      await this.#acknowledgements?.clear();
      await this.#tasks.accept(taskId, {
        requester: { userId, guildId, channelId },
        interaction: request.reply,
        options,
        image: request.image,
        locale: request.locale,
      });
    } catch (error) {
      // Never recorded, so nothing would settle it later: the units go back now (the apology says so).
      await this.#quota.settle(taskId, true, true);
      throw error;
    }
    return { kind: 'accepted', taskId, units };
  }

  /** The request's options, and the member's defaults they were made from: as known here, or read now when `fresh`. */
  async #optionsOf(request: AnimationRequest, fresh: boolean): Promise<{ options: AnimateOptions; decidedOn: StoredText[] }> {
    const { options } = request;
    if (typeof options !== 'function') return { options, decidedOn: [] };
    if (this.#memberDefaults === undefined) return { options: options({}), decidedOn: [] };
    const member = { guildId: request.requester.guildId, userId: request.requester.userId };
    const defaults = fresh ? await this.#memberDefaults.read(member) : this.#memberDefaults.knownOrNone(member);
    return { options: options(defaults.value), decidedOn: [defaults.seen] };
  }
}
