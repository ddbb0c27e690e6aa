import type { Clock } from '../clock.ts';

/**
 * One timer for every task: each task has at most one due time, and the single timer is armed for the
 * earliest. Thousands of waiting generations cost one timer, and stopping the bot cancels everything at once.
 */
export class TaskScheduler {
  readonly #clock: Clock;
  readonly #run: (taskId: string) => void;
  readonly #due = new Map<string, number>();
  #timer: unknown;
  #timerAt = Infinity;
  #stopped = false;

  /** `run` is called when a task falls due; it must not throw (it owns its errors). */
  constructor(clock: Clock, run: (taskId: string) => void) {
    this.#clock = clock;
    this.#run = run;
  }

  /** Runs the task at `atMs` (replacing any earlier schedule for it). */
  schedule(taskId: string, atMs: number): void {
    if (this.#stopped) return;
    this.#due.set(taskId, atMs);
    this.#arm();
  }

  /** Whether the task already has a time to run. */
  has(taskId: string): boolean {
    return this.#due.has(taskId);
  }

  cancel(taskId: string): void {
    this.#due.delete(taskId);
  }

  get size(): number {
    return this.#due.size;
  }

  stop(): void {
    this.#stopped = true;
    this.#due.clear();
    if (this.#timer !== undefined) this.#clock.clearTimer(this.#timer);
    this.#timer = undefined;
  }

  #arm(): void {
    let earliest = Infinity;
    for (const at of this.#due.values()) earliest = Math.min(earliest, at);
    if (earliest === Infinity || earliest >= this.#timerAt) return;
    if (this.#timer !== undefined) this.#clock.clearTimer(this.#timer);
    this.#timerAt = earliest;
    this.#timer = this.#clock.setTimer(() => this.#fire(), Math.max(0, earliest - this.#clock.now()));
  }

  #fire(): void {
    this.#timer = undefined;
    this.#timerAt = Infinity;
    const now = this.#clock.now();
    const ready = [...this.#due].filter(([, at]) => at <= now).map(([id]) => id);
    for (const id of ready) this.#due.delete(id);
    this.#arm();
    for (const id of ready) this.#run(id);
  }
}
