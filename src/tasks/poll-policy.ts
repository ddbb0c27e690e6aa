/**
 * When to ask the provider again. The provider documents no polling interval, only per-minute limits,
 * so polls follow its ETA when it gives one, slow down as a generation ages, and back off on errors.
 */

export const MAX_POLL_DELAY_MS = 60_000;
const MAX_ERROR_DELAY_MS = 5 * 60_000;

/** Delay before the next poll of a task still running. */
export function nextPollDelayMs(input: { pollIntervalMs: number; etaSeconds?: number; runningForMs: number }): number {
  const { pollIntervalMs, etaSeconds, runningForMs } = input;
  // The estimate itself: the provider gives whole seconds, rounded up, so asking then finds the video ready
  // within a second of it (halving the estimate instead cost three to four extra polls per video, all in
  // its last seconds). A wrong estimate costs one more poll, an interval later.
  const wanted = etaSeconds !== undefined && etaSeconds > 0 ? etaSeconds * 1000 : runningForMs / 6;
  return Math.round(Math.min(MAX_POLL_DELAY_MS, Math.max(pollIntervalMs, wanted)));
}

/** Delay after `failures` consecutive errors: exponential, with jitter so restarted bots do not poll in step. */
export function errorBackoffMs(input: { pollIntervalMs: number; failures: number; random: () => number; retryAfterMs?: number }): number {
  const exponential = Math.min(MAX_ERROR_DELAY_MS, input.pollIntervalMs * 2 ** Math.min(input.failures, 16));
  const jittered = exponential / 2 + input.random() * (exponential / 2);
  return Math.round(Math.max(jittered, input.retryAfterMs ?? 0));
}
