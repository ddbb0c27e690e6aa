import type { Clock } from '../../src/clock.ts';

/** A clock tests move by hand: timers fire, in order, only inside advance(). */
export class ManualClock implements Clock {
  #now: number;
  #nextHandle = 1;
  readonly #timers = new Map<number, { at: number; callback: () => void }>();

  constructor(start = 0) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimer(callback: () => void, delayMs: number): unknown {
    const handle = this.#nextHandle++;
    this.#timers.set(handle, { at: this.#now + delayMs, callback });
    return handle;
  }

  clearTimer(handle: unknown): void {
    this.#timers.delete(handle as number);
  }

  get pendingTimers(): number {
    return this.#timers.size;
  }

  /** The earliest pending timer's time, if any. */
  get nextTimerAt(): number | undefined {
    let earliest: number | undefined;
    for (const { at } of this.#timers.values()) earliest = earliest === undefined ? at : Math.min(earliest, at);
    return earliest;
  }

  advance(ms: number): void {
    const target = this.#now + ms;
    for (;;) {
      const due = [...this.#timers].filter(([, t]) => t.at <= target).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.#timers.delete(due[0]);
      this.#now = Math.max(this.#now, due[1].at);
      due[1].callback();
    }
    this.#now = target;
  }
}
