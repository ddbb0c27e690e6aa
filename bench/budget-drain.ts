/**
 * The provider request budget under a burst: 1000 submissions arrive while 20 generations are running.
 * Measured: how long the backlog takes to drain, how long the running generations wait between the provider
 * finishing and a poll seeing it, and the most requests the provider received in any minute.
 *
 * At the default HIGHWAY_REQUESTS_PER_MINUTE (120) the drain alone takes about ten minutes, so the bot's own
 * parts (tracker, real SQLite store, real video API client over HTTP to the project's video stand-in) run at
 * SCALE times the default budget, with every duration the provider and the bot use (generation time, poll
 * interval) divided by SCALE; the figures are multiplied back and printed as at the default, saying so.
 * The bot's own thresholds (what counts as near its end: 10 s; a generation without an ETA: 2 min) are not
 * scaled, so more polls count as urgent here than at the default: the drain measured is, if anything, slow.
 * A measurement, never a test: it prints and exits 0. Runs alone (`node bench/budget-drain.ts`, about a
 * minute) or as a step of `npm run bench`, in a process of its own, so the work it leaves running (the
 * backlog's polls) ends with it.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../src/logger.ts';
import { SqliteStore } from '../src/store/sqlite-store.ts';
import type { ReplyPort } from '../src/tasks/reply-port.ts';
import { TaskStore } from '../src/tasks/task-store.ts';
import { TaskTracker, type NewTask, type QuotaGate } from '../src/tasks/task-tracker.ts';
import { RequestBudget, StoreRateWindow } from '../src/video-api/request-budget.ts';
import { VideoApiClient } from '../src/video-api/video-api-client.ts';
import { makeTaskRecord } from '../test/support/task-fixtures.ts';
import { VideoApiStandIn } from '../test/support/video-api-stand-in.ts';
import { percentile, waitFor } from './stats.ts';

/** The bot's defaults this measurement is scaled back to. */
const DEFAULT_REQUESTS_PER_MINUTE = 120;
const DEFAULT_POLL_INTERVAL_MS = 5_000;
/** A generation as the provider documents it: "around 2–3 minutes for a 5 s clip". */
const GENERATION_MS = 120_000;
/** How much faster than the default everything runs. */
export const SCALE = 20;
const BURST = 1_000;
const RUNNING = 20;
const API_KEY = 'bench-budget-key-0123456789';

export interface BudgetDrainFigures {
  scale: number;
  /** Burst to the backlog's last submission, scaled to the default budget. */
  drainMs: number | undefined;
  /** Provider finished to a poll seeing it, for the generations running when the burst came, scaled. */
  seenDelayP50Ms: number | undefined;
  seenDelayMaxMs: number | undefined;
  /** The most requests the provider received in any (scaled) minute, and the default budget. */
  maxPerMinute: number;
  budgetPerMinute: number;
}

export async function measureBudgetDrain(): Promise<BudgetDrainFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'animate-budget-drain-'));
  const standIn = await VideoApiStandIn.start({ apiKey: API_KEY });
  standIn.setDefaultTask({ runMs: GENERATION_MS / SCALE });
  const sqlite = SqliteStore.open(`sqlite://${join(dir, 'animate.sqlite')}`);
  const requestsPerMinute = DEFAULT_REQUESTS_PER_MINUTE * SCALE;
  // The default budget with its minute shortened SCALE times: the same rate as `requestsPerMinute`, and the
  // same shape (bursts, pace) as at the default.
  const budget = new RequestBudget({
    window: new StoreRateWindow({ store: sqlite, limit: DEFAULT_REQUESTS_PER_MINUTE, windowMs: 60_000 / SCALE, waiter: 'bench' }),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  });
  const quota: QuotaGate = {
    tryStart: async () => true,
    settle: async () => true,
    pauseSubmissions: async () => false,
    pausedUntil: async () => undefined,
  };
  const replies: ReplyPort = { showProgress: async () => undefined, deliver: async () => ({ outcome: 'delivered' }) };
  const tracker = new TaskTracker({
    store: new TaskStore(sqlite, silentLogger),
    quota,
    videoApi: new VideoApiClient({ baseUrl: standIn.baseUrl, apiKey: API_KEY, logger: silentLogger, budget }),
    replies,
    logger: silentLogger,
    clock: { now: () => Date.now(), setTimer: (f, ms) => setTimeout(f, ms), clearTimer: (t) => clearTimeout(t as NodeJS.Timeout) },
    pollIntervalMs: DEFAULT_POLL_INTERVAL_MS / SCALE,
    requestsPerMinute,
    downloadImage: async () => Buffer.from('picture'),
    checkImage: (bytes) => ({ format: 'png', width: 512, height: 512, bytes, base64: bytes.toString('base64'), mimeType: 'image/png' }),
    // Delivery is not what is measured: the video is not fetched.
    downloadVideo: async () => ({ kind: 'file', file: { path: '/tmp/animate-test/v.mp4', sizeBytes: 3 } }),
  });
  const request = (member: number): NewTask => {
    const { requester, interaction, options, image } = makeTaskRecord({
      requester: {
        userId: String(210_000_000_000_000_000n + BigInt(member)),
        guildId: '300000000000000001',
        channelId: '400000000000000001',
      },
    });
    return { requester, interaction, options, image };
  };

  try {
    for (let i = 0; i < RUNNING; i++) await tracker.accept(`running-${i}`, request(i));
    await waitFor(() => standIn.submissions.length >= RUNNING, 30_000);
    const runningIds = standIn.taskIds.slice(0, RUNNING);
    // Running for a while, as generations are when a burst comes: each has been polled and has an ETA.
    await waitFor(() => runningIds.every((id) => standIn.polls.some((p) => p.taskId === id)), 30_000);
    const burstAt = Date.now();
    for (let i = 0; i < BURST; i++) await tracker.accept(`burst-${i}`, request(RUNNING + i));
    const drained = await waitFor(() => standIn.submissions.length >= RUNNING + BURST, (BURST / requestsPerMinute) * 60_000 * 4, 50);
    const drainMs = drained ? ((standIn.submissions.at(-1)?.at ?? burstAt) - burstAt) * SCALE : undefined;
    // The generations running before the burst end within it; each is seen by its first poll after its end.
    const endOf = new Map(standIn.taskTimings().map((t) => [t.id, t.submittedAt + GENERATION_MS / SCALE]));
    await waitFor(() => runningIds.every((id) => standIn.polls.some((p) => p.taskId === id && p.at >= (endOf.get(id) ?? 0))), 30_000, 50);
    const seenDelays = runningIds.flatMap((id) => {
      const end = endOf.get(id) ?? 0;
      const seen = standIn.polls.find((p) => p.taskId === id && p.at >= end);
      return seen ? [(seen.at - end) * SCALE] : [];
    });
    const requests = [...standIn.submissions.map((s) => s.at), ...standIn.polls.map((p) => p.at)].sort((a, b) => a - b);
    const minute = 60_000 / SCALE;
    let maxPerMinute = 0;
    for (let first = 0, last = 0; last < requests.length; last++) {
      while ((requests[last] ?? 0) - (requests[first] ?? 0) >= minute) first++;
      maxPerMinute = Math.max(maxPerMinute, last - first + 1);
    }
    return {
      scale: SCALE,
      drainMs,
      seenDelayP50Ms: percentile(seenDelays, 50),
      seenDelayMaxMs: percentile(seenDelays, 100),
      maxPerMinute,
      budgetPerMinute: DEFAULT_REQUESTS_PER_MINUTE,
    };
  } finally {
    // The backlog's polls are still under way: this process ends with them rather than wait.
    void tracker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One line for the bench's log. */
export function describeBudgetDrain(f: BudgetDrainFigures): string {
  const min = (ms: number | undefined) => (ms === undefined ? '-' : `${(ms / 60_000).toFixed(1)} min`);
  const s = (ms: number | undefined) => (ms === undefined ? '-' : `${(ms / 1000).toFixed(1)} s`);
  return (
    `measured at ${f.budgetPerMinute * f.scale} requests a minute (${f.scale} times the default) with every duration divided by ${f.scale}, ` +
    `scaled back to the default ${DEFAULT_REQUESTS_PER_MINUTE} a minute: ${BURST} submissions drained in ${min(f.drainMs)} ` +
    `(${(BURST / DEFAULT_REQUESTS_PER_MINUTE).toFixed(1)} min if submissions had the whole budget); the ${RUNNING} generations running ` +
    `meanwhile were seen finished ${s(f.seenDelayP50Ms)} (p50), ${s(f.seenDelayMaxMs)} (max) after the provider finished them; ` +
    `at most ${f.maxPerMinute} requests in any ${60 / f.scale} s, a minute at the default (${f.budgetPerMinute} allowed; counted as ` +
    `the stand-in received them, so network and event-loop jitter count ${f.scale} times too)`
  );
}

/** Runs this file in a process of its own (as `npm run bench` does) and returns its line. Never rejects. */
export function runBudgetDrainProcess(timeoutMs = 180_000): Promise<string> {
  return new Promise((resolve) => {
    execFile(process.execPath, [new URL(import.meta.url).pathname], { timeout: timeoutMs }, (error, stdout) => {
      const line = stdout.trim().split('\n').at(-1) ?? '';
      resolve(line || `budget drain: failed: ${error?.message ?? 'no output'}`);
    });
  });
}

if (import.meta.main) {
  try {
    console.log(`budget drain: ${describeBudgetDrain(await measureBudgetDrain())}`);
  } catch (error) {
    console.log(`budget drain: failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  process.exit(0);
}
