import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { RedisStore } from '../../src/store/redis-store.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import type { ReservationsTogether, Store } from '../../src/store/store.ts';
import { flushRedisDatabase } from '../support/redis-server.ts';

/** Set by test/global-setup.ts; undefined when redis-server is not installed (allowed outside CI only). */
const redisUrl = inject('redisUrl');

export const redisSkipReason = redisUrl === undefined ? 'redis-server is not installed, so the Redis store is not tested' : undefined;

/** The run's Redis server, database `db`: each test file takes its own number so files never share keys. */
export function redisDatabaseUrl(db: number): string {
  if (redisUrl === undefined) throw new Error(redisSkipReason);
  return `${redisUrl}/${db}`;
}

export interface StoreBackend {
  readonly name: 'SQLite' | 'Redis';
  /** Why this backend's tests are skipped, shown in the suite's title; undefined when they run. */
  readonly skipReason: string | undefined;
  /** Starts from an empty store; call the returned opener again for a second instance or a reopen. */
  empty(): Promise<() => Promise<Store>>;
  /** Removes whatever `empty` left behind. */
  dispose(): Promise<void>;
}

export function storeBackends(redisDb: number): StoreBackend[] {
  let dir: string | undefined;
  return [
    {
      name: 'SQLite',
      skipReason: undefined,
      async empty() {
        dir = mkdtempSync(join(tmpdir(), 'animate-store-'));
        const url = `sqlite://${join(dir, 'nested', 'animate.sqlite')}`;
        // A second instance on the same file waits only briefly for the first to let go.
        return async () => SqliteStore.open(url, undefined, { lockWaitMs: 200 });
      },
      async dispose() {
        if (dir) rmSync(dir, { recursive: true, force: true });
        dir = undefined;
      },
    },
    {
      name: 'Redis',
      skipReason: redisSkipReason,
      async empty() {
        const url = redisDatabaseUrl(redisDb);
        await flushRedisDatabase(url);
        return () => RedisStore.open(url);
      },
      async dispose() {},
    },
  ];
}

/** The suite title, with the reason when it is skipped, so a skipped backend is visible in the report. */
export function backendTitle(backend: StoreBackend, subject: string): string {
  return backend.skipReason === undefined
    ? `${subject} on ${backend.name}`
    : `${subject} on ${backend.name} (skipped: ${backend.skipReason})`;
}

/**
 * A booking of one unit on the server's counter (`units:guild-1`, shared by every member's booking, up to
 * `serverLimit`) and on the member's own (`units:<member>`, up to one): what a burst's bookings look like.
 */
export function serverAndMemberBooking(key: string, member: string, serverLimit: number, now: number): ReservationsTogether {
  return {
    reservations: [
      {
        key,
        counters: [
          { key: 'units:guild-1', amount: 1, limit: serverLimit, held: false },
          { key: `units:${member}`, amount: 1, limit: 1, held: false },
        ],
      },
    ],
    meta: '{}',
    now,
  };
}
