/**
 * The bots the bench compares, and how each is started against the stand-ins: this bot on each store, the
 * naive bot a guide would write, and a bot that only defers. Every run gets a fresh process, a fresh store
 * and the same environment apart from what is the bot's own (its store).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { flushRedisDatabase, type RedisServer } from '../test/support/redis-server.ts';
import { BotProcess, type BotName } from './bot-process.ts';
import type { BenchStandIns } from './stand-ins.ts';

export type StoreKind = 'sqlite' | 'redis';

export interface Contender {
  /** The column heading. */
  label: string;
  bot: BotName;
  store?: StoreKind;
}

export const CONTENDERS: readonly Contender[] = [
  { label: 'this bot, SQLite', bot: 'this bot', store: 'sqlite' },
  { label: 'this bot, Redis', bot: 'this bot', store: 'redis' },
  { label: 'naive', bot: 'naive' },
  { label: 'defer-only', bot: 'defer-only' },
];

/**
 * Settings every bot runs with. Quotas are off (a burst from distinct members must not be refused); the
 * provider request cap is raised far above the default 120 a minute, because the naive bot has none and
 * a burst of 1000 would otherwise take this bot eight minutes to submit: that drain is not what is measured here.
 */
const COMMON_ENV = {
  LOG_LEVEL: 'info',
  HIGHWAY_REQUESTS_PER_MINUTE: '100000',
  QUOTA_MEMBER_UNITS: 'off',
  QUOTA_SERVER_UNITS: 'off',
  QUOTA_MEMBER_RUNNING: 'off',
  QUOTA_MEMBER_WAITING: 'off',
  QUOTA_GLOBAL_UNITS: 'off',
  QUOTA_SERVER_MAX_UNITS: 'off',
  // The stand-ins serve pictures and videos over http from 127.0.0.1, which the bot refuses by default.
  ATTACHMENT_HOSTS: '127.0.0.1',
  ALLOW_INSECURE_DOWNLOADS: 'true',
};

/** Where the stores live: a temporary directory per run for SQLite, one database of a throwaway redis-server for Redis. */
export class Stores {
  readonly #redis: RedisServer | undefined;
  #nextDatabase = 1;

  constructor(redis: RedisServer | undefined) {
    this.#redis = redis;
  }

  get hasRedis(): boolean {
    return this.#redis !== undefined;
  }

  /** A fresh, empty store of that kind. */
  async fresh(kind: StoreKind, dir: string): Promise<string> {
    if (kind === 'sqlite') return `sqlite://${join(dir, 'animate.sqlite')}`;
    if (!this.#redis) throw new Error('no redis-server for a Redis run');
    // Sixteen databases by default; each run takes the next and empties it.
    const url = `${this.#redis.url}/${this.#nextDatabase++ % 16}`;
    await flushRedisDatabase(url);
    return url;
  }
}

export interface RunningContender {
  bot: BotProcess;
  /** The store's URL (this bot only). */
  storeUrl: string | undefined;
  dir: string;
}

/**
 * Prepares a store (and lets `seed` fill it), starts the contender against `standIns` with `env` on top of
 * the common settings, waits until it is connected, and runs `measure`. The process is stopped and its
 * files removed afterwards, whatever happened.
 */
export async function withContender<T>(
  contender: Contender,
  standIns: BenchStandIns,
  stores: Stores,
  env: Record<string, string>,
  measure: (running: RunningContender) => Promise<T>,
  seed?: (storeUrl: string) => Promise<void>,
): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'animate-bench-bot-'));
  let bot: BotProcess | undefined;
  try {
    const storeUrl = contender.store === undefined ? undefined : await stores.fresh(contender.store, dir);
    if (storeUrl !== undefined && seed) await seed(storeUrl);
    bot = BotProcess.start(contender.bot, { ...standIns.env(), ...COMMON_ENV, ...env, ...(storeUrl ? { STORE_URL: storeUrl } : {}) }, dir);
    await bot.waitUntilReady();
    return await measure({ bot, storeUrl, dir });
  } finally {
    await bot?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
