/**
 * The bot's own hot paths, without Discord: quota reservations per second (reserve + settle, the work
 * every /animate does before deferring) on SQLite and, when redis-server is installed, on Redis,
 * sequential and 20 at once; and picture header checks per second (the check before anything is paid for).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImagePreparer } from '../src/images/prepare-image.ts';
import { RedisStore } from '../src/store/redis-store.ts';
import { SqliteStore } from '../src/store/sqlite-store.ts';
import type { Store } from '../src/store/store.ts';
import { makeJpeg, makePng } from '../test/support/image-fixtures.ts';
import type { RedisServer } from '../test/support/redis-server.ts';

const ROUNDS = 400;

async function reservationsPerSecond(store: Store, concurrency: number): Promise<number> {
  let next = 0;
  const worker = async () => {
    while (next < ROUNDS) {
      const i = next++;
      const key = `bench:${concurrency}:${i}`;
      await store.reserve(
        key,
        [
          { key: 'bench:member', amount: 1, limit: null, held: false },
          { key: 'bench:server', amount: 1, limit: null, held: false },
          { key: 'bench:active', amount: 1, limit: null, held: true },
        ],
        '{}',
        Date.now(),
      );
      await store.settle(key, true);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  return ROUNDS / ((performance.now() - started) / 1000);
}

async function checksPerSecond(picture: Buffer): Promise<number> {
  const preparer = new ImagePreparer();
  const started = performance.now();
  let n = 0;
  while (performance.now() - started < 500) {
    await preparer.prepare(picture);
    n++;
  }
  return n / ((performance.now() - started) / 1000);
}

const fmt = (n: number) => n.toFixed(0).padStart(9);

/** Prints the figures; `redis` is a running server (database 0 is used), or undefined to skip Redis. */
export async function printMicroFigures(redis: RedisServer | undefined): Promise<void> {
  const results: Record<string, number> = {};

  const dir = mkdtempSync(join(tmpdir(), 'animate-bench-'));
  const sqlite = SqliteStore.open(`sqlite://${join(dir, 'bench.sqlite')}`);
  results['sqlite sequential'] = await reservationsPerSecond(sqlite, 1);
  results['sqlite 20 at once'] = await reservationsPerSecond(sqlite, 20);
  await sqlite.close();
  rmSync(dir, { recursive: true, force: true });

  if (redis) {
    const store = await RedisStore.open(`${redis.url}/0`);
    results['redis sequential'] = await reservationsPerSecond(store, 1);
    results['redis 20 at once'] = await reservationsPerSecond(store, 20);
    await store.close();
  } else {
    console.log('redis-server not installed: Redis figures skipped');
  }

  console.log(`quota reservations (reserve + settle), ${ROUNDS} each:`);
  for (const [name, perSecond] of Object.entries(results)) console.log(`  ${name.padEnd(20)} ${fmt(perSecond)} /s`);
  const base = results['sqlite sequential'] ?? 1;
  for (const [name, perSecond] of Object.entries(results))
    console.log(`  ratio ${name.padEnd(14)} ${(perSecond / base).toFixed(2)}x sqlite sequential`);

  const png = makePng(1024, 1024);
  const jpeg = makeJpeg(1024, 768);
  console.log('picture checks (header, limits, completeness):');
  console.log(`  PNG 1024x1024 ${(png.length / 1024).toFixed(0)} KiB ${fmt(await checksPerSecond(png))} /s`);
  console.log(`  JPEG 1024x768 ${(jpeg.length / 1024).toFixed(0)} KiB ${fmt(await checksPerSecond(jpeg))} /s`);
}
