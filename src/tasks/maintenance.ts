/**
 * Housekeeping that keeps "nothing lost" true: at start and then every few minutes, settle reservations
 * left by a crash and pick up open tasks nobody is driving (a task another process stopped working on).
 */
import type { Clock } from '../clock.ts';
import type { Logger } from '../logger.ts';
import { isFinal, providerMayHaveCharged, type TaskRecord } from './task-record.ts';

/** Settles reservations whose task is over (the quota side). */
export interface ReservationReconciler {
  reconcile(
    taskState: (taskId: string) => Promise<{ final: boolean; refund: boolean; operatorRefund: boolean } | undefined>,
  ): Promise<number>;
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
}

/** Often enough that a task whose process died (its lease lapsed) is picked up within minutes. */
const SWEEP_EVERY_MS = 60_000;

export class Maintenance {
  readonly #deps: MaintenanceDeps;
  #timer: unknown;
  #stopped = false;

  constructor(deps: MaintenanceDeps) {
    this.#deps = deps;
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
   */
  async sweep(first = false): Promise<void> {
    const { tracker, quota, tasks, logger, clock } = this.#deps;
    try {
      const settled = await quota.reconcile(async (taskId) => {
        const task = await tasks.get(taskId);
        if (!task) return undefined;
        const failed = task.state === 'failed';
        return { final: isFinal(task.state), refund: failed, operatorRefund: failed && !providerMayHaveCharged(task) };
      });
      if (settled > 0 || first) logger.info('reconciled reservations', { settled });
    } catch (error) {
      logger.error('reconciling reservations failed', { error });
    }
    try {
      const resumed = await tracker.resumeOpenTasks();
      if (resumed > 0 || first) logger.info('resumed open tasks', { count: resumed });
    } catch (error) {
      logger.error('resuming open tasks failed', { error });
    }
    if (!this.#stopped) this.#timer = clock.setTimer(() => void this.sweep(), SWEEP_EVERY_MS);
  }
}
