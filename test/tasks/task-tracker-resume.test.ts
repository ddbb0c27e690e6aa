import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { TaskStore } from '../../src/tasks/task-store.ts';
import { TaskTracker, type VideoApi } from '../../src/tasks/task-tracker.ts';
import type { TaskResult } from '../../src/video-api/video-api-client.ts';
import { ManualClock } from '../support/manual-clock.ts';
import { makeTaskRecord } from '../support/task-fixtures.ts';
import { flush, trackerDeps } from '../support/tracker-deps.ts';

const POLL_MS = 5_000;
const OPEN_TASKS = 1_000;
const START = 10_000_000;

describe('a restart with 1000 generations running', () => {
  let dir: string;
  let sqlite: SqliteStore;
  let tasks: TaskStore;
  let clock: ManualClock;
  let tracker: TaskTracker;
  /** Each poll the provider received: which generation, and when on the test's clock. */
  let polls: { providerTaskId: string; at: number }[];

  const newTracker = (requestsPerMinute?: number) =>
    new TaskTracker(
      trackerDeps({
        store: tasks,
        videoApi,
        clock,
        pollIntervalMs: POLL_MS,
        ...(requestsPerMinute !== undefined ? { requestsPerMinute } : {}),
      }),
    );
  const videoApi: VideoApi = {
    submit: async () => {
      throw new Error('nothing is submitted on a resume');
    },
    getResult: async (providerTaskId): Promise<TaskResult> => {
      polls.push({ providerTaskId, at: clock.now() });
      return { status: 'processing', rawStatus: 'TASK_STATUS_PROCESSING', progressPercent: 30 };
    },
  };

  /** The first poll of each generation, in the order they happened. */
  const firstPolls = () => {
    const first = new Map<string, number>();
    for (const poll of polls) if (!first.has(poll.providerTaskId)) first.set(poll.providerTaskId, poll.at);
    return first;
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'animate-resume-'));
    sqlite = SqliteStore.open(`sqlite://${join(dir, 'a.sqlite')}`);
    tasks = new TaskStore(sqlite, silentLogger);
    clock = new ManualClock(START);
    polls = [];
    // Submitted a minute ago, each expected to end at a different time; generation 737 is the first to end.
    for (let i = 0; i < OPEN_TASKS; i++) {
      const etaAt = i === 737 ? START - 1_000 : START + 60_000 + i * 100;
      await tasks.put(
        makeTaskRecord({
          id: `task-${i}`,
          state: 'processing',
          requester: {
            userId: String(200_000_000_000_000_000n + BigInt(i)),
            guildId: '300000000000000001',
            channelId: '400000000000000001',
          },
          provider: { taskId: `provider-${i}`, submittedAt: START - 60_000, progressPercent: 20, etaAt },
          createdAt: START - 61_000,
        }),
      );
    }
    tracker = newTracker();
  });

  afterEach(async () => {
    await tracker.stop();
    await sqlite.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('polls the generation closest to finishing at once and spreads the others over one poll interval', async () => {
    expect(await tracker.resumeOpenTasks()).toBe(OPEN_TASKS);
    await tracker.idle();
    // At once: one poll, of the generation whose ETA has passed.
    expect(polls).toEqual([{ providerTaskId: 'provider-737', at: START }]);

    for (let t = 0; t < POLL_MS; t += 100) {
      clock.advance(100);
      await flush(5);
    }
    await tracker.idle();
    const first = firstPolls();
    // Every generation was polled once within the interval, evenly (one every 5 ms): never more than 21 in any
    // 100 ms step of the clock, where firing them together would have put all 1000 in the first instant.
    expect(first.size).toBe(OPEN_TASKS);
    const times = [...first.values()];
    expect(Math.max(...times)).toBeLessThanOrEqual(START + POLL_MS);
    for (let from = START; from <= START + POLL_MS; from += 100) {
      expect(times.filter((at) => at === from).length).toBeLessThanOrEqual(21);
    }
    // Closest to finishing first: the generations were polled in the order of their ETA.
    expect([...first.keys()].slice(1, 4)).toEqual(['provider-0', 'provider-1', 'provider-2']);
  });

  it('spreads them at the request budget when it cannot send them all within a poll interval', async () => {
    await tracker.stop();
    // 1000 first polls at 600 a minute take 100 s: one every 100 ms, not a minute's budget in its first second.
    tracker = newTracker(600);
    await tracker.resumeOpenTasks();
    await tracker.idle();
    expect(polls).toEqual([{ providerTaskId: 'provider-737', at: START }]);
    for (let t = 0; t < 100_000; t += 1_000) {
      clock.advance(1_000);
      await flush(5);
    }
    await tracker.idle();
    const times = [...firstPolls().values()];
    expect(times).toHaveLength(OPEN_TASKS);
    expect(Math.max(...times)).toBe(START + 100_000);
    for (let second = 1; second <= 100; second++) {
      expect(times.filter((at) => at === START + second * 1_000).length).toBeLessThanOrEqual(10);
    }
  });

  it('a second sweep resumes nothing already scheduled, so it adds no polls', async () => {
    await tracker.resumeOpenTasks();
    await tracker.idle();
    expect(await tracker.resumeOpenTasks()).toBe(0);
  });
});
