import { describe, expect, it } from 'vitest';
import { LocalRateWindow, RequestBudget, type RequestPriority } from '../../src/video-api/request-budget.ts';

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

  it('serves the generations closest to finishing first, then other polls, then submissions oldest first', async () => {
    const time = fakeTime();
    const budget = budgetOf(1, time);
    await budget.acquire(); // the minute's only slot is taken: everything below waits and is served in order
    const served: string[] = [];
    const ask = (name: string, priority: RequestPriority) => budget.acquire(priority).then(() => served.push(name));
    await Promise.all([
      ask('submit of the newer task', submit(2_000)),
      ask('poll, far from done', poll(900_000)),
      ask('submit of the older task', submit(1_000)),
      ask('poll, done soonest', finishing(500_000)),
      ask('poll, nearly done', poll(600_000)),
      ask('poll, done later', finishing(700_000)),
    ]);
    expect(served).toEqual([
      'poll, done soonest',
      'poll, done later',
      'poll, nearly done',
      'poll, far from done',
      'submit of the older task',
      'submit of the newer task',
    ]);
  });

  it('drains a backlog of submissions at the budget while a poll arriving meanwhile waits one slot at most', async () => {
    const time = fakeTime(0);
    const perMinute = 60;
    let polled: Promise<unknown> | undefined;
    let pollAskedAt: number | undefined;
    let polledAt: number | undefined;
    const budget = new RequestBudget({
      window: new LocalRateWindow({ limit: perMinute, now: time.now }),
      sleep: async (ms) => {
        // The first minute's slots are gone and 240 submissions wait: a running task asks to poll now.
        if (polled === undefined) {
          pollAskedAt = time.now();
          polled = budget.acquire(poll(0)).then(() => (polledAt = time.now()));
        }
        await time.sleep(ms);
      },
    });
    const submittedAt: number[] = [];
    const backlog = Array.from({ length: 300 }, (_, i) => budget.acquire(submit(i)).then(() => submittedAt.push(time.now())));
    await Promise.all(backlog);
    await polled;
    // The 300 submissions and the poll took 301 slots: 60 a minute, the last one five minutes in.
    expect(submittedAt).toHaveLength(300);
    expect(Math.max(...submittedAt)).toBe(5 * 60_000);
    // The poll was served at the first slot that came free, ahead of the 240 submissions still waiting.
    expect(pollAskedAt).toBe(0);
    expect(polledAt).toBe(60_000);
    expect(submittedAt.filter((at) => at <= (polledAt ?? 0))).toHaveLength(perMinute * 2 - 1);
    expect(submittedAt.filter((at) => at < (polledAt ?? 0))).toHaveLength(perMinute);
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
