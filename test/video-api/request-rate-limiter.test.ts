import { describe, expect, it } from 'vitest';
import { RequestRateLimiter } from '../../src/video-api/request-rate-limiter.ts';

/** A clock that only moves when the limiter sleeps, so every wait is visible and exact. */
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

describe('RequestRateLimiter', () => {
  it('lets the first N requests of a minute start at once', async () => {
    const time = fakeTime();
    const limiter = new RequestRateLimiter({ requestsPerMinute: 3, now: time.now, sleep: time.sleep });
    for (let i = 0; i < 3; i++) await limiter.acquire();
    expect(time.sleeps).toEqual([]);
  });

  it('holds the next request until the oldest start leaves the rolling minute', async () => {
    const time = fakeTime();
    const limiter = new RequestRateLimiter({ requestsPerMinute: 3, now: time.now, sleep: time.sleep });
    const startedAt: number[] = [];
    for (let i = 0; i < 3; i++) {
      await limiter.acquire();
      startedAt.push(time.now());
      time.advance(10_000);
    }
    // Starts at t, t+10 s, t+20 s; the 4th may start at t+60 s, the 5th at t+70 s.
    await limiter.acquire();
    startedAt.push(time.now());
    await limiter.acquire();
    startedAt.push(time.now());
    const t = startedAt[0] ?? 0;
    expect(startedAt.map((at) => at - t)).toEqual([0, 10_000, 20_000, 60_000, 70_000]);
    expect(time.sleeps).toEqual([30_000, 10_000]);
  });

  it('never lets more than N start in any 60 s window when many callers arrive together', async () => {
    const time = fakeTime();
    const limiter = new RequestRateLimiter({ requestsPerMinute: 2, now: time.now, sleep: time.sleep });
    const startedAt: number[] = [];
    await Promise.all(Array.from({ length: 7 }, () => limiter.acquire().then(() => startedAt.push(time.now()))));
    expect(startedAt).toHaveLength(7);
    for (let i = 2; i < startedAt.length; i++) {
      expect((startedAt[i] ?? 0) - (startedAt[i - 2] ?? 0)).toBeGreaterThanOrEqual(60_000);
    }
  });

  it('does not wait after a quiet minute', async () => {
    const time = fakeTime();
    const limiter = new RequestRateLimiter({ requestsPerMinute: 1, now: time.now, sleep: time.sleep });
    await limiter.acquire();
    time.advance(61_000);
    await limiter.acquire();
    expect(time.sleeps).toEqual([]);
  });

  it('refuses a cap that is not a positive whole number', () => {
    const time = fakeTime();
    expect(() => new RequestRateLimiter({ requestsPerMinute: 0, now: time.now, sleep: time.sleep })).toThrow(RangeError);
    expect(() => new RequestRateLimiter({ requestsPerMinute: 1.5, now: time.now, sleep: time.sleep })).toThrow(RangeError);
  });
});
