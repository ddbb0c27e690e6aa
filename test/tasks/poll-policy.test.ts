import { describe, expect, it } from 'vitest';
import { errorBackoffMs, MAX_POLL_DELAY_MS, nextPollDelayMs } from '../../src/tasks/poll-policy.ts';

describe('polling follows the provider', () => {
  it('waits the announced ETA, within the configured floor and a one-minute ceiling', () => {
    expect(nextPollDelayMs({ pollIntervalMs: 5000, etaSeconds: 50, runningForMs: 0 })).toBe(50_000);
    expect(nextPollDelayMs({ pollIntervalMs: 5000, etaSeconds: 4, runningForMs: 0 })).toBe(5000);
    expect(nextPollDelayMs({ pollIntervalMs: 5000, etaSeconds: 600, runningForMs: 0 })).toBe(MAX_POLL_DELAY_MS);
  });

  it('asks a few times, not once per interval, about a generation whose ETA is right, and sees it finish within one interval', () => {
    // The provider's ETA is whole seconds, rounded up (it never announces the finish too early).
    for (const runMs of [15_000, 18_500, 21_000, 75_000, 105_000]) {
      for (const pollIntervalMs of [1000, 5000]) {
        let at = pollIntervalMs; // the first poll, one interval after the submission
        let polls = 1;
        while (at < runMs) {
          const etaSeconds = Math.ceil((runMs - at) / 1000);
          at += nextPollDelayMs({ pollIntervalMs, etaSeconds, runningForMs: at });
          polls++;
        }
        expect(polls, `${runMs} ms at ${pollIntervalMs} ms`).toBeLessThanOrEqual(3);
        expect(at - runMs, `${runMs} ms at ${pollIntervalMs} ms`).toBeLessThanOrEqual(pollIntervalMs);
      }
    }
  });

  it('slows down as a generation without ETA ages', () => {
    const early = nextPollDelayMs({ pollIntervalMs: 5000, runningForMs: 10_000 });
    const later = nextPollDelayMs({ pollIntervalMs: 5000, runningForMs: 180_000 });
    expect(early).toBe(5000);
    expect(later).toBe(30_000);
    expect(nextPollDelayMs({ pollIntervalMs: 5000, etaSeconds: 0, runningForMs: 60_000 })).toBe(10_000);
  });

  it('backs off exponentially on errors, with jitter, and honours Retry-After', () => {
    const low = errorBackoffMs({ pollIntervalMs: 1000, failures: 3, random: () => 0 });
    const high = errorBackoffMs({ pollIntervalMs: 1000, failures: 3, random: () => 0.999 });
    expect(low).toBe(4000);
    expect(high).toBeGreaterThan(7900);
    expect(errorBackoffMs({ pollIntervalMs: 1000, failures: 40, random: () => 1 })).toBe(300_000);
    expect(errorBackoffMs({ pollIntervalMs: 1000, failures: 1, random: () => 0, retryAfterMs: 20_000 })).toBe(20_000);
  });
});
