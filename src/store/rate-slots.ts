/**
 * A rolling-window rate limit kept in this process's memory: at most `limit` slots taken in any `windowMs`.
 * The SQLite store's (one process owns the file, so its memory is the whole truth) and the budget's default.
 */
import type { RateSlotRequest } from './store.ts';

export class InMemoryRateSlots {
  /** Per window name, the times its slots were taken, oldest first. */
  readonly #taken = new Map<string, number[]>();

  /** 0 when a slot was taken at `now`, otherwise the milliseconds until one may be free. */
  take(request: Pick<RateSlotRequest, 'name' | 'limit' | 'windowMs' | 'pace'>, now: number): number {
    let starts = this.#taken.get(request.name);
    if (!starts) {
      starts = [];
      this.#taken.set(request.name, starts);
    }
    while (starts.length > 0 && (starts[0] ?? 0) <= now - request.windowMs) starts.shift();
    if (starts.length >= request.limit) return Math.max(1, (starts[0] ?? now) + request.windowMs - now);
    if (request.pace) {
      const { limit, windowMs } = request.pace;
      const recent = starts.filter((at) => at > now - windowMs);
      if (recent.length >= limit) return Math.max(1, (recent[0] ?? now) + windowMs - now);
    }
    starts.push(now);
    return 0;
  }
}
