/**
 * The sweep's part in "nothing lost" for a request acknowledged but never recorded: on a real SQLite store
 * with the real quota service, the reservation a killed process left is refunded at the first sweep of the
 * process started after it, and handed to the handler that answers the member, once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.ts';
import { QuotaService, type RefundedOrphan } from '../../src/quota/quota-service.ts';
import type { QuotaDefaults } from '../../src/quota/quota-settings.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { Maintenance } from '../../src/tasks/maintenance.ts';
import { TaskStore } from '../../src/tasks/task-store.ts';
import { ManualClock } from '../support/manual-clock.ts';
import { makeTaskRecord } from '../support/task-fixtures.ts';

const DEFAULTS: QuotaDefaults = {
  period: 'day',
  memberUnits: 10,
  serverUnits: 30,
  memberRunning: 1,
  memberWaiting: 2,
  globalUnitsPerDay: 200,
  serverMaxUnitsPerDay: 100,
};
const GUILD = '1187203491855130624';
const CHANNEL = '1187203492404584458';
const ALICE = '248836251873968128';
const answer = { reply: { applicationId: '1', token: 'interaction-token', createdAt: 0 }, locale: 'pt-BR' };

describe('maintenance and a request never recorded', () => {
  let dir: string;
  let store: SqliteStore;
  let tasks: TaskStore;
  let clock: ManualClock;
  let told: RefundedOrphan[];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'animate-orphans-'));
    store = SqliteStore.open(`sqlite://${join(dir, 'a.sqlite')}`);
    tasks = new TaskStore(store, silentLogger);
    clock = new ManualClock(Date.parse('2026-11-25T10:00:00Z'));
    told = [];
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function maintenanceOf(quota: QuotaService, inFlight?: (taskId: string) => boolean): Maintenance {
    return new Maintenance({
      ...(inFlight ? { requestsInFlight: { has: inFlight } } : {}),
      tracker: { resumeOpenTasks: async () => 0 },
      quota,
      tasks,
      logger: silentLogger,
      clock,
      orphans: { refunded: async (orphan) => void told.push(orphan) },
    });
  }

  it('the first sweep after a restart refunds what the dead process reserved and hands it over once; a recorded task is left alone', async () => {
    const before = new QuotaService({ store, defaults: DEFAULTS, clock, logger: silentLogger });
    const reserve = (taskId: string) =>
      before.reserve({ taskId, guildId: GUILD, channelId: CHANNEL, userId: ALICE, roleIds: [], units: 2, caller: answer });
    expect(await reserve('never-recorded')).toMatchObject({ ok: true });
    expect(await reserve('recorded')).toMatchObject({ ok: true });
    await tasks.put(makeTaskRecord({ id: 'recorded', state: 'queued' }));
    // Killed a second later; the new process's quota service starts with the store to itself.
    clock.advance(1_000);
    const maintenance = maintenanceOf(new QuotaService({ store, defaults: DEFAULTS, clock, logger: silentLogger }));

    await maintenance.sweep(true);
    await maintenance.sweep();
    maintenance.stop();

    expect(told).toEqual([{ taskId: 'never-recorded', guildId: GUILD, userId: ALICE, units: 2, caller: answer }]);
    expect((await store.listReservations()).map((r) => r.key).sort()).toEqual(['spend:recorded', 'units:recorded']);
    expect(await store.counter('used:global:day:2026-11-25')).toBe(2);
    expect(await store.counter(`used:member:${GUILD}:day:2026-11-25:${ALICE}`)).toBe(2);
  });

  it('leaves alone a request this process is still answering, however long its deferral takes: it is recorded, not refunded', async () => {
    const quota = new QuotaService({ store, defaults: DEFAULTS, clock, logger: silentLogger });
    await quota.reserve({
      taskId: 'slow-deferral',
      guildId: GUILD,
      channelId: CHANNEL,
      userId: ALICE,
      roleIds: [],
      units: 2,
      caller: answer,
    });
    // Past the 30 s after which a reservation with no record counts as orphaned on this store.
    clock.advance(40_000);
    const maintenance = maintenanceOf(quota, (taskId) => taskId === 'slow-deferral');

    await maintenance.sweep(true);
    maintenance.stop();

    expect(told).toEqual([]);
    expect((await store.listReservations()).map((r) => r.key).sort()).toEqual(['spend:slow-deferral', 'units:slow-deferral']);
    expect(await store.counter(`used:member:${GUILD}:day:2026-11-25:${ALICE}`)).toBe(2);
  });
});
