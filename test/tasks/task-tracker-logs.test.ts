import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger, type LogLevel } from '../../src/logger.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { TaskStore } from '../../src/tasks/task-store.ts';
import { TaskTracker, type NewTask, type VideoApi } from '../../src/tasks/task-tracker.ts';
import type { TaskResult } from '../../src/video-api/video-api-client.ts';
import { ManualClock } from '../support/manual-clock.ts';
import { makeTaskRecord } from '../support/task-fixtures.ts';
import { trackerDeps } from '../support/tracker-deps.ts';

const POLL_MS = 1_000;
/** How long the video download takes on the test's clock: its line must say so. */
const DOWNLOAD_MS = 1_500;

const record = makeTaskRecord();
const request: NewTask = { requester: record.requester, interaction: record.interaction, options: record.options, image: record.image };

interface StepLine {
  level: string;
  msg: string;
  taskId: string;
  guildId: string;
  userId: string;
  step: string;
  durationMs: number;
  outcome: string;
}

describe('a log line per task step', () => {
  let dir: string;
  let sqlite: SqliteStore;
  let clock: ManualClock;
  let tracker: TaskTracker | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'animate-step-logs-'));
    sqlite = SqliteStore.open(`sqlite://${join(dir, 'a.sqlite')}`);
    clock = new ManualClock(1_000_000);
  });

  afterEach(async () => {
    await tracker?.stop();
    await sqlite.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs one task from the command to the delivered video and returns the lines logged at `level`. */
  async function runTask(level: LogLevel): Promise<Record<string, unknown>[]> {
    const lines: string[] = [];
    const logger = createLogger({ level, write: (line) => lines.push(line) });
    const results: TaskResult[] = [
      { status: 'processing', rawStatus: 'TASK_STATUS_PROCESSING', progressPercent: 50 },
      { status: 'succeeded', rawStatus: 'TASK_STATUS_SUCCEED', video: { url: 'http://127.0.0.1:1/out.mp4', ttlSeconds: 3600 } },
    ];
    const videoApi: VideoApi = {
      submit: async () => ({ taskId: 'provider-1' }),
      getResult: async () => results.shift() ?? { status: 'processing', rawStatus: 'TASK_STATUS_PROCESSING' },
    };
    tracker = new TaskTracker(
      trackerDeps({
        store: new TaskStore(sqlite, logger),
        videoApi,
        logger,
        clock,
        pollIntervalMs: POLL_MS,
        downloadVideo: () =>
          new Promise((resolve) =>
            clock.setTimer(() => resolve({ kind: 'file', file: { path: '/tmp/animate-test/v.mp4', sizeBytes: 3 } }), DOWNLOAD_MS),
          ),
      }),
    );
    await tracker.accept(record.id, request);
    // Some steps wait on real I/O too (the video file is removed after the send), so each turn also lets a
    // little real time pass: a busy machine then only makes the loop take longer, never end too soon.
    for (let i = 0; i < 400 && !lines.some((line) => line.includes('"step":"settle"')); i++) {
      clock.advance(250);
      for (let j = 0; j < 5; j++) await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  const stepLines = (lines: Record<string, unknown>[]) => lines.filter((line) => line.msg === 'task step') as unknown as StepLine[];

  it('at debug, writes every step of a full task with its task, guild, member, duration and outcome', async () => {
    const steps = stepLines(await runTask('debug'));
    expect(steps.map((line) => `${line.level} ${line.step} → ${line.outcome}`)).toEqual([
      'debug show → done',
      'info check_picture → picture_checked',
      'debug take_turn → turn_taken',
      'info submit → submitted',
      'debug show → done',
      'debug wait → done',
      'debug poll → progressed',
      'debug show → done',
      'debug wait → done',
      'debug poll → generation_succeeded',
      'debug show → done',
      'info download_video → video_downloaded',
      'info deliver → delivered',
      'info settle → done',
      'debug wake_waiting → done',
    ]);
    for (const line of steps) {
      expect(line).toMatchObject({ taskId: record.id, guildId: record.requester.guildId, userId: record.requester.userId });
      expect(line.durationMs).toBeGreaterThanOrEqual(0);
    }
    expect(steps.find((line) => line.step === 'download_video')?.durationMs).toBe(DOWNLOAD_MS);
  });

  it('at info (the default LOG_LEVEL), writes only the steps that happen once per task', async () => {
    const lines = await runTask('info');
    expect(stepLines(lines).map((line) => line.step)).toEqual(['check_picture', 'submit', 'download_video', 'deliver', 'settle']);
    expect(lines.filter((line) => line.level === 'debug')).toEqual([]);
  });
});
