/**
 * Start to first poll with 1000 open tasks in a real SQLite file, for the bot's own parts only: loading the
 * tracker's modules, opening the store, the first maintenance sweep (reconciling 1000 reservations, listing
 * 1000 open tasks, resuming them) and the first poll through the default request budget. No Discord login
 * (bench/scenarios/resume.ts measures the whole process). Prints the time and the polls per second after it,
 * which show the resumed polls spread at the budget's rate. `node bench/first-poll.ts`, about 15 s.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../src/clock.ts';
import { silentLogger } from '../src/logger.ts';
import type { QuotaDefaults } from '../src/quota/quota-settings.ts';
import { QuotaService } from '../src/quota/quota-service.ts';
import { openStore } from '../src/store/open-store.ts';
import type { TaskResult } from '../src/video-api/video-api-client.ts';
import type { RequestPriority } from '../src/video-api/request-budget.ts';
import { TaskStore } from '../src/tasks/task-store.ts';
import { makeTaskRecord } from '../test/support/task-fixtures.ts';

const OPEN_TASKS = 1_000;
const REQUESTS_PER_MINUTE = 120;
const WATCH_MS = 10_000;
const GUILD = '300000000000000001';
const CHANNEL = '400000000000000001';

const dir = mkdtempSync(join(tmpdir(), 'animate-first-poll-'));
const url = `sqlite://${join(dir, 'animate.sqlite')}`;
const defaults: QuotaDefaults = {
  period: 'day',
  memberUnits: null,
  serverUnits: null,
  memberRunning: null,
  memberWaiting: null,
  globalUnitsPerDay: null,
  serverMaxUnitsPerDay: null,
};

// What a bot stopped mid-work leaves: 1000 generations running, each with its reservation.
{
  const store = await openStore(url);
  const tasks = new TaskStore(store, silentLogger);
  const quota = new QuotaService({ store, defaults, clock: systemClock, logger: silentLogger });
  const now = Date.now();
  for (let i = 0; i < OPEN_TASKS; i++) {
    const userId = String(200_000_000_000_000_000n + BigInt(i));
    await quota.reserve({ taskId: `t-${i}`, guildId: GUILD, channelId: CHANNEL, userId, roleIds: [], units: 1 });
    await tasks.put(
      makeTaskRecord({
        id: `t-${i}`,
        state: 'processing',
        requester: { userId, guildId: GUILD, channelId: CHANNEL },
        provider: { taskId: `p-${i}`, submittedAt: now - 60_000, etaAt: now + 60_000 + i * 50 },
        createdAt: now - 61_000,
      }),
    );
  }
  await store.close();
}

const startedAt = performance.now();
const { Maintenance } = await import('../src/tasks/maintenance.ts');
const { TaskTracker } = await import('../src/tasks/task-tracker.ts');
const { RequestBudget, StoreRateWindow } = await import('../src/video-api/request-budget.ts');
const store = await openStore(url);
const tasks = new TaskStore(store, silentLogger);
const quota = new QuotaService({ store, defaults, clock: systemClock, logger: silentLogger });
const budget = new RequestBudget({
  window: new StoreRateWindow({ store, limit: REQUESTS_PER_MINUTE, waiter: 'bench' }),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
});
const polls: number[] = [];
const unused = () => Promise.reject(new Error('not used when resuming generations'));
const tracker = new TaskTracker({
  store: tasks,
  quota,
  logger: silentLogger,
  clock: systemClock,
  pollIntervalMs: 5_000,
  requestsPerMinute: REQUESTS_PER_MINUTE,
  replies: { showProgress: async () => undefined, deliver: async () => ({ outcome: 'delivered' }) },
  videoApi: {
    submit: unused,
    getResult: async (_id: string, priority?: RequestPriority): Promise<TaskResult> => {
      await budget.acquire(priority);
      polls.push(performance.now() - startedAt);
      return { status: 'processing', rawStatus: 'TASK_STATUS_PROCESSING' };
    },
  },
  downloadImage: unused,
  checkImage: () => {
    throw new Error('not used when resuming generations');
  },
  downloadVideo: unused,
});
const maintenance = new Maintenance({ tracker, quota, tasks, logger: silentLogger, clock: systemClock });
void maintenance.sweep(true);
await new Promise((resolve) => setTimeout(resolve, WATCH_MS));
maintenance.stop();

const perSecond = new Map<number, number>();
for (const at of polls) perSecond.set(Math.floor(at / 1000), (perSecond.get(Math.floor(at / 1000)) ?? 0) + 1);
console.log(
  `first poll ${polls[0] === undefined ? '-' : `${Math.round(polls[0])} ms`} after start with ${OPEN_TASKS} open tasks; ` +
    `polls per second after it (budget ${REQUESTS_PER_MINUTE} a minute): ${[...perSecond.values()].join(' ')}`,
);
rmSync(dir, { recursive: true, force: true });
process.exit(0);
