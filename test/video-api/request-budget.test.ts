import { describe, expect, it } from 'vitest';
import { ManualClock } from '../support/manual-clock.ts';
import { LocalRateWindow, RequestBudget, RequestBudgetStopping, type RequestPriority } from '../../src/video-api/request-budget.ts';

/** A clock that only moves when the budget sleeps, so every wait is visible and exact. */
function fakeTime(start = 1_000_000) {
  let now = start;
  const sleeps: number[] = [];
  return {
    now: () => now,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
    advance: (ms: number) => {
      now += ms;
    },
    sleeps,
  };
}

function budgetOf(requestsPerMinute: number, time: ReturnType<typeof fakeTime>): RequestBudget {
  return new RequestBudget({ window: new LocalRateWindow({ limit: requestsPerMinute, now: time.now }), sleep: time.sleep });
}

const poll = (order: number): RequestPriority => ({ rank: 'poll', order });
const finishing = (order: number): RequestPriority => ({ rank: 'finishing', order });
const submit = (order: number): RequestPriority => ({ rank: 'submit', order });

describe('RequestBudget', () => {
  it('lets the first N requests of a minute start at once', async () => {
    const time = fakeTime();
    const budget = budgetOf(3, time);
    for (let i = 0; i < 3; i++) await budget.acquire();
    expect(time.sleeps).toEqual([]);
  });

  it('holds the next request until the oldest start leaves the rolling minute', async () => {
    const time = fakeTime();
    const budget = budgetOf(3, time);
    const startedAt: number[] = [];
    for (let i = 0; i < 3; i++) {
      await budget.acquire();
      startedAt.push(time.now());
      time.advance(10_000);
    }
    // Starts at t, t+10 s, t+20 s; the 4th may start at t+60 s, the 5th at t+70 s.
    await budget.acquire();
    startedAt.push(time.now());
    await budget.acquire();
    startedAt.push(time.now());
    const t = startedAt[0] ?? 0;
    expect(startedAt.map((at) => at - t)).toEqual([0, 10_000, 20_000, 60_000, 70_000]);
    expect(time.sleeps).toEqual([30_000, 10_000]);
  });

  it('never lets more than N start in any 60 s window when many callers arrive together', async () => {
    const time = fakeTime();
    const budget = budgetOf(2, time);
    const startedAt: number[] = [];
    await Promise.all(Array.from({ length: 7 }, () => budget.acquire(submit(0)).then(() => startedAt.push(time.now()))));
    expect(startedAt).toHaveLength(7);
    for (let i = 2; i < startedAt.length; i++) {
      expect((startedAt[i] ?? 0) - (startedAt[i - 2] ?? 0)).toBeGreaterThanOrEqual(60_000);
    }
  });

  it('does not wait after a quiet minute', async () => {
    const time = fakeTime();
    const budget = budgetOf(1, time);
    await budget.acquire();
    time.advance(61_000);
    await budget.acquire();
    expect(time.sleeps).toEqual([]);
  });

  it('refuses a cap that is not a positive whole number', () => {
    const time = fakeTime();
    expect(() => new LocalRateWindow({ limit: 0, now: time.now })).toThrow(RangeError);
    expect(() => new LocalRateWindow({ limit: 1.5, now: time.now })).toThrow(RangeError);
  });

  it('serves polls of generations about to finish first, then submissions oldest first, then other polls', async () => {
    const time = fakeTime();
    const budget = budgetOf(1, time);
    await budget.acquire(); // the minute's only slot is taken: everything below waits and is served in order
    const served: string[] = [];
    const ask = (name: string, priority: RequestPriority) => budget.acquire(priority).then(() => served.push(name));
    await Promise.all([
      ask('submit of the newer task', submit(2_000)),
      ask('poll, far from done', poll(9_000_000)),
      ask('submit of the older task', submit(1_000)),
      ask('poll, done soonest', finishing(500_000)),
      ask('poll, less far from done', poll(6_000_000)),
      ask('poll, done later', finishing(700_000)),
    ]);
    expect(served).toEqual([
      'poll, done soonest',
      'poll, done later',
      'submit of the older task',
      'submit of the newer task',
      'poll, less far from done',
      'poll, far from done',
    ]);
  });

  it('moves a waiting poll ahead of the submissions once its generation nears its end', async () => {
    const clock = new ManualClock(0);
    const budget = new RequestBudget({
      window: new LocalRateWindow({ limit: 12, now: () => clock.now() }),
      sleep: (ms) => new Promise<void>((resolve) => clock.setTimer(resolve, ms)),
      now: () => clock.now(),
    });
    const sent: string[] = [];
    const submissions = Array.from({ length: 24 }, (_, i) => budget.acquire(submit(i)).then(() => sent.push(`submit ${i}`)));
    // A poll of a generation expected to end at 30 s: not urgent before 20 s, so the submissions go first.
    let polledAt: number | undefined;
    const polled = budget.acquire({ rank: 'poll', order: 30_000, urgentAt: 20_000 }).then(() => {
      polledAt = clock.now();
      sent.push('poll');
    });
    for (let t = 0; t < 120_000; t += 500) {
      clock.advance(500);
      for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all([...submissions, polled]);
    // One submission every 5 s (12 a minute, paced): those of 0, 5, 10 and 15 s went before it, then the poll
    // took the first slot after 20 s, ahead of the 20 submissions still waiting.
    expect(sent.indexOf('poll')).toBe(4);
    expect(polledAt).toBe(20_000);
  });

  it('paces a backlog of submissions over the minute, so a poll arriving meanwhile is sent at once', async () => {
    const clock = new ManualClock(0);
    const perMinute = 60;
    const budget = new RequestBudget({
      window: new LocalRateWindow({ limit: perMinute, now: () => clock.now() }),
      sleep: (ms) => new Promise<void>((resolve) => clock.setTimer(resolve, ms)),
    });
    const submittedAt: number[] = [];
    const backlog = Array.from({ length: 300 }, (_, i) => budget.acquire(submit(i)).then(() => submittedAt.push(clock.now())));
    const elapse = async (ms: number) => {
      for (let t = 0; t < ms; t += 1_000) {
        clock.advance(1_000);
        for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
      }
    };
    for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
    await elapse(12_000);
    // A twelfth of the minute's budget per twelfth of the minute: 5 at 0 s, 5 at 5 s, 5 at 10 s.
    expect(submittedAt).toEqual([...Array<number>(5).fill(0), ...Array<number>(5).fill(5_000), ...Array<number>(5).fill(10_000)]);
    // A running task asks to poll, with 285 submissions still waiting: it goes at once.
    let polledAt: number | undefined;
    const polled = budget.acquire(finishing(0)).then(() => (polledAt = clock.now()));
    await elapse(0);
    await new Promise((resolve) => setImmediate(resolve));
    expect(polledAt).toBe(12_000);
    await elapse(6 * 60_000);
    await Promise.all([...backlog, polled]);
    // The backlog drained at the full budget: 300 at 60 a minute is five minutes, give or take the poll's slot.
    expect(submittedAt).toHaveLength(300);
    expect(Math.max(...submittedAt)).toBeGreaterThanOrEqual(295_000);
    expect(Math.max(...submittedAt)).toBeLessThanOrEqual(305_000);
    const starts = [...submittedAt, polledAt ?? 0];
    for (const at of starts) expect(starts.filter((t) => t >= at && t < at + 60_000).length).toBeLessThanOrEqual(perMinute);
  });

  it('fails only the request whose slot could not be read, and serves the others', async () => {
    const time = fakeTime();
    let failures = 1;
    const budget = new RequestBudget({
      window: {
        take: async () => {
          if (failures-- > 0) throw new Error('store unreachable');
          return 0;
        },
      },
      sleep: time.sleep,
    });
    const first = budget.acquire(poll(1));
    const second = budget.acquire(poll(2));
    await expect(first).rejects.toThrow('store unreachable');
    await expect(second).resolves.toBeUndefined();
  });
});

describe('RequestBudget.stop (the process is stopping)', () => {
  it('rejects every waiting request with RequestBudgetStopping, grants none of them, and refuses later ones at once', async () => {
    const clock = new ManualClock(1_000_000);
    const budget = new RequestBudget({
      window: new LocalRateWindow({ limit: 1, now: () => clock.now() }),
      sleep: (ms) => new Promise<void>((resolve) => clock.setTimer(resolve, ms)),
      now: () => clock.now(),
    });
    await budget.acquire(submit(0));
    const granted: number[] = [];
    const waiting = [1, 2, 3].map((i) =>
      budget.acquire(submit(i)).then(
        () => {
          granted.push(i);
        },
        (error: unknown) => error,
      ),
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(budget.waiting).toBe(3);

    budget.stop();
    const outcomes = await Promise.all(waiting);
    expect(outcomes.every((error) => error instanceof RequestBudgetStopping)).toBe(true);
    expect(budget.waiting).toBe(0);
    await expect(budget.acquire(finishing(0))).rejects.toBeInstanceOf(RequestBudgetStopping);
    // Time moving on later hands out nothing: the abandoned requests stay abandoned.
    clock.advance(120_000);
    await new Promise((resolve) => setImmediate(resolve));
    expect(granted).toEqual([]);
  });
});
