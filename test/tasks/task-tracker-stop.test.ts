/**
 * A stop while a backlog waits in the provider's request budget (after a burst of commands): the waiting
 * requests are abandoned unsent, their tasks are left exactly as stored (a submission without its mark, a
 * poll still due), and the next start sends each of them once. Before, a submission took its mark before
 * waiting, so every task of the backlog failed as "outcome unknown" after a deploy, and the stop waited for
 * the whole backlog.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger, type Logger } from '../../src/logger.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import type { Delivery, FinalView, ReplyPort } from '../../src/tasks/reply-port.ts';
import type { TaskRecord } from '../../src/tasks/task-record.ts';
import { TaskStore } from '../../src/tasks/task-store.ts';
import { TaskTracker, type NewTask, type VideoApi } from '../../src/tasks/task-tracker.ts';
import { LocalRateWindow, RequestBudget, type RequestPriority } from '../../src/video-api/request-budget.ts';
import type { SubmitOptions, SubmitRequest, TaskResult } from '../../src/video-api/video-api-client.ts';
import { SubmitAborted } from '../../src/video-api/video-api-errors.ts';
import { ManualClock } from '../support/manual-clock.ts';
import { makeTaskRecord } from '../support/task-fixtures.ts';
import { flush, trackerDeps } from '../support/tracker-deps.ts';

const POLL_MS = 5_000;
/** At 6 a minute the window is full after six submissions (one per 5 s): the rest, and their polls, wait. */
const PER_MINUTE = 6;
const BURST = 12;

/** The provider, as the real client reaches it: each request waits for its slot, then a submit's last check. */
class BudgetedProvider {
  /** The tasks (by prompt) the provider received, and the polls it answered. */
  readonly submitted: string[] = [];
  readonly polled: string[] = [];
  /** Requests asked for and not (yet) sent. */
  readonly waiting = new Set<string>();

  for(budget: RequestBudget): VideoApi {
    return {
      submit: async (request: SubmitRequest, priority?: RequestPriority, options: SubmitOptions = {}) => {
        const asking = `submit ${request.prompt}`;
        this.waiting.add(asking);
        try {
          await budget.acquire(priority);
        } finally {
          this.waiting.delete(asking);
        }
        if (options.beforeSend && !(await options.beforeSend())) throw new SubmitAborted();
        this.submitted.push(request.prompt);
        return { taskId: `provider-${request.prompt}` };
      },
      getResult: async (taskId: string, priority?: RequestPriority): Promise<TaskResult> => {
        const asking = `poll ${taskId}`;
        this.waiting.add(asking);
        try {
          await budget.acquire(priority);
        } finally {
          this.waiting.delete(asking);
        }
        this.polled.push(taskId);
        return { status: 'succeeded', rawStatus: 'TASK_STATUS_SUCCEED', video: { url: 'https://cdn.test/v.mp4', ttlSeconds: 3600 } };
      },
    };
  }
}

/** The store as the tracker uses it, telling which tasks' submission marks were taken. */
class MarkRecordingStore extends TaskStore {
  readonly marked: string[];

  constructor(sqlite: SqliteStore, logger: Logger, marked: string[]) {
    super(sqlite, logger);
    this.marked = marked;
  }

  override async markSubmitted(id: string, by: string): Promise<boolean> {
    const taken = await super.markSubmitted(id, by);
    if (taken) this.marked.push(id);
    return taken;
  }
}

function requestFrom(member: number): NewTask {
  const { requester, interaction, image } = makeTaskRecord({
    requester: {
      userId: String(200_000_000_000_000_000n + BigInt(member)),
      guildId: '300000000000000001',
      channelId: '400000000000000001',
    },
  });
  return { requester, interaction, image, options: { prompt: `burst-${member}`, duration: '5', cfgScale: 0.5 } };
}

describe('stopping with requests waiting in the budget', () => {
  let dir: string;
  let path: string;
  let sqlite: SqliteStore;
  let clock: ManualClock;
  let provider: BudgetedProvider;
  let marked: string[];
  let delivered: { taskId: string; view: FinalView['kind'] }[];
  let tracker: TaskTracker;

  /** One run of the bot: its own budget (in the process), tracker and store handle on the same SQLite file. */
  function startRun(): { tracker: TaskTracker; tasks: TaskStore } {
    sqlite = SqliteStore.open(`sqlite://${path}`);
    const tasks = new MarkRecordingStore(sqlite, silentLogger, marked);
    const budget = new RequestBudget({
      window: new LocalRateWindow({ limit: PER_MINUTE, now: () => clock.now() }),
      sleep: (ms) => new Promise<void>((resolve) => clock.setTimer(resolve, ms)),
      now: () => clock.now(),
    });
    const replies: ReplyPort = {
      showProgress: async () => undefined,
      deliver: async (task: TaskRecord, view: FinalView): Promise<Delivery> => {
        delivered.push({ taskId: task.id, view: view.kind });
        return { outcome: 'delivered' };
      },
    };
    tracker = new TaskTracker(
      trackerDeps({
        store: tasks,
        videoApi: provider.for(budget),
        requestBudget: budget,
        replies,
        clock,
        pollIntervalMs: POLL_MS,
        requestsPerMinute: PER_MINUTE,
      }),
    );
    return { tracker, tasks };
  }

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'animate-stop-'));
    path = join(dir, 'bot.sqlite');
    clock = new ManualClock(1_000_000);
    provider = new BudgetedProvider();
    marked = [];
    delivered = [];
  });

  afterEach(async () => {
    await tracker.stop();
    await sqlite.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('abandons the waiting requests unsent and leaves their tasks as stored; the next start sends each once and delivers it', async () => {
    const first = startRun();
    for (let i = 0; i < BURST; i++) await first.tracker.accept(`task-${String(i).padStart(2, '0')}`, requestFrom(i));
    await flush();
    // 40 s into the burst: the first submissions went and their tasks' polls fell due; the window is full.
    for (let s = 0; s < 40; s++) {
      clock.advance(1_000);
      await flush();
    }
    const sentBefore = [...provider.submitted];
    expect(sentBefore.length).toBeGreaterThan(0);
    expect([...provider.waiting].some((r) => r.startsWith('submit'))).toBe(true);
    expect([...provider.waiting].some((r) => r.startsWith('poll'))).toBe(true);
    const ids = Array.from({ length: BURST }, (_, i) => `task-${String(i).padStart(2, '0')}`);
    const before = await Promise.all(ids.map((id) => first.tasks.get(id)));
    const stoppedAt = clock.now();

    // The stop ends without the clock moving: nothing waits for a slot.
    await first.tracker.stop();
    expect(clock.now()).toBe(stoppedAt);
    expect(provider.waiting.size).toBe(0);
    // Nothing more went out, and the tasks are exactly as stored: no mark taken for a request not sent.
    expect(provider.submitted).toEqual(sentBefore);
    expect([...marked].sort()).toEqual(ids.filter((_, i) => sentBefore.includes(`burst-${i}`)));
    expect(await Promise.all(ids.map((id) => first.tasks.get(id)))).toEqual(before);
    const unsent = before.filter((task) => task?.state === 'submitting');
    expect(unsent.length).toBe(BURST - sentBefore.length);
    const pollsDue = before.filter((task) => task?.state === 'queued');
    expect(pollsDue.length).toBeGreaterThan(0);
    clock.advance(10 * 60_000);
    await flush();
    expect(provider.submitted).toEqual(sentBefore);
    await sqlite.close();

    // The next start, on the same file: every task submitted once in all, and every one delivered.
    const second = startRun();
    expect(await second.tracker.resumeOpenTasks()).toBeGreaterThan(0);
    for (let s = 0; s < 10 * 60 && delivered.length < BURST; s++) {
      clock.advance(1_000);
      await flush();
    }
    await second.tracker.idle();
    expect([...provider.submitted].sort()).toEqual(ids.map((_, i) => `burst-${i}`).sort());
    expect(delivered.map((d) => d.view)).toEqual(Array<string>(BURST).fill('video'));
    expect(delivered.map((d) => d.taskId).sort()).toEqual(ids);
    for (const id of ids) expect(await second.tasks.get(id)).toMatchObject({ state: 'delivered' });
  });
});
