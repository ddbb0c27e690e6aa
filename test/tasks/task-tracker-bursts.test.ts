import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.ts';
import { MemoryAfterBursts } from '../../src/memory-after-bursts.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { TaskStore } from '../../src/tasks/task-store.ts';
import { TaskTracker } from '../../src/tasks/task-tracker.ts';
import { ManualClock } from '../support/manual-clock.ts';
import { makeTaskRecord } from '../support/task-fixtures.ts';
import { trackerDeps } from '../support/tracker-deps.ts';

describe('a burst of tasks and the memory it took', () => {
  const stops: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop();
  });

  it('60 tasks accepted at once: each picture check counts as the burst’s work, and once they are all checked the memory is given back once', async () => {
    const sqlite = SqliteStore.open('sqlite://:memory:');
    const clock = new ManualClock(1_000);
    let releases = 0;
    let checks = 0;
    const afterBursts = new MemoryAfterBursts({ clock, release: () => releases++ });
    const tracker = new TaskTracker(
      trackerDeps({
        store: new TaskStore(sqlite, silentLogger),
        videoApi: {
          submit: async () => ({ taskId: 'provider-1' }),
          getResult: async () => ({ status: 'processing', rawStatus: 'TASK_STATUS_PROCESSING' }),
        },
        clock,
        pollIntervalMs: 60_000,
        downloadImage: async () => {
          checks++;
          return Buffer.from('picture');
        },
        burstWork: afterBursts,
      }),
    );
    stops.push(
      () => tracker.stop(),
      () => sqlite.close(),
    );
    const { requester, interaction, options, image } = makeTaskRecord();
    for (let i = 0; i < 60; i++) await tracker.accept(`task-${i}`, { requester, interaction, options, image });
    await tracker.idle();
    expect(checks).toBe(60);
    expect(releases).toBe(0);
    clock.advance(1_000);
    expect(releases).toBe(1);
  });
});
