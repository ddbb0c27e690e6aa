/**
 * Housekeeping that keeps "nothing lost" true: at start and then every few minutes, settle reservations
 * left by a crash and pick up open tasks nobody is driving (a task another process stopped working on).
 */
import type { Logger } from '../logger.ts';
import type { QuotaService } from '../quota/quota-service.ts';
import type { Clock } from './clock.ts';
import { isFinal } from './task-record.ts';
import type { TaskStore } from './task-store.ts';
import type { TaskTracker } from './task-tracker.ts';

/** Often enough that a task whose process died (its lease lapsed) is picked up within minutes. */
const SWEEP_EVERY_MS = 60_000;

export class Maintenance {
  readonly #deps: { tracker: TaskTracker; quota: QuotaService; tasks: TaskStore; logger: Logger; clock: Clock };
  #timer: unknown;
  #stopped = false;

  constructor(deps: { tracker: TaskTracker; quota: QuotaService; tasks: TaskStore; logger: Logger; clock: Clock }) {
    this.#deps = deps;
  }

  start(): void {
    void this.sweep(true);
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) this.#deps.clock.clearTimer(this.#timer);
  }

  /** One pass: reconcile reservations, then resume open tasks. Never throws. */
  async sweep(first = false): Promise<void> {
    const { tracker, quota, tasks, logger, clock } = this.#deps;
    try {
      const settled = await quota.reconcile(async (taskId) => {
        const task = await tasks.get(taskId);
        if (!task) return undefined;
        return { final: isFinal(task.state), refund: task.state === 'failed' };
      });
      if (settled > 0 || first) logger.info('reconciled reservations', { settled });
      const resumed = await tracker.resumeOpenTasks();
      if (resumed > 0 || first) logger.info('resumed open tasks', { count: resumed });
    } catch (error) {
      logger.error('maintenance sweep failed', { error });
    }
    if (!this.#stopped) this.#timer = clock.setTimer(() => void this.sweep(), SWEEP_EVERY_MS);
  }
}
