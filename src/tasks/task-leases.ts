/**
 * Task leases, for stores shared by several processes (Redis): only the process holding a task's lease drives
 * it, so two processes do not both work on one task. A lease is short and renewed on a timer of its own, so it
 * lasts through the longest step (a submission, a download, an upload) and lapses soon after its process
 * dies; the periodic takeover sweep then hands the task to another process. The lease is a courtesy, not the
 * fence: a process that stalled past its lease is stopped by the record's compare-and-set (task-store.ts
 * `put`) and the submitted mark. SQLite takes no leases: the file's exclusive lock fences its one process.
 */
import type { Clock } from '../clock.ts';
import type { Logger } from '../logger.ts';
import type { TaskStore } from './task-store.ts';

export interface LeaseTiming {
  /** How long a lease lasts unless renewed. */
  leaseMs: number;
  /** How often the leases held are renewed: several times per lease, so one slow renewal loses nothing. */
  renewEveryMs: number;
  /** How often open tasks nobody holds are looked for (maintenance.ts), so a dead process's are taken over. */
  takeoverEveryMs: number;
}

/**
 * A dead process's task is taken over at most lease (30 s, counted from its last renewal, so at most 30 s
 * after the death) plus one takeover sweep (10 s) later: within 40 s.
 */
export const DEFAULT_LEASE_TIMING: LeaseTiming = { leaseMs: 30_000, renewEveryMs: 10_000, takeoverEveryMs: 10_000 };

export interface TaskLeasesDeps {
  store: Pick<TaskStore, 'claimLease' | 'releaseLease'>;
  /** This process's name on the leases it holds. */
  owner: string;
  clock: Clock;
  logger: Logger;
  timing: LeaseTiming;
  /** Told when a renewal finds the lease taken by another process, which drives the task from then on. */
  onLost: (id: string) => void;
}

export class TaskLeases {
  readonly #deps: TaskLeasesDeps;
  readonly #held = new Set<string>();
  #timer: unknown;
  #stopped = false;

  constructor(deps: TaskLeasesDeps) {
    this.#deps = deps;
  }

  /** Whether this process still holds the task's lease, as of the last renewal. */
  holds(id: string): boolean {
    return this.#held.has(id);
  }

  /** Takes (or keeps) the task's lease; false when another process holds it. */
  async take(id: string): Promise<boolean> {
    if (this.#stopped) return false;
    const { store, owner, timing } = this.#deps;
    if (await store.claimLease(id, owner, timing.leaseMs)) {
      this.#held.add(id);
      this.#arm();
      return true;
    }
    this.#held.delete(id);
    return false;
  }

  /** Gives the lease up (the task is final), so nothing renews it. */
  async release(id: string): Promise<void> {
    this.#held.delete(id);
    await this.#deps.store.releaseLease(id, this.#deps.owner);
  }

  /** Stops renewing and gives every lease up, so another process takes the tasks over at once. */
  async releaseAll(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) this.#deps.clock.clearTimer(this.#timer);
    this.#timer = undefined;
    const ids = [...this.#held];
    this.#held.clear();
    await Promise.allSettled(ids.map((id) => this.#deps.store.releaseLease(id, this.#deps.owner)));
  }

  #arm(): void {
    if (this.#timer !== undefined || this.#stopped) return;
    this.#timer = this.#deps.clock.setTimer(() => void this.#renew(), this.#deps.timing.renewEveryMs);
  }

  async #renew(): Promise<void> {
    this.#timer = undefined;
    const { store, owner, timing, logger } = this.#deps;
    await Promise.all(
      [...this.#held].map(async (id) => {
        try {
          if (await store.claimLease(id, owner, timing.leaseMs)) {
            // Given up while this renewal was on its way (the task ended, the process is stopping): give it
            // up again, or the renewal would keep others waiting for a lease nobody holds.
            if (!this.#held.has(id)) await store.releaseLease(id, owner);
            return;
          }
          // Released meanwhile (the task ended): nothing was lost.
          if (!this.#held.delete(id)) return;
          logger.warn('task lease lost to another process, which drives the task from now on', { taskId: id });
          this.#deps.onLost(id);
        } catch (error) {
          // The store is failing: keep trying; should the lease lapse meanwhile, the record's compare-and-set
          // still keeps this process from writing over another's work.
          logger.warn('could not renew a task lease', { taskId: id, error });
        }
      }),
    );
    if (this.#held.size > 0) this.#arm();
  }
}
