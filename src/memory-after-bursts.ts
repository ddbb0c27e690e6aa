/**
 * Gives back, once a burst is over, the memory V8 kept for it.
 *
 * During a burst of a thousand commands V8's heap grows (every picture passes through it several times), and
 * after its collections it keeps the pages it no longer needs in a pool for later, with the young generation
 * at the size the burst gave it: 60 to 150 MiB resident, measured, with 40 to 50 MiB of the heap in use. V8 gives
 * them back only in a collection that reduces memory, which its own memory reducer starts once the process
 * allocates little; a bot polling a thousand open tasks never does, so it kept them for good (420 to 460 MiB
 * resident at 1000 open tasks). This runs that collection itself, once a burst of picture work has drained and
 * the line stayed empty a moment: it pauses the process for 0.13 to 0.23 s, once per burst and at most once a
 * minute, and a thousand open tasks then held 173 to 195 MiB.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Clock } from './clock.ts';
import type { Logger } from './logger.ts';

export interface MemoryAfterBurstsOptions {
  clock: Clock;
  /** Told of each release: how long the process paused, and its resident memory before and after. */
  logger?: Logger;
  /** Gives the memory back (default: `releaseUnusedMemory`). */
  release?: () => void;
  /** Pieces of work since the last release that make a burst. Default 50 (50 pictures, 30 MB of garbage). */
  burstSize?: number;
  /** How long the line stays empty before the burst counts as over. Default 1 s. */
  quietMs?: number;
  /** The least time between two releases. Default one minute. */
  minIntervalMs?: number;
}

/** Counts the burst's work as it starts and finishes, and releases memory once it is over (see above). */
export class MemoryAfterBursts {
  readonly #clock: Clock;
  readonly #logger: Logger | undefined;
  readonly #release: () => void;
  readonly #burstSize: number;
  readonly #quietMs: number;
  readonly #minIntervalMs: number;
  #active = 0;
  #doneSinceRelease = 0;
  #lastReleaseAt = Number.NEGATIVE_INFINITY;
  #timer: unknown;

  constructor(options: MemoryAfterBurstsOptions) {
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#release = options.release ?? releaseUnusedMemory;
    this.#burstSize = options.burstSize ?? 50;
    this.#quietMs = options.quietMs ?? 1_000;
    this.#minIntervalMs = options.minIntervalMs ?? 60_000;
  }

  /** Runs one piece of burst work (a picture's download and check), counted. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    this.#active++;
    this.#disarm();
    try {
      return await work();
    } finally {
      this.#active--;
      this.#doneSinceRelease++;
      if (this.#active === 0 && this.#doneSinceRelease >= this.#burstSize) this.#arm(this.#quietMs);
    }
  }

  /** Forgets a release still to come (the process is stopping). */
  stop(): void {
    this.#disarm();
  }

  #arm(delayMs: number): void {
    this.#disarm();
    this.#timer = this.#clock.setTimer(() => {
      this.#timer = undefined;
      this.#releaseNow();
    }, delayMs);
  }

  #disarm(): void {
    if (this.#timer !== undefined) this.#clock.clearTimer(this.#timer);
    this.#timer = undefined;
  }

  #releaseNow(): void {
    if (this.#active > 0) return;
    const waitMs = this.#lastReleaseAt + this.#minIntervalMs - this.#clock.now();
    if (waitMs > 0) {
      this.#arm(waitMs);
      return;
    }
    this.#lastReleaseAt = this.#clock.now();
    const pictures = this.#doneSinceRelease;
    this.#doneSinceRelease = 0;
    const residentBefore = process.memoryUsage.rss();
    const startedAt = performance.now();
    this.#release();
    this.#logger?.info('memory given back after a burst', {
      pictures,
      pauseMs: Math.round(performance.now() - startedAt),
      residentMiBBefore: mebibytes(residentBefore),
      residentMiBAfter: mebibytes(process.memoryUsage.rss()),
    });
  }
}

let collect: ((options: Record<string, string>) => void) | undefined;

/**
 * One full garbage collection that reduces memory: V8 compacts the heap, gives its pooled pages back to the
 * system and shrinks the young generation. The collection function V8 exposes under `--expose-gc` is taken from
 * a fresh context, so it never becomes a global of the bot's own (nor of any dependency's).
 */
export function releaseUnusedMemory(): void {
  collect ??= collectionFunction();
  // "last-resort": V8's low-memory collection, the one that reduces memory; "sync": now, not at some later task.
  collect({ type: 'major', execution: 'sync', flavor: 'last-resort' });
}

/**
 * One full collection of what starting left behind (modules loaded and compiled, the store opened), run just
 * before the bot connects to Discord, when no command can arrive yet. Left to V8, that garbage was collected
 * during the first burst after a start (when members who saw the bot offline retry together), in pauses that
 * every deferral of the burst waited for: with it, the bot's CPU time up to the p99 of a burst of 100 on Redis
 * was 1.28 to 1.33 times that of a bot that only defers, instead of 1.50 to 1.61 (median of seven interleaved
 * rounds). The heap grows back as work comes; nothing is given back to the system that must be taken again.
 * Logged at debug, with the pause and the heap in use before and after.
 */
export function collectStartGarbage(logger: Logger): void {
  collect ??= collectionFunction();
  const heapBefore = process.memoryUsage().heapUsed;
  const startedAt = performance.now();
  collect({ type: 'major', execution: 'sync' });
  // Tenths: what a start leaves can be less than a MiB.
  logger.debug("start's garbage collected", {
    pauseMs: Math.round(performance.now() - startedAt),
    heapMiBBefore: mebibytes(heapBefore, 1),
    heapMiBAfter: mebibytes(process.memoryUsage().heapUsed, 1),
  });
}

const mebibytes = (bytes: number, decimals = 0) => Math.round((bytes / 2 ** 20) * 10 ** decimals) / 10 ** decimals;

function collectionFunction(): (options: Record<string, string>) => void {
  setFlagsFromString('--expose-gc');
  const gc: unknown = runInNewContext('gc');
  if (typeof gc !== 'function') throw new Error('V8 did not expose its garbage collection function');
  return gc as (options: Record<string, string>) => void;
}
