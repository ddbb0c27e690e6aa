import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RateSlotRequest, Store } from '../../src/store/store.ts';
import { RequestBudget, StoreRateWindow } from '../../src/video-api/request-budget.ts';
import { backendTitle, storeBackends } from './store-backends.ts';

const REDIS_DB = 9;

const slot = (overrides: Partial<RateSlotRequest> = {}): RateSlotRequest => ({
  name: 'provider',
  limit: 10,
  windowMs: 60_000,
  rank: 2,
  waiter: 'process-a',
  ...overrides,
});

for (const backend of storeBackends(REDIS_DB)) {
  describe.skipIf(backend.skipReason !== undefined)(backendTitle(backend, 'the request budget window'), () => {
    let open: () => Promise<Store>;
    let store: Store;

    beforeEach(async () => {
      open = await backend.empty();
      store = await open();
    });

    afterEach(async () => {
      await store.close();
      await backend.dispose();
    });

    it('gives out exactly the limit of slots in a window, then says how long until the oldest leaves it', async () => {
      const answers = await Promise.all(Array.from({ length: 25 }, () => store.takeRateSlot(slot())));
      expect(answers.filter((wait) => wait === 0)).toHaveLength(10);
      for (const wait of answers.filter((w) => w !== 0)) {
        expect(wait).toBeGreaterThan(59_000);
        expect(wait).toBeLessThanOrEqual(60_000);
      }
    });

    it('keeps separate limits apart', async () => {
      await store.takeRateSlot(slot({ name: 'one', limit: 1 }));
      expect(await store.takeRateSlot(slot({ name: 'two', limit: 1 }))).toBe(0);
      expect(await store.takeRateSlot(slot({ name: 'one', limit: 1 }))).toBeGreaterThan(0);
    });

    it('holds a paced request to its tighter window, while an unpaced one still gets the free slots', async () => {
      const pace = { limit: 2, windowMs: 10_000 };
      expect(await store.takeRateSlot(slot({ pace }))).toBe(0);
      expect(await store.takeRateSlot(slot({ pace }))).toBe(0);
      const wait = await store.takeRateSlot(slot({ pace }));
      expect(wait).toBeGreaterThan(9_000);
      expect(wait).toBeLessThanOrEqual(10_000);
      expect(await store.takeRateSlot(slot({ rank: 1 }))).toBe(0);
    });

    it('gives a slot again once the window has moved on', async () => {
      expect(await store.takeRateSlot(slot({ limit: 1, windowMs: 200 }))).toBe(0);
      const wait = await store.takeRateSlot(slot({ limit: 1, windowMs: 200 }));
      expect(wait).toBeGreaterThan(0);
      await delay(wait + 20);
      expect(await store.takeRateSlot(slot({ limit: 1, windowMs: 200 }))).toBe(0);
    });
  });
}

const redis = storeBackends(REDIS_DB).find((b) => b.name === 'Redis');
if (!redis) throw new Error('no Redis backend');

describe.skipIf(redis.skipReason !== undefined)(backendTitle(redis, 'one request budget shared by two processes'), () => {
  let stores: Store[];

  beforeEach(async () => {
    const open = await redis.empty();
    stores = [await open(), await open()];
  });

  afterEach(async () => {
    await Promise.all(stores.map((s) => s.close()));
    await redis.dispose();
  });

  it('never lets two processes together take more than the limit in a window', async () => {
    const [a, b] = stores;
    if (!a || !b) throw new Error('two stores expected');
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? a : b).takeRateSlot(slot({ waiter: i % 2 === 0 ? 'process-a' : 'process-b' }))),
    );
    expect(answers.filter((wait) => wait === 0)).toHaveLength(10);
  });

  it('drains two processes’ requests at the one shared rate, not at twice it', async () => {
    const perWindow = 4;
    const windowMs = 400;
    const budgets = stores.map(
      (store, i) =>
        new RequestBudget({
          window: new StoreRateWindow({ store, limit: perWindow, windowMs, waiter: `process-${i}` }),
          sleep: (ms) => delay(ms),
        }),
    );
    const started = Date.now();
    await Promise.all(budgets.flatMap((budget) => Array.from({ length: 12 }, (_, i) => budget.acquire({ rank: 'submit', order: i }))));
    // 24 requests at 4 per 400 ms take at least five full windows after the first: two budgets each keeping
    // its own count would have finished in two.
    expect(Date.now() - started).toBeGreaterThanOrEqual(5 * windowMs);
  });

  it('leaves the freed slot to a more urgent request waiting in another process', async () => {
    const [a, b] = stores;
    if (!a || !b) throw new Error('two stores expected');
    const tight = { limit: 1, windowMs: 300 };
    expect(await a.takeRateSlot(slot({ ...tight, waiter: 'process-a' }))).toBe(0);
    // Process A has a poll of a generation about to end waiting (rank 0), process B a submission (rank 1);
    // both are refused for now.
    const pollWait = await a.takeRateSlot(slot({ ...tight, rank: 0, waiter: 'process-a' }));
    expect(pollWait).toBeGreaterThan(0);
    expect(await b.takeRateSlot(slot({ ...tight, rank: 1, waiter: 'process-b' }))).toBeGreaterThan(0);
    await delay(pollWait + 20);
    // The slot is free, but B's submission comes first: it is refused, and A's poll gets the slot.
    expect(await b.takeRateSlot(slot({ ...tight, rank: 1, waiter: 'process-b' }))).toBeGreaterThan(0);
    expect(await a.takeRateSlot(slot({ ...tight, rank: 0, waiter: 'process-a' }))).toBe(0);
  });

  it('stops holding slots for a waiter whose process stopped asking', async () => {
    const [a, b] = stores;
    if (!a || !b) throw new Error('two stores expected');
    const tight = { limit: 1, windowMs: 200 };
    await a.takeRateSlot(slot({ ...tight, waiter: 'process-a' }));
    const wait = await a.takeRateSlot(slot({ ...tight, rank: 0, waiter: 'process-a' }));
    // Process A dies here. Its place among the waiting lapses a little after it said it would ask again.
    await delay(wait + 1_200);
    expect(await b.takeRateSlot(slot({ ...tight, rank: 2, waiter: 'process-b' }))).toBe(0);
  });
});
