import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import type { TaskRecord } from '../../src/tasks/task-record.ts';
import { TaskStore } from '../../src/tasks/task-store.ts';
import { TaskTracker } from '../../src/tasks/task-tracker.ts';
import type { TaskResult } from '../../src/video-api/video-api-client.ts';
import { ManualClock } from '../support/manual-clock.ts';
import { RecordingMetrics } from '../support/recording-metrics.ts';
import { makeTaskRecord } from '../support/task-fixtures.ts';
import { trackerDeps } from '../support/tracker-deps.ts';

const POLL_MS = 1000;

describe('the task runner reports', () => {
  let sqlite: SqliteStore;
  let store: TaskStore;
  let clock: ManualClock;
  let metrics: RecordingMetrics;
  let results: TaskResult[];
  let tracker: TaskTracker;

  beforeEach(() => {
    sqlite = SqliteStore.open('sqlite://:memory:');
    store = new TaskStore(sqlite, silentLogger);
    clock = new ManualClock(1_000);
    metrics = new RecordingMetrics();
    results = [];
    tracker = new TaskTracker(
      trackerDeps({
        store,
        videoApi: {
          submit: async () => ({ taskId: 'provider-1' }),
          getResult: async () => results.shift() ?? { status: 'processing', rawStatus: 'TASK_STATUS_PROCESSING' },
        },
        clock,
        pollIntervalMs: POLL_MS,
        downloadVideo: async () => ({ kind: 'file', file: { path: '/tmp/animate-test/v.mp4', sizeBytes: 9 } }),
        metrics,
      }),
    );
  });

  afterEach(async () => {
    await tracker.stop();
    await sqlite.close();
  });

  const stored = () => metrics.of('taskStored').map(([task, from]) => `${from ?? 'new'}→${task.state}`);
  const effects = () => metrics.of('effectPerformed').map(([effect, event]) => `${effect.type}:${event?.type ?? '-'}`);

  it('every state a task is stored in, with the one it left, and what each step learned', async () => {
    results = [{ status: 'succeeded', rawStatus: 'TASK_STATUS_SUCCEED', video: { url: 'http://127.0.0.1:1/v.mp4' } }];
    const { requester, interaction, options, image } = makeTaskRecord();
    await tracker.accept('task-1', { requester, interaction, options, image });
    await tracker.idle();
    clock.advance(POLL_MS);
    await tracker.idle();

    // Same-state stores are the reply's fingerprint being recorded after a progress edit.
    expect(stored().filter((change) => !/^(\w+)→\1$/.test(change))).toEqual([
      'new→received',
      'received→checking',
      'checking→waiting',
      'waiting→submitting',
      'submitting→queued',
      'queued→downloading',
      'downloading→delivering',
      'delivering→delivered',
    ]);
    expect(effects()).toEqual(
      expect.arrayContaining(['check_picture:picture_checked', 'submit:submitted', 'poll:generation_succeeded', 'deliver:delivered']),
    );
  });

  it('a task it picks up after a restart, before anything about it is stored again', async () => {
    const running: TaskRecord = makeTaskRecord({
      id: 'task-2',
      state: 'processing',
      provider: { taskId: 'provider-2', submittedAt: 1_000 },
    });
    await store.put(running);
    await tracker.resumeOpenTasks();
    await tracker.idle();

    expect(metrics.of('taskPickedUp').map(([task]) => `${task.id}:${task.state}`)).toEqual(['task-2:processing']);
    expect(effects()).toEqual(['poll:progressed', 'show:-', 'wait:-']);
  });
});
