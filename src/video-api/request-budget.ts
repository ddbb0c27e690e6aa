/**
 * The provider's request budget (HIGHWAY_REQUESTS_PER_MINUTE), spent on the tasks closest to finishing first.
 *
 * The provider limits requests per minute per account and documents no number, so every request the bot makes
 * (submits, polls, their retries) takes a slot from one rolling 60 s window first. The window itself is a
 * `RateWindow`: in this process for one process (SQLite), in Redis for every process sharing it (see
 * Store.takeRateSlot). This class orders this process's waiting requests: a poll of a generation about to
 * finish goes before other polls, and polls before submissions, so a burst of a thousand submissions drains at
 * the budget's pace without delaying a single running task's poll by more than one slot.
 */
import { InMemoryRateSlots } from '../store/rate-slots.ts';
import type { Store } from '../store/store.ts';

/**
 * What a request is for, most urgent first. `finishing`: a poll of a generation whose expected end has come or
 * is seconds away (or a member's explicit request), where a finished video may be waiting; `submit`: a new
 * generation, which starts a member's wait of minutes; `poll`: a poll of a generation far from its end, which
 * can only report progress, and becomes `finishing` at its `urgentAt` while it waits.
 */
export const REQUEST_RANKS = ['finishing', 'submit', 'poll'] as const;
export type RequestRank = (typeof REQUEST_RANKS)[number];

export interface RequestPriority {
  rank: RequestRank;
  /** Within a rank, lower goes first: a poll's expected finish, a submission's creation time (epoch ms). */
  order: number;
  /** When a waiting request of a lower rank becomes `finishing` (epoch ms on the budget's clock). */
  urgentAt?: number;
}

/** A request nothing says more about (a member's resend, a caller that does not know): the most urgent. */
export const URGENT: RequestPriority = { rank: 'finishing', order: Number.NEGATIVE_INFINITY };

export interface RateWindow {
  /**
   * Takes one slot of the rolling window now, for a request of `rank` (an index into REQUEST_RANKS, 0 most
   * urgent). Resolves 0 when taken, otherwise the milliseconds after which asking again may succeed.
   */
  take(rank: number): Promise<number>;
}

export interface RequestBudgetOptions {
  window: RateWindow;
  sleep: (ms: number) => Promise<void>;
  /** The clock `urgentAt` is on. Default: Date.now. */
  now?: () => number;
}

interface Waiter {
  priority: RequestPriority;
  /** Arrival order, the last tie-break: equal priorities are served first come, first served. */
  seq: number;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * The budget was stopped (the process is stopping): the request was abandoned before it was sent, so the
 * caller must record nothing of it and leave the task as it was for the next start.
 */
export class RequestBudgetStopping extends Error {
  constructor() {
    super('the request budget is stopping: the request was not sent');
    this.name = 'RequestBudgetStopping';
  }
}

export class RequestBudget {
  readonly #window: RateWindow;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #now: () => number;
  /** Waiting requests, most urgent first. */
  readonly #queue: Waiter[] = [];
  #seq = 0;
  /** Whether the one loop that hands out slots is running: one asker at a time keeps the order exact. */
  #pumping = false;
  /** Ends the loop's current wait early, set while it waits. */
  #wake: (() => void) | undefined;
  #stopped = false;
  /** Told when the budget stops: the waits `orStop` is ending. */
  readonly #onStop = new Set<() => void>();

  constructor(options: RequestBudgetOptions) {
    this.#window = options.window;
    this.#sleep = options.sleep;
    this.#now = options.now ?? Date.now;
  }

  /** How many requests are waiting for a slot in this process. */
  get waiting(): number {
    return this.#queue.length;
  }

  /** Resolves when the caller may send its request (its slot is counted from that moment). */
  acquire(priority: RequestPriority = URGENT): Promise<void> {
    if (this.#stopped) return Promise.reject(new RequestBudgetStopping());
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { priority, seq: this.#seq++, resolve, reject };
      const at = this.#enqueue(waiter);
      // A new head may find a slot the one before could not (a poll is not held back by the submissions'
      // pace): the loop stops waiting for the old head and asks again at once.
      if (at === 0) this.#wake?.();
      void this.#pump();
    });
  }

  /**
   * Abandons every waiting request, and refuses later ones at once, with RequestBudgetStopping: a stopping
   * process sends none of its backlog (minutes of it, after a burst), so its steps end now and the tasks stay
   * as they were stored, for the next start to pick up.
   */
  stop(): void {
    this.#stopped = true;
    for (const waiter of this.#queue.splice(0)) waiter.reject(new RequestBudgetStopping());
    for (const abandon of this.#onStop) abandon();
    this.#wake?.();
  }

  /**
   * `pending` (a retry's back-off before it asks for a slot again), unless the budget stops first: then
   * RequestBudgetStopping at once, as for a request waiting in the queue, so a stop does not wait out a
   * provider's Retry-After.
   */
  orStop<T>(pending: Promise<T>): Promise<T> {
    if (this.#stopped) return Promise.reject(new RequestBudgetStopping());
    return new Promise<T>((resolve, reject) => {
      const abandon = () => {
        reject(new RequestBudgetStopping());
      };
      this.#onStop.add(abandon);
      pending.then(resolve, reject).finally(() => this.#onStop.delete(abandon));
    });
  }

  #enqueue(waiter: Waiter): number {
    const at = this.#queue.findIndex((other) => comesBefore(waiter, other));
    if (at === -1) this.#queue.push(waiter);
    else this.#queue.splice(at, 0, waiter);
    return at === -1 ? this.#queue.length - 1 : at;
  }

  /** Moves the waiting polls whose generation is now near its end up to `finishing`; returns ms until the next. */
  #promote(): number {
    const now = this.#now();
    let next = Number.POSITIVE_INFINITY;
    const due = this.#queue.filter(
      (w) => w.priority.rank !== 'finishing' && w.priority.urgentAt !== undefined && w.priority.urgentAt <= now,
    );
    for (const waiter of due) {
      this.#queue.splice(this.#queue.indexOf(waiter), 1);
      waiter.priority = { rank: 'finishing', order: waiter.priority.order };
      this.#enqueue(waiter);
    }
    for (const w of this.#queue) {
      if (w.priority.rank !== 'finishing' && w.priority.urgentAt !== undefined) next = Math.min(next, w.priority.urgentAt - now);
    }
    return next;
  }

  async #pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      for (
        let untilPromotion = this.#promote(), head = this.#queue[0];
        head !== undefined;
        untilPromotion = this.#promote(), head = this.#queue[0]
      ) {
        let waitMs: number;
        try {
          waitMs = await this.#window.take(rankIndex(head.priority.rank));
        } catch (error) {
          // The shared window could not be read (the store is failing): this request fails like any request
          // that cannot be sent, and the others try again.
          this.#queue.splice(this.#queue.indexOf(head), 1);
          head.reject(error);
          continue;
        }
        if (waitMs <= 0) {
          // A more urgent request may have arrived while asking: the slot is its.
          this.#queue.shift()?.resolve();
          continue;
        }
        await Promise.race([
          // A waiting poll that becomes urgent meanwhile is looked at when it does.
          this.#sleep(Math.max(1, Math.min(waitMs, untilPromotion))),
          new Promise<void>((resolve) => {
            this.#wake = resolve;
          }),
        ]);
        this.#wake = undefined;
      }
    } finally {
      this.#pumping = false;
    }
  }
}

function rankIndex(rank: RequestRank): number {
  return REQUEST_RANKS.indexOf(rank);
}

function comesBefore(a: Waiter, b: Waiter): boolean {
  const byRank = rankIndex(a.priority.rank) - rankIndex(b.priority.rank);
  if (byRank !== 0) return byRank < 0;
  if (a.priority.order !== b.priority.order) return a.priority.order < b.priority.order;
  return a.seq < b.seq;
}

/**
 * The window of one process: at most `limit` starts in any rolling `windowMs`. The client's default, when no
 * store is given (tools, tests); the bot itself uses its store's window (StoreRateWindow).
 */
export class LocalRateWindow implements RateWindow {
  readonly #slots = new InMemoryRateSlots();
  readonly #request: { name: string; limit: number; windowMs: number };
  readonly #now: () => number;

  constructor(options: { limit: number; windowMs?: number; now: () => number }) {
    checkLimit(options.limit);
    this.#request = { name: 'local', limit: options.limit, windowMs: options.windowMs ?? RATE_WINDOW_MS };
    this.#now = options.now;
  }

  take(rank: number): Promise<number> {
    const { limit, windowMs } = this.#request;
    const pace = paceFor(rank, limit, windowMs);
    return Promise.resolve(this.#slots.take({ ...this.#request, ...(pace ? { pace } : {}) }, this.#now()));
  }
}

/**
 * The window kept by the store: in the SQLite store's process, or in Redis for every process sharing it, so
 * that HIGHWAY_REQUESTS_PER_MINUTE is the account's rate however many bot processes run.
 */
export class StoreRateWindow implements RateWindow {
  readonly #store: Pick<Store, 'takeRateSlot'>;
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #waiter: string;

  /** `waiter`: this process's name among the waiting (unique per process). */
  constructor(options: { store: Pick<Store, 'takeRateSlot'>; limit: number; waiter: string; windowMs?: number }) {
    checkLimit(options.limit);
    this.#store = options.store;
    this.#limit = options.limit;
    this.#windowMs = options.windowMs ?? RATE_WINDOW_MS;
    this.#waiter = options.waiter;
  }

  take(rank: number): Promise<number> {
    const pace = paceFor(rank, this.#limit, this.#windowMs);
    return this.#store.takeRateSlot({
      name: PROVIDER_WINDOW,
      limit: this.#limit,
      windowMs: this.#windowMs,
      rank,
      waiter: this.#waiter,
      ...(pace ? { pace } : {}),
    });
  }
}

/** A twelfth of the window: at 120 a minute, at most 10 submissions in any 5 s. */
const PACE_PARTS = 12;

/**
 * Submissions spend the budget evenly, a twelfth of it per twelfth of the window: a backlog of a thousand
 * cannot take a whole minute's slots in its first instant, so a poll falling due in that minute finds a free
 * slot within seconds instead of waiting for the minute to roll over. The drain rate stays the full budget.
 */
function paceFor(rank: number, limit: number, windowMs: number): { limit: number; windowMs: number } | undefined {
  if (rank < REQUEST_RANKS.indexOf('submit')) return undefined;
  return { limit: Math.max(1, Math.ceil(limit / PACE_PARTS)), windowMs: windowMs / PACE_PARTS };
}

/** The provider's limits are per minute. */
export const RATE_WINDOW_MS = 60_000;
/** The name of the provider's window in the store. */
const PROVIDER_WINDOW = 'highway';

export function checkLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError('requestsPerMinute must be a whole number of at least 1');
}
