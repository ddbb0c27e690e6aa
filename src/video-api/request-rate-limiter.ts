/**
 * The provider limits requests per minute per account and documents no number, so every request the bot
 * makes (submits and polls alike) passes through one configurable cap: at most N requests start in any
 * rolling 60 s window. Callers wait their turn in arrival order.
 */

export interface RequestRateLimiterOptions {
  requestsPerMinute: number;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

const WINDOW_MS = 60_000;

export class RequestRateLimiter {
  readonly #limit: number;
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  /** Start times of the requests inside the current window, oldest first. */
  readonly #starts: number[] = [];
  /** Turns are handed out one at a time so two waiters never both see a free slot. */
  #tail: Promise<void> = Promise.resolve();

  constructor(options: RequestRateLimiterOptions) {
    if (!Number.isInteger(options.requestsPerMinute) || options.requestsPerMinute < 1) {
      throw new RangeError('requestsPerMinute must be a whole number of at least 1');
    }
    this.#limit = options.requestsPerMinute;
    this.#now = options.now;
    this.#sleep = options.sleep;
  }

  /** Resolves when the caller may start a request; the start is counted at that moment. */
  acquire(): Promise<void> {
    const turn = this.#tail.then(() => this.#takeSlot());
    // A failing sleep must not wedge every later caller.
    this.#tail = turn.catch(() => undefined);
    return turn;
  }

  async #takeSlot(): Promise<void> {
    this.#forgetBefore(this.#now() - WINDOW_MS);
    if (this.#starts.length >= this.#limit) {
      const oldest = this.#starts[0] ?? this.#now();
      const wait = oldest + WINDOW_MS - this.#now();
      if (wait > 0) await this.#sleep(wait);
      // The oldest start has left the window by now; dropping it without re-reading the clock keeps a
      // sleep that does not advance time (a test double) from looping forever.
      this.#starts.shift();
    }
    this.#starts.push(this.#now());
  }

  #forgetBefore(cutoff: number): void {
    while (this.#starts.length > 0 && (this.#starts[0] ?? 0) <= cutoff) this.#starts.shift();
  }
}
