import { mkdtempSync, rmSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { Maintenance, type ReservationReconciler, type TaskResumer } from '../../src/tasks/maintenance.ts';
import { TaskStore } from '../../src/tasks/task-store.ts';
import { ManualClock } from '../support/manual-clock.ts';
import { makeTaskRecord } from '../support/task-fixtures.ts';

describe('maintenance with unreadable data in the store', () => {
  let dir: string;
  let file: string;
  let sqlite: SqliteStore;
  let tasks: TaskStore;
  let lines: string[];
  let resumed: string[][];

  const logger = () => createLogger({ level: 'info', write: (line) => lines.push(line) });
  /** The tracker's part: what a sweep would resume. */
  const resumer = (): TaskResumer => ({
    resumeOpenTasks: async () => {
      const open = await tasks.listOpen();
      resumed.push(open.map((t) => t.id));
      return open.length;
    },
  });
  const reconciler = (reconcile: ReservationReconciler['reconcile']): ReservationReconciler => ({ reconcile });
  const sweeps = (quota: ReservationReconciler) =>
    new Maintenance({ tracker: resumer(), quota, tasks, logger: logger(), clock: new ManualClock(1_000) });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'animate-maintenance-'));
    file = join(dir, 'a.sqlite');
    sqlite = SqliteStore.open(`sqlite://${file}`);
    lines = [];
    resumed = [];
    tasks = new TaskStore(sqlite, logger());
  });

  afterEach(async () => {
    await sqlite.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('moves an unreadable task aside, logs it once, and keeps resuming the healthy task beside it', async () => {
    await tasks.put(makeTaskRecord({ id: 'healthy', state: 'processing', provider: { taskId: 'p', submittedAt: 1 } }));
    // One value of another shape, one that is not even JSON (a torn write, a hand edit).
    await sqlite.addToSet('tasks:open', 'other-shape');
    await sqlite.kv.set('task:other-shape', { version: 99, nonsense: true });
    await sqlite.addToSet('tasks:open', 'garbled');
    await sqlite.kv.set('task:garbled', { placeholder: true });
    // The store holds its file while open: garble the row from a second connection in between.
    await sqlite.close();
    const db = new DatabaseSync(file);
    db.prepare("UPDATE kv SET value = '{garbled' WHERE key = 'animate:task:garbled'").run();
    db.close();
    sqlite = SqliteStore.open(`sqlite://${file}`);
    tasks = new TaskStore(sqlite, logger());

    const maintenance = sweeps(reconciler(async () => 0));
    await maintenance.sweep();
    await maintenance.sweep();
    maintenance.stop();

    expect(resumed).toEqual([['healthy'], ['healthy']]);
    expect(lines.filter((l) => l.includes('sweep failed'))).toEqual([]);
    const movedAside = lines.filter((l) => l.includes('moved aside'));
    expect(movedAside).toHaveLength(2);
    expect(movedAside.join('\n')).toContain('other-shape');
    expect(movedAside.join('\n')).toContain('garbled');
    expect(await sqlite.setMembers('tasks:open')).toEqual(['healthy']);
    expect(await sqlite.kv.get('task:other-shape')).toBeUndefined();
    expect(await sqlite.kv.get('unreadable:task:other-shape')).toMatchObject({ version: 99 });
    expect(await sqlite.kv.get('unreadable:task:garbled')).toBe('{garbled');
  });

  it('resumes open tasks even when reconciling the reservations fails', async () => {
    await tasks.put(makeTaskRecord({ id: 'healthy', state: 'processing', provider: { taskId: 'p', submittedAt: 1 } }));
    const maintenance = sweeps(
      reconciler(async () => {
        throw new Error('reservation list unreadable');
      }),
    );
    await maintenance.sweep();
    maintenance.stop();
    expect(resumed).toEqual([['healthy']]);
    expect(lines.filter((l) => l.includes('reconciling reservations failed'))).toHaveLength(1);
  });

  it('with several processes, looks for tasks to take over every 10 s and reconciles once a minute', async () => {
    const clock = new ManualClock(1_000);
    let reconciled = 0;
    const maintenance = new Maintenance({
      tracker: resumer(),
      quota: reconciler(async () => {
        reconciled++;
        return 0;
      }),
      tasks,
      logger: logger(),
      clock,
      resumeEveryMs: 10_000,
    });
    maintenance.start();
    for (let i = 0; i < 12; i++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      clock.advance(10_000);
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
    maintenance.stop();
    // At the start and 12 times after it, 120 s in all; reconciled at the start, at 60 s and at 120 s.
    expect(resumed).toHaveLength(13);
    expect(reconciled).toBe(3);
  });
});
