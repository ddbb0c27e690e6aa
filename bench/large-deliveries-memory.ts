/**
 * Only the bench's large-deliveries figure, for this bot on SQLite: 20 videos of 25 MB delivered at once,
 * and the bot process's peak resident memory. A measurement, not a test: it prints and exits 0.
 * Run: node bench/large-deliveries-memory.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Stores } from './contenders.ts';
import { measureLargeDeliveries, VIDEO_BYTES, VIDEOS, writeLargeVideo } from './scenarios/large-deliveries.ts';
import { formatMiB } from './stats.ts';

const dir = mkdtempSync(join(tmpdir(), 'animate-bench-large-'));
try {
  const videoFile = writeLargeVideo(dir);
  const figures = await measureLargeDeliveries(
    { label: 'this bot, SQLite', bot: 'this bot', store: 'sqlite' },
    new Stores(undefined),
    videoFile,
  );
  console.log(
    `${VIDEOS} videos of ${formatMiB(VIDEO_BYTES)}: ${figures.delivered} delivered, RSS idle ${formatMiB(figures.idleRssBytes)}, peak ${formatMiB(figures.peakRssBytes)}`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
