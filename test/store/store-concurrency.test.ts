import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ReservationCounter, Store } from '../../src/store/store.ts';
import { RedisStore } from '../../src/store/redis-store.ts';
import { backendTitle, redisDatabaseUrl, redisSkipReason, storeBackends } from './store-backends.ts';

const REDIS_DB = 2;
const slot: ReservationCounter = { key: 'running:guild-1', amount: 1, limit: 3, held: true };

/** Fires `count` different reservations for one slot, all at once; resolves how many got through. */
async function reserveAtOnce(store: Store, prefix: string, count: number): Promise<number> {
  const results = await Promise.all(Array.from({ length: count }, (_, i) => store.reserve(`${prefix}-${i}`, [slot], '{}', Date.now())));
  return results.filter((r) => r.ok).length;
}

for (const backend of storeBackends(REDIS_DB)) {
  describe.skipIf(backend.skipReason !== undefined)(backendTitle(backend, 'reservations racing'), () => {
    let store: Store;

    beforeEach(async () => {
      store = await (await backend.empty())();
    });

    afterEach(async () => {
      await store.close();
      await backend.dispose();
    });

    it('lets exactly 3 of 20 simultaneous reservations through a limit of 3', async () => {
      expect(await reserveAtOnce(store, 'task', 20)).toBe(3);
      expect(await store.counter('running:guild-1')).toBe(3);
      expect(await store.listReservations()).toHaveLength(3);
    });

    it('never lets a slot be taken twice while reservations and settlements interleave', async () => {
      await reserveAtOnce(store, 'first', 3);
      const outcomes = await Promise.all([
        store.settle('first-0', false),
        store.settle('first-1', false),
        ...Array.from({ length: 10 }, (_, i) => store.reserve(`second-${i}`, [slot], '{}', Date.now())),
      ]);
      const reserved = outcomes.filter((o) => typeof o === 'object' && o.ok).length;
      expect(await store.counter('running:guild-1')).toBe(1 + reserved);
      expect(await store.counter('running:guild-1')).toBeLessThanOrEqual(3);
      expect(await store.listReservations()).toHaveLength(1 + reserved);
    });
  });
}

describe.skipIf(redisSkipReason !== undefined)(
  redisSkipReason === undefined
    ? 'Redis reservations racing across connections and processes'
    : `Redis across processes (skipped: ${redisSkipReason})`,
  () => {
    const backend = storeBackends(REDIS_DB).find((b) => b.name === 'Redis');
    const stores: Store[] = [];

    beforeEach(async () => {
      await backend?.empty();
    });

    afterEach(async () => {
      for (const store of stores.splice(0)) await store.close();
    });

    it('lets exactly 3 through when two store instances, two connections, race', async () => {
      const url = redisDatabaseUrl(REDIS_DB);
      const [a, b] = await Promise.all([RedisStore.open(url), RedisStore.open(url)]);
      stores.push(a, b);

      const [fromA, fromB] = await Promise.all([reserveAtOnce(a, 'bot-a', 20), reserveAtOnce(b, 'bot-b', 20)]);

      expect(fromA + fromB).toBe(3);
      expect(await a.counter('running:guild-1')).toBe(3);
      expect(await b.listReservations()).toHaveLength(3);
    });

    it('lets exactly 3 through when two bot processes race', async () => {
      const url = redisDatabaseUrl(REDIS_DB);
      const succeeded = await raceWorkers(url, ['proc-a', 'proc-b']);

      expect(succeeded).toHaveLength(2);
      expect(succeeded.reduce((sum, n) => sum + n, 0)).toBe(3);
      const store = await RedisStore.open(url);
      stores.push(store);
      expect(await store.counter('running:guild-1')).toBe(3);
      expect(await store.listReservations()).toHaveLength(3);
    });
  },
);

/** Starts one worker process per prefix, waits until all are connected, then tells them all to go at once. */
async function raceWorkers(url: string, prefixes: string[]): Promise<number[]> {
  const script = fileURLToPath(new URL('../support/redis-reserve-worker.ts', import.meta.url));
  const workers = prefixes.map((prefix) => {
    const child = spawn(process.execPath, [script, url, slot.key, String(slot.limit), '20', prefix], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const ready = new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes('ready\n')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`worker ${prefix} exited (${code}) before ready: ${stderr}`)));
    });
    const finished = new Promise<number>((resolve, reject) => {
      child.once('exit', (code) => {
        const match = /succeeded (\d+)/.exec(stdout);
        if (code === 0 && match?.[1] !== undefined) resolve(Number(match[1]));
        else reject(new Error(`worker ${prefix} exited with ${code}: ${stdout}${stderr}`));
      });
    });
    // Whichever of the two is not awaited must not surface as an unhandled rejection.
    ready.catch(() => {});
    finished.catch(() => {});
    return { child, ready, finished };
  });
  try {
    await Promise.all(workers.map((w) => w.ready));
    for (const w of workers) w.child.stdin.end('go\n');
    return await Promise.all(workers.map((w) => w.finished));
  } finally {
    for (const w of workers) if (w.child.exitCode === null) w.child.kill();
  }
}
