/**
 * A shared store that fails while a task is driven (Redis restarting, say): taking the task's lease throws.
 * The failure is the tracker's to log; it must not escape as an unhandled rejection (which the process logs
 * as a bug), and the task is left for the next sweep to resume.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { TaskStore } from '../../src/tasks/task-store.ts';
import { TaskTracker, type NewTask, type VideoApi } from '../../src/tasks/task-tracker.ts';
import { ManualClock } from '../support/manual-clock.ts';
import { makeTaskRecord } from '../support/task-fixtures.ts';
import { flush, trackerDeps } from '../support/tracker-deps.ts';

const POLL_MS = 5_000;
const TIMING = { leaseMs: 30_000, renewEveryMs: 10_000, takeoverEveryMs: 10_000 };

/** Its leases can be made to fail, as a store that lost its connection does. */
class FlakyLeaseStore extends TaskStore {
  failLeases = false;
  override claimLease(id: string, owner: string, ttlMs: number): Promise<boolean> {
    return this.failLeases ? Promise.reject(new Error('connection lost')) : super.claimLease(id, owner, ttlMs);
  }
}

describe('a store that fails while a task is driven', () => {
  let dir: string;
  let sqlite: SqliteStore;
  let tracker: TaskTracker | undefined;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'animate-lease-errors-'));
    sqlite = SqliteStore.open(`sqlite://${join(dir, 'a.sqlite')}`);
    process.on('unhandledRejection', onUnhandled);
  });

  afterEach(async () => {
    process.off('unhandledRejection', onUnhandled);
    await tracker?.stop().catch(() => undefined);
    await sqlite.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('logs a lease that cannot be taken and leaves the task to the next sweep, with no unhandled rejection', async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'info', write: (line) => lines.push(line) });
    const store = new FlakyLeaseStore(sqlite, logger);
    const clock = new ManualClock(1_000_000);
    const videoApi: VideoApi = {
      submit: async () => ({ taskId: 'provider-1' }),
      getResult: async () => ({ status: 'processing', rawStatus: 'TASK_STATUS_PROCESSING', etaSeconds: 60 }),
    };
    tracker = new TaskTracker(
      trackerDeps({ store, videoApi, clock, pollIntervalMs: POLL_MS, logger, leaseOwner: 'process-a', leaseTiming: TIMING }),
    );
    const record = makeTaskRecord();
    const request: NewTask = { requester: record.requester, interaction: record.interaction, options: record.options, image: record.image };
    await tracker.accept(record.id, request);
    await flush(20);
    expect(await store.get(record.id)).toMatchObject({ state: 'queued' });

    // The next poll falls due while the store is failing.
    store.failLeases = true;
    clock.advance(120_000);
    await flush(20);
    await new Promise((resolve) => setTimeout(resolve, 20));

    expect(unhandled).toEqual([]);
    expect(lines.some((line) => line.includes('connection lost'))).toBe(true);
    expect(await store.get(record.id)).toMatchObject({ state: 'queued' });
  });
});
