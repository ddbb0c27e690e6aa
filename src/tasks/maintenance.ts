/**
 * Housekeeping that keeps "nothing lost" true: at start and then every few minutes, settle reservations
 * left by a crash and pick up open tasks nobody is driving (a task another process stopped working on).
 */
import type { Clock } from '../clock.ts';
import type { Logger } from '../logger.ts';
import type { RefundedOrphan } from '../quota/quota-service.ts';
import { isFinal, providerMayHaveCharged, type TaskRecord } from './task-record.ts';

/** Settles reservations whose task is over (the quota side). */
export interface ReservationReconciler {
  reconcile(
    taskState: (taskId: string) => Promise<{ final: boolean; refund: boolean; operatorRefund: boolean } | undefined>,
    onOrphan?: (orphan: RefundedOrphan) => Promise<void>,
  ): Promise<number>;
}

/** Told of each request refunded because its task was never recorded (src/animation/interrupted-request.ts). */
export interface OrphanHandler {
  refunded(orphan: RefundedOrphan): Promise<void>;
}

/** Picks up open tasks nobody is driving (the tracker). */
export interface TaskResumer {
  resumeOpenTasks(): Promise<number>;
}

export interface MaintenanceDeps {
  tracker: TaskResumer;
  quota: ReservationReconciler;
  tasks: { get(id: string): Promise<TaskRecord | undefined> };
  logger: Logger;
  clock: Clock;
  /** Answers the member of a request refunded because the bot died before recording it. */
  orphans?: OrphanHandler;
  /**
   * The requests this process is still answering (reserved, not yet recorded): never orphans, however slow
   * their deferral. Default: none.
   */
  requestsInFlight?: { has(taskId: string): boolean };
  /**
   * How often open tasks nobody drives are looked for. Several processes on one store: the takeover sweep
   * (task-leases.ts), so a dead process's tasks are taken over soon after their leases lapse. Default: a minute.
   */
  resumeEveryMs?: number;
}

/** Reservations left by a crash are settled this often; a minute late costs nothing. */
const RECONCILE_EVERY_MS = 60_000;

export class Maintenance {
  readonly #deps: MaintenanceDeps;
  #timer: unknown;
  #stopped = false;
  readonly #resumeEveryMs: number;
  /** Every how many sweeps one reconciles too. */
  readonly #reconcileEvery: number;
  #sweeps = 0;

  constructor(deps: MaintenanceDeps) {
    this.#deps = deps;
    this.#resumeEveryMs = deps.resumeEveryMs ?? RECONCILE_EVERY_MS;
    this.#reconcileEvery = Math.max(1, Math.round(RECONCILE_EVERY_MS / this.#resumeEveryMs));
  }

  start(): void {
    void this.sweep(true);
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) this.#deps.clock.clearTimer(this.#timer);
  }

  /**
   * One pass: reconcile reservations, then resume open tasks. The two are independent: one failing (an
   * unreadable reservation, a store hiccup) never keeps a healthy task from being resumed. Never throws.
   * `reconcile`: false on the takeover sweeps in between reconciliations.
   */
  async sweep(first = false, reconcile = true): Promise<void> {
    const { tracker, logger, clock } = this.#deps;
    if (reconcile) await this.#reconcile(first);
    try {
      const resumed = await tracker.resumeOpenTasks();
      if (resumed > 0 || first) logger.info('resumed open tasks', { count: resumed });
    } catch (error) {
      logger.error('resuming open tasks failed', { error });
    }
    if (!this.#stopped) {
      this.#timer = clock.setTimer(() => {
        this.#sweeps++;
        void this.sweep(false, this.#sweeps % this.#reconcileEvery === 0);
      }, this.#resumeEveryMs);
    }
  }

  async #reconcile(first: boolean): Promise<void> {
    const { quota, tasks, logger, orphans, requestsInFlight } = this.#deps;
    try {
      const taskState = async (taskId: string) => {
        // Still being answered here: open, whatever the record says (it is written once the deferral is sent).
        if (requestsInFlight?.has(taskId)) return { final: false, refund: false, operatorRefund: false };
        const task = await tasks.get(taskId);
        if (!task) return undefined;
        const failed = task.state === 'failed';
        return { final: isFinal(task.state), refund: failed, operatorRefund: failed && !providerMayHaveCharged(task) };
      };
      const settled = await (orphans ? quota.reconcile(taskState, async (orphan) => orphans.refunded(orphan)) : quota.reconcile(taskState));
      if (settled > 0 || first) logger.info('reconciled reservations', { settled });
    } catch (error) {
      logger.error('reconciling reservations failed', { error });
    }
  }
}
