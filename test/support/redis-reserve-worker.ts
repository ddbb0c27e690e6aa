/**
 * A second bot process for the Redis concurrency test: opens its own RedisStore, says "ready", waits for a
 * line on stdin so both processes fire together, fires its reservations at once and prints how many succeeded.
 * Usage: node redis-reserve-worker.ts <redis-url> <counter-key> <limit> <count> <reservation-key-prefix>
 */
import { createInterface } from 'node:readline';
import { RedisStore } from '../../src/store/redis-store.ts';

const [url, counterKey, limit, count, prefix] = process.argv.slice(2);
if (!url || !counterKey || !limit || !count || !prefix) throw new Error('usage: <url> <counter-key> <limit> <count> <prefix>');

const store = await RedisStore.open(url);
process.stdout.write('ready\n');
const lines = createInterface({ input: process.stdin });
await new Promise((resolve) => lines.once('line', resolve));

const results = await Promise.all(
  Array.from({ length: Number(count) }, (_, i) =>
    store.reserve(`${prefix}-${i}`, [{ key: counterKey, amount: 1, limit: Number(limit), held: true }], '{}', Date.now()),
  ),
);
process.stdout.write(`succeeded ${results.filter((r) => r.ok).length}\n`);
await store.close();
