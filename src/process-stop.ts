/**
 * How the process stops on SIGTERM or SIGINT: once, cleanly, and in bounded time. Docker and most supervisors
 * send SIGKILL 10 s after SIGTERM, so the bot gives itself 8 s: writes in flight finish, the store is closed,
 * and the process exits 0 with "stopped" as its last line. If something hangs it exits anyway at the cap; a
 * second signal (an impatient operator) exits at once. Signals that arrive before the bot has started are
 * kept: the stop begins as soon as there is something to stop.
 */
import type { Clock } from './clock.ts';
import { describeError } from './describe-error.ts';
import type { Logger } from './logger.ts';

/** Under Docker's and systemd's default grace of 10 s before SIGKILL, with room to spare. */
export const STOP_HARD_CAP_MS = 8_000;
/**
 * A repeat this soon is the same request delivered twice, not a second one: Ctrl-C signals the terminal's
 * whole foreground group, so under `npm start` the bot gets SIGINT from the terminal and npm forwards its own.
 */
export const SAME_REQUEST_MS = 500;

/** Timers here keep the process alive (unlike the bot's own): the cap must fire even if all else is idle. */
const processClock: Clock = {
  now: () => Date.now(),
  setTimer: (callback, delayMs) => setTimeout(callback, delayMs),
  clearTimer: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface ProcessStopOptions {
  logger: Logger;
  /** Ends the process; process.exit in production. */
  exit: (code: number) => void;
  clock?: Clock;
  hardCapMs?: number;
}

export class ProcessStop {
  readonly #logger: Logger;
  readonly #exit: (code: number) => void;
  readonly #clock: Clock;
  readonly #hardCapMs: number;
  #stop: (() => Promise<void>) | undefined;
  #requestedAt: number | undefined;
  #stopping = false;
  #exited = false;

  constructor(options: ProcessStopOptions) {
    this.#logger = options.logger;
    this.#exit = options.exit;
    this.#clock = options.clock ?? processClock;
    this.#hardCapMs = options.hardCapMs ?? STOP_HARD_CAP_MS;
  }

  /** Whether a stop has been asked for. */
  get requested(): boolean {
    return this.#requestedAt !== undefined;
  }

  /** Called for each SIGTERM or SIGINT. */
  signal(signal: string): void {
    const now = this.#clock.now();
    if (this.#requestedAt === undefined) {
      this.#requestedAt = now;
      this.#logger.info('stopping', { signal });
      this.#clock.setTimer(() => {
        this.#logger.error('the stop did not finish in time: exiting anyway', { afterMs: this.#hardCapMs });
        this.#finish(1);
      }, this.#hardCapMs);
      this.#begin();
      return;
    }
    if (now - this.#requestedAt < SAME_REQUEST_MS) return;
    this.#logger.warn('second signal: exiting at once', { signal });
    this.#finish(1);
  }

  /** The running bot's stop; if a signal came while it was starting, stopping begins now. */
  attach(stop: () => Promise<void>): void {
    this.#stop = stop;
    this.#begin();
  }

  #begin(): void {
    const stop = this.#stop;
    if (stop === undefined || this.#requestedAt === undefined || this.#stopping) return;
    this.#stopping = true;
    stop().then(
      () => this.#finish(0),
      (error: unknown) => {
        this.#logger.error('the stop failed', { reason: describeError(error) });
        this.#finish(1);
      },
    );
  }

  #finish(code: number): void {
    if (this.#exited) return;
    this.#exited = true;
    this.#logger.info('stopped', code === 0 ? {} : { clean: false });
    this.#exit(code);
  }
}
