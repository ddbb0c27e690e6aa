/**
 * Two drivers of one task (issue "Nothing lost", finding 7): two trackers on one store, as two processes on
 * one Redis, each with its own clock, so one of them can stall (its clock stands still: no timer of its fires,
 * its lease is not renewed) while the store's time and the other process move on.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import type { Delivery, FinalView, ReplyPort } from '../../src/tasks/reply-port.ts';
import type { TaskRecord } from '../../src/tasks/task-record.ts';
import { TaskStore } from '../../src/tasks/task-store.ts';
import { TaskTracker, type NewTask, type QuotaGate, type VideoApi } from '../../src/tasks/task-tracker.ts';
import type { SubmitRequest, TaskResult } from '../../src/video-api/video-api-client.ts';
import { SubmitAborted } from '../../src/video-api/video-api-errors.ts';
import { ManualClock } from '../support/manual-clock.ts';
import { makeTaskRecord } from '../support/task-fixtures.ts';
import { trackerDeps } from '../support/tracker-deps.ts';

const POLL_MS = 1_000;
const TIMING = { leaseMs: 30_000, renewEveryMs: 10_000, takeoverEveryMs: 10_000 };
const TASK = 'task-0001';

/** A promise the test settles by hand: a provider answer, or a step that stalls. */
function gate<T>(): { promise: Promise<T>; open: (value: T) => void } {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => (open = resolve));
  return { promise, open };
}

/** The provider as both processes see it: what it received, and answers the test can hold back. */
class SharedVideoApi {
  readonly submissions: { by: string; request: SubmitRequest }[] = [];
  readonly polls: { by: string; taskId: string }[] = [];
  held: Promise<unknown> | undefined;
  /** Holds the next submission before its last check, as the request budget does while it waits for a slot. */
  heldInBudget: Promise<unknown> | undefined;
  readonly waitingInBudget: string[] = [];
  result: TaskResult = {
    status: 'succeeded',
    rawStatus: 'TASK_STATUS_SUCCEED',
    video: { url: 'https://cdn.test/v.mp4', ttlSeconds: 3600 },
  };

  for(by: string): VideoApi {
    return {
      submit: async (request, _priority, options) => {
        const inBudget = this.heldInBudget;
        this.heldInBudget = undefined;
        if (inBudget) {
          this.waitingInBudget.push(by);
          await inBudget;
        }
        // As the real client: the last check is asked right before the request leaves, and a no sends nothing.
        if (options?.beforeSend && !(await options.beforeSend())) throw new SubmitAborted();
        this.submissions.push({ by, request });
        const held = this.held;
        this.held = undefined;
        if (held) await held;
        return { taskId: `provider-${this.submissions.length}` };
      },
      getResult: async (taskId) => {
        this.polls.push({ by, taskId });
        return this.result;
      },
    };
  }
}

class SharedReplies {
  readonly finals: { by: string; view: FinalView }[] = [];
  for(by: string): ReplyPort {
    return {
      showProgress: async () => undefined,
      deliver: async (_task: TaskRecord, view: FinalView): Promise<Delivery> => {
        this.finals.push({ by, view });
        return { outcome: 'delivered' };
      },
    };
  }
}

/** Running slots as the quota hands them out; a process's `tryStart` can be held (it stalls there). */
class SharedQuota {
  readonly settled: { by: string; refund: boolean; operatorRefund: boolean }[] = [];
  for(by: string, stall?: Promise<unknown>): QuotaGate {
    return {
      tryStart: async () => {
        if (stall) await stall;
        return true;
      },
      settle: async (_id, refund, operatorRefund) => {
        this.settled.push({ by, refund, operatorRefund });
        return true;
      },
      pauseSubmissions: async () => true,
      pausedUntil: async () => undefined,
    };
  }
}

/** Waits (in real time) until the steps started by a clock's timers, or a released gate, have happened. */
async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await condition()) return;
    await sleep(2);
  }
  throw new Error(`never happened: ${what}`);
}

describe('two drivers of one task (leases with fencing)', () => {
  let dir: string;
  let storeClock: ManualClock;
  let sqlite: SqliteStore;
  let tasks: TaskStore;
  let api: SharedVideoApi;
  let replies: SharedReplies;
  let quota: SharedQuota;
  const clocks: Record<'A' | 'B', ManualClock> = { A: new ManualClock(), B: new ManualClock() };
  const trackers: TaskTracker[] = [];

  const request: NewTask = (({ requester, interaction, options, image }) => ({ requester, interaction, options, image }))(makeTaskRecord());

  function driver(name: 'A' | 'B', stallAtTurn?: Promise<unknown>): TaskTracker {
    const tracker = new TaskTracker(
      trackerDeps({
        store: tasks,
        quota: quota.for(name, stallAtTurn),
        videoApi: api.for(name),
        replies: replies.for(name),
        clock: clocks[name],
        pollIntervalMs: POLL_MS,
        downloadVideo: async () => ({ kind: 'file', file: { path: '/tmp/animate-test/v.mp4', sizeBytes: 9 } }),
        newId: () => TASK,
        leaseOwner: `process-${name}`,
        leaseTiming: TIMING,
      }),
    );
    trackers.push(tracker);
    return tracker;
  }

  /** Moves the store's time and the named processes' clocks on; a process left out is stalled meanwhile. */
  function elapse(ms: number, ...running: ('A' | 'B')[]): void {
    storeClock.advance(ms);
    for (const name of running) clocks[name].advance(ms);
  }

  const stored = () => tasks.get(TASK);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'animate-fencing-'));
    storeClock = new ManualClock(1_000);
    clocks.A = new ManualClock(1_000);
    clocks.B = new ManualClock(1_000);
    // The store's clock decides when a lease lapses (Redis: the server's clock).
    sqlite = SqliteStore.open(`sqlite://${join(dir, 'shared.sqlite')}`, storeClock);
    tasks = new TaskStore(sqlite, silentLogger);
    api = new SharedVideoApi();
    replies = new SharedReplies();
    quota = new SharedQuota();
  });

  afterEach(async () => {
    await Promise.all(trackers.splice(0).map((t) => t.stop()));
    await sqlite.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a process stalled past its lease during a submission: the other fails it as unknown, the late answer overwrites nothing, one submission', async () => {
    const a = driver('A');
    const b = driver('B');
    const answer = gate<undefined>();
    api.held = answer.promise;
    await a.accept(TASK, request);
    await until(() => api.submissions.length === 1, 'A submits');

    // A is alive: B finds the task held.
    expect(await b.resumeOpenTasks()).toBe(0);
    // A stalls (its clock stands still, so its lease is not renewed) while the provider holds the answer.
    elapse(TIMING.leaseMs + 1, 'B');
    expect(await b.resumeOpenTasks()).toBe(1);
    await b.idle();
    // B cannot know whether the provider has the task: told as "outcome unknown", never sent again.
    expect(await stored()).toMatchObject({ state: 'failed', failure: { kind: 'submit_unknown' } });
    const failed = await stored();

    // A wakes up and its submission returns: its write of `queued` loses, and it follows the failed record.
    answer.open(undefined);
    await until(async () => !(await stored())?.revision || (await a.idle(), true), 'A follows');
    elapse(60_000, 'A', 'B');
    await Promise.all([a.idle(), b.idle()]);

    expect(await stored()).toEqual(failed);
    expect(api.submissions).toHaveLength(1);
    expect(api.polls).toEqual([]);
    expect(replies.finals).toEqual([{ by: 'B', view: expect.objectContaining({ kind: 'failed', failure: { kind: 'submit_unknown' } }) }]);
    // The member got their units back; the operator's stay spent, as the provider may have charged.
    expect(quota.settled).toEqual([{ by: 'B', refund: true, operatorRefund: false }]);
  });

  it('a process stalled past its lease while its submission waited in the budget: the other submits and delivers, the stalled one sends nothing', async () => {
    const a = driver('A');
    const b = driver('B');
    const slot = gate<undefined>();
    api.heldInBudget = slot.promise;
    await a.accept(TASK, request);
    await until(() => api.waitingInBudget.length === 1, 'A waits in the budget');
    expect(await stored()).toMatchObject({ state: 'submitting' });

    // A stalls there past its lease: B finds the task `submitting` without its mark, so never sent.
    elapse(TIMING.leaseMs + 1, 'B');
    expect(await b.resumeOpenTasks()).toBe(1);
    await until(() => api.submissions.length === 1, 'B submits');
    await b.idle();
    expect(await stored()).toMatchObject({ state: 'queued', provider: { taskId: 'provider-1' } });

    // A's slot comes: the mark is B's, so A sends nothing, and its write loses to B's record.
    slot.open(undefined);
    await a.idle();
    elapse(POLL_MS, 'A', 'B');
    await Promise.all([a.idle(), b.idle()]);

    expect(api.submissions.map((s) => s.by)).toEqual(['B']);
    expect(replies.finals.map((f) => [f.by, f.view.kind])).toEqual([['B', 'video']]);
    expect(await stored()).toMatchObject({ state: 'delivered' });
  });

  it('a stalled process whose slot comes after the takeover stored the task again sends nothing and takes no mark: the other sends it once and delivers', async () => {
    const a = driver('A');
    const b = driver('B');
    const slotA = gate<undefined>();
    const slotB = gate<undefined>();
    api.heldInBudget = slotA.promise;
    await a.accept(TASK, request);
    await until(() => api.waitingInBudget.length === 1, 'A waits in the budget');

    elapse(TIMING.leaseMs + 1, 'B');
    api.heldInBudget = slotB.promise;
    expect(await b.resumeOpenTasks()).toBe(1);
    await until(() => api.waitingInBudget.length === 2, 'B stored the task again and waits in the budget');
    // A's slot comes first: it re-reads the record before taking the mark, finds it stored again by B, and stops.
    slotA.open(undefined);
    await a.idle();
    // The mark is still free, so B knows nothing was sent: it sends the task once.
    slotB.open(undefined);
    await until(() => api.submissions.length === 1, 'B submits');
    await b.idle();
    elapse(POLL_MS, 'A', 'B');
    await Promise.all([a.idle(), b.idle()]);

    expect(api.submissions.map((s) => s.by)).toEqual(['B']);
    expect(replies.finals.map((f) => [f.by, f.view.kind])).toEqual([['B', 'video']]);
    expect(await stored()).toMatchObject({ state: 'delivered' });
  });

  it('a process stalled past its lease before it stored `submitting`: the other submits and delivers, the stalled one never submits', async () => {
    const stall = gate<undefined>();
    const a = driver('A', stall.promise);
    const b = driver('B');
    await a.accept(TASK, request);
    await until(async () => (await stored())?.state === 'waiting', 'A checks the picture and waits for its turn');

    elapse(TIMING.leaseMs + 1, 'B');
    expect(await b.resumeOpenTasks()).toBe(1);
    await until(() => api.submissions.length === 1, 'B submits');
    await b.idle();
    expect(await stored()).toMatchObject({ state: 'queued', provider: { taskId: 'provider-1' } });

    // A's turn comes back: its write of `submitting` loses to B's record, and B holds the lease.
    stall.open(undefined);
    await a.idle();
    elapse(POLL_MS, 'A', 'B');
    await Promise.all([a.idle(), b.idle()]);

    expect(api.submissions.map((s) => s.by)).toEqual(['B']);
    expect(api.polls.map((p) => p.by)).toEqual(['B']);
    expect(replies.finals.map((f) => [f.by, f.view.kind])).toEqual([['B', 'video']]);
    expect(await stored()).toMatchObject({ state: 'delivered' });
  });

  it("a dead process's task is taken over once its lease lapses, polled on, and delivered once", async () => {
    api.result = { status: 'processing', rawStatus: 'TASK_STATUS_PROCESSING', progressPercent: 10 };
    const a = driver('A');
    const b = driver('B');
    await a.accept(TASK, request);
    await a.idle();
    elapse(POLL_MS, 'A');
    await a.idle();
    expect(api.polls.map((p) => p.by)).toEqual(['A']);

    // A dies: nothing of it runs again, and its lease (last extended by that poll) is never given back.
    elapse(TIMING.leaseMs - 1, 'B');
    expect(await b.resumeOpenTasks()).toBe(0);
    elapse(2, 'B');
    api.result = { status: 'succeeded', rawStatus: 'TASK_STATUS_SUCCEED', video: { url: 'https://cdn.test/v.mp4', ttlSeconds: 3600 } };
    expect(await b.resumeOpenTasks()).toBe(1);
    await b.idle();

    expect(api.submissions.map((s) => s.by)).toEqual(['A']);
    expect(api.polls.map((p) => p.by)).toEqual(['A', 'B']);
    expect(replies.finals.map((f) => [f.by, f.view.kind])).toEqual([['B', 'video']]);
    expect(await stored()).toMatchObject({ state: 'delivered', provider: { taskId: 'provider-1' } });
  });

  it('a process that wakes up after its lease was taken leaves the task to the one that took it: no second poll', async () => {
    api.result = { status: 'processing', rawStatus: 'TASK_STATUS_PROCESSING', progressPercent: 10 };
    const a = driver('A');
    const b = driver('B');
    await a.accept(TASK, request);
    await a.idle();
    // A stalls with its next poll scheduled; B takes the task over and polls.
    elapse(TIMING.leaseMs + 1, 'B');
    expect(await b.resumeOpenTasks()).toBe(1);
    await b.idle();
    expect(api.polls.map((p) => p.by)).toEqual(['B']);

    // A wakes: its scheduled poll and its lease renewal find B holding the task.
    for (let s = 0; s < 3; s++) {
      elapse(TIMING.renewEveryMs, 'A', 'B');
      await Promise.all([a.idle(), b.idle()]);
      await sleep(5);
    }
    expect(api.polls.every((p) => p.by === 'B')).toBe(true);
    expect(api.polls.length).toBeGreaterThan(1);
    expect(api.submissions).toHaveLength(1);
  });

  it('a long submission keeps its lease: nobody takes over the task of a process that is alive', async () => {
    const a = driver('A');
    const b = driver('B');
    const answer = gate<undefined>();
    api.held = answer.promise;
    await a.accept(TASK, request);
    await until(() => api.submissions.length === 1, 'A submits');

    // Three leases long, with both processes alive: A renews its lease every 10 s while it waits.
    for (let s = 0; s < 9; s++) {
      elapse(TIMING.renewEveryMs, 'A', 'B');
      await sleep(5);
      expect(await b.resumeOpenTasks()).toBe(0);
    }
    answer.open(undefined);
    await until(async () => (await stored())?.state === 'queued', 'A records the submission');
    await a.idle();
    elapse(POLL_MS, 'A', 'B');
    await a.idle();

    expect(api.submissions).toHaveLength(1);
    expect(replies.finals.map((f) => [f.by, f.view.kind])).toEqual([['A', 'video']]);
  });

  it('a final record is never overwritten by a driver that read it while it was open', async () => {
    const a = driver('A');
    await tasks.put(makeTaskRecord({ id: TASK, state: 'processing', provider: { taskId: 'provider-9', submittedAt: 1_000 } }));
    const open = await stored();
    // Another process finishes the task meanwhile.
    await tasks.put({
      ...makeTaskRecord({ id: TASK, state: 'delivered', provider: { taskId: 'provider-9', submittedAt: 1_000 } }),
      revision: open?.revision,
    });
    const delivered = await stored();
    expect(
      await tasks.put({
        ...makeTaskRecord({ id: TASK, state: 'failing', failure: { kind: 'video_lost' }, refundedUnits: 1 }),
        revision: open?.revision,
      }),
    ).toBeUndefined();
    expect(await a.resumeOpenTasks()).toBe(0);
    expect(await stored()).toEqual(delivered);
    expect(replies.finals).toEqual([]);
  });
});
