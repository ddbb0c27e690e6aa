import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { TaskStore } from '../../src/tasks/task-store.ts';
import { TaskTracker, type NewTask, type VideoApi } from '../../src/tasks/task-tracker.ts';
import { LocalRateWindow, RequestBudget, type RequestPriority } from '../../src/video-api/request-budget.ts';
import type { SubmitRequest, TaskResult } from '../../src/video-api/video-api-client.ts';
import { ManualClock } from '../support/manual-clock.ts';
import { makeTaskRecord } from '../support/task-fixtures.ts';
import { flush, trackerDeps } from '../support/tracker-deps.ts';

const POLL_MS = 5_000;
const PER_MINUTE = 100;
const BACKLOG = 300;

interface Sent {
  kind: 'submit' | 'poll';
  providerTaskId: string;
  /** When the step asked for the request, and when the budget let it go. */
  askedAt: number;
  sentAt: number;
}

/**
 * The provider behind the bot's request budget, as the real client uses it: each request first waits for its
 * turn, with the priority the tracker gave it. The task running before the burst never finishes; every task
 * of the burst is done at its first poll.
 */
class BudgetedProvider implements VideoApi {
  readonly sent: Sent[] = [];
  readonly #budget: RequestBudget;
  readonly #clock: ManualClock;
  #submitted = 0;

  constructor(budget: RequestBudget, clock: ManualClock) {
    this.#budget = budget;
    this.#clock = clock;
  }

  async submit(_request: SubmitRequest, priority?: RequestPriority): Promise<{ taskId: string }> {
    const providerTaskId = this.#submitted === 0 ? 'provider-running' : `provider-${this.#submitted}`;
    this.#submitted++;
    await this.#send('submit', providerTaskId, priority);
    return { taskId: providerTaskId };
  }

  async getResult(providerTaskId: string, priority?: RequestPriority): Promise<TaskResult> {
    await this.#send('poll', providerTaskId, priority);
    // Always about to finish (a few seconds left): every poll of it could find the video.
    if (providerTaskId === 'provider-running')
      return { status: 'processing', rawStatus: 'TASK_STATUS_PROCESSING', progressPercent: 90, etaSeconds: 5 };
    return { status: 'succeeded', rawStatus: 'TASK_STATUS_SUCCEED', video: { url: 'http://127.0.0.1:1/out.mp4', ttlSeconds: 3600 } };
  }

  async #send(kind: Sent['kind'], providerTaskId: string, priority: RequestPriority | undefined): Promise<void> {
    const askedAt = this.#clock.now();
    await this.#budget.acquire(priority);
    this.sent.push({ kind, providerTaskId, askedAt, sentAt: this.#clock.now() });
  }
}

function requestFrom(member: number): NewTask {
  const { requester, interaction, options, image } = makeTaskRecord({
    requester: {
      userId: String(200_000_000_000_000_000n + BigInt(member)),
      guildId: String(300_000_000_000_000_000n + BigInt(member)),
      channelId: '400000000000000001',
    },
  });
  return { requester, interaction, options, image };
}

describe('the request budget under a burst of submissions', () => {
  let dir: string;
  let sqlite: SqliteStore;
  let clock: ManualClock;
  let provider: BudgetedProvider;
  let tracker: TaskTracker;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'animate-budget-'));
    sqlite = SqliteStore.open(`sqlite://${join(dir, 'a.sqlite')}`);
    clock = new ManualClock(1_000_000);
    const budget = new RequestBudget({
      window: new LocalRateWindow({ limit: PER_MINUTE, now: () => clock.now() }),
      sleep: (ms) => new Promise<void>((resolve) => clock.setTimer(resolve, ms)),
      now: () => clock.now(),
    });
    provider = new BudgetedProvider(budget, clock);
    tracker = new TaskTracker(
      trackerDeps({ store: new TaskStore(sqlite, silentLogger), videoApi: provider, clock, pollIntervalMs: POLL_MS }),
    );
  });

  afterEach(async () => {
    await tracker.stop();
    await sqlite.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('drains a backlog of 300 submissions at the budget while the running task is polled whenever it is due', async () => {
    // A generation is running when the burst arrives.
    await tracker.accept('running', requestFrom(0));
    await flush();
    clock.advance(POLL_MS);
    await flush();
    for (let i = 1; i <= BACKLOG; i++) await tracker.accept(`burst-${i}`, requestFrom(i));
    const burstAt = clock.now();
    for (let elapsed = 0; elapsed < 8 * 60_000; elapsed += 1_000) {
      clock.advance(1_000);
      await flush();
    }

    const submissions = provider.sent.filter((s) => s.kind === 'submit' && s.askedAt >= burstAt);
    const runningPolls = provider.sent.filter((s) => s.providerTaskId === 'provider-running');
    // Every submission of the burst went out, and the budget held: never more than PER_MINUTE in a minute.
    expect(submissions).toHaveLength(BACKLOG);
    const times = provider.sent.map((s) => s.sentAt);
    for (const [i, at] of times.entries()) {
      expect(times.filter((t) => t >= at && t < at + 60_000).length, `requests in the minute from request ${i}`).toBeLessThanOrEqual(
        PER_MINUTE,
      );
    }
    // The running task kept being polled through the burst, each poll within seconds of falling due: no
    // submission went ahead of a poll already waiting, and the submissions' pace left it a slot.
    const pollsDuringBurst = runningPolls.filter((p) => p.askedAt >= burstAt && p.askedAt < (submissions.at(-1)?.sentAt ?? 0));
    expect(pollsDuringBurst.length).toBeGreaterThanOrEqual(4);
    for (const poll of runningPolls) {
      const overtaking = submissions.filter((s) => s.sentAt > poll.askedAt && s.sentAt < poll.sentAt);
      expect(overtaking, `submissions sent while the poll asked at ${poll.askedAt - burstAt} ms waited`).toEqual([]);
      expect(poll.sentAt - poll.askedAt).toBeLessThanOrEqual(60_000 / 12);
    }
  }, 60_000);
});
