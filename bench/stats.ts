/** The few statistics the bench prints: nearest-rank percentiles and mebibytes. */

/** Nearest-rank percentile (p in 0..100) of the samples; undefined when there are none. */
export function percentile(samples: readonly number[], p: number): number | undefined {
  if (samples.length === 0) return undefined;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1];
}

export function mebibytes(bytes: number): number {
  return bytes / (1024 * 1024);
}

/** `ms` milliseconds, for waiting between samples. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves once `condition` holds, or false after `timeoutMs` (a bench records a shortfall, it does not throw). */
export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 25): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) return false;
    await sleep(everyMs);
  }
  return true;
}

/** `12 MiB`, or `-` when there is nothing to show. */
export function formatMiB(bytes: number | undefined): string {
  return bytes === undefined ? '-' : `${Math.round(mebibytes(bytes))} MiB`;
}

/** `12 ms`, or `-` when there is nothing to show. */
export function formatMs(ms: number | undefined): string {
  return ms === undefined ? '-' : `${Math.round(ms)} ms`;
}
