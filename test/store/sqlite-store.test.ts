import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteConnection, transaction } from '../../src/store/sqlite-connection.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { ManualClock } from '../support/manual-clock.ts';
import { serverAndMemberBooking } from './store-backends.ts';

describe('SQLite store', () => {
  let dir: string;
  let path: string;
  let clock: ManualClock;
  let store: SqliteStore | undefined;

  const open = () => (store = SqliteStore.open(`sqlite://${path}`, clock));
  /**
   * A second connection, as an operator's sqlite3 shell would see the file. The store holds the file's
   * exclusive lock while it is open, so it is closed first.
   */
  const inspect = async <T>(read: (db: DatabaseSync) => T): Promise<T> => {
    await store?.close();
    store = undefined;
    const db = new DatabaseSync(path);
    try {
      return read(db);
    } finally {
      db.close();
    }
  };
  const count = (table: string) => inspect((db) => db.prepare(`SELECT count(*) AS n FROM ${table}`).get()?.n);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'animate-sqlite-'));
    path = join(dir, 'animate.sqlite');
    clock = new ManualClock(1_000_000);
  });

  afterEach(async () => {
    await store?.close();
    store = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the file in WAL mode', async () => {
    open();
    expect(await inspect((db) => db.prepare('PRAGMA journal_mode').get())).toEqual({ journal_mode: 'wal' });
  });

  it('holds its file: a second bot process waits for it, then is told to stop the first or use Redis', async () => {
    const first = open();
    await first.kv.set('a', 1);
    const started = Date.now();
    expect(() => SqliteStore.open(`sqlite://${path}`, clock, { lockWaitMs: 300 })).toThrow(
      /in use by another bot process; stop that one first, or use STORE_URL=redis:/,
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    // Not even a reader gets in while the bot runs.
    expect(() => new DatabaseSync(path, { timeout: 50 }).prepare('SELECT count(*) FROM kv').get()).toThrow(/locked/);

    await first.close();
    store = SqliteStore.open(`sqlite://${path}`, clock, { lockWaitMs: 300 });
    expect(await store.kv.get('a')).toBe(1);
  });

  it('a restart that overlaps the old process gets the file as soon as the old one lets go', async () => {
    await open().close();
    // The old bot: another process holding the file for a moment longer (the wait below blocks this thread).
    const holder = spawn(process.execPath, [
      '-e',
      `const { DatabaseSync } = require('node:sqlite'); const db = new DatabaseSync(${JSON.stringify(path)}); db.exec('PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE; COMMIT'); console.log('held'); setTimeout(() => db.close(), 400);`,
    ]);
    await new Promise<void>((resolve) => holder.stdout.once('data', () => resolve()));
    const waitedFrom = Date.now();
    store = SqliteStore.open(`sqlite://${path}`, clock, { lockWaitMs: 5_000 });
    expect(Date.now() - waitedFrom).toBeGreaterThanOrEqual(200);
    await new Promise((resolve) => holder.once('exit', resolve));
  });

  it('lets a claim lapse on the injected clock, not the system one', async () => {
    const s = open();
    expect(await s.claim('lease:task-1', 'bot-a', 60_000)).toBe(true);
    clock.advance(59_999);
    expect(await s.claim('lease:task-1', 'bot-b', 60_000)).toBe(false);
    clock.advance(1);
    expect(await s.claim('lease:task-1', 'bot-b', 60_000)).toBe(true);
  });

  it('forgets a counter and a plain value when their time is up on the injected clock', async () => {
    const s = open();
    await s.reserve('task-1', [{ key: 'units:day-1', amount: 2, limit: 10, held: false, expiresAt: 5_000 }], '{}', 4_000);
    await s.kv.set('pause-until', 123, 1_000);
    clock.advance(999);
    expect(await s.counter('units:day-1')).toBe(2);
    expect(await s.kv.get('pause-until')).toBe(123);

    clock.advance(1);
    expect(await s.counter('units:day-1')).toBe(0);
    expect(await s.kv.get('pause-until')).toBeUndefined();
  });

  it('purges expired rows nobody reads again when it is reopened', async () => {
    const s = open();
    await s.reserve('task-1', [{ key: 'units:day-1', amount: 1, limit: null, held: false, expiresAt: 2_000 }], '{}', 1_000);
    await s.settle('task-1', false);
    await s.claim('lease:task-1', 'bot-a', 1_000);
    await s.kv.set('task:final', { state: 'delivered' }, 1_000);
    await s.close();

    clock.advance(1_000);
    open();
    expect([await count('counters'), await count('claims'), await count('kv')]).toEqual([0, 0, 0]);
  });

  it('writes all of a transaction or none of it', () => {
    const db = openSqliteConnection(join(dir, 'plain.sqlite'));
    try {
      db.exec('CREATE TABLE t (n INTEGER)');
      expect(() =>
        transaction(db, () => {
          db.prepare('INSERT INTO t VALUES (1)').run();
          throw new Error('crashed half-way');
        }),
      ).toThrow('crashed half-way');
      expect(db.isTransaction).toBe(false);
      expect(db.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 0 });

      transaction(db, () => db.prepare('INSERT INTO t VALUES (2)').run());
      expect(db.prepare('SELECT n FROM t').all()).toEqual([{ n: 2 }]);
    } finally {
      db.close();
    }
  });

  it('rejects, never throws, once closed', async () => {
    const s = open();
    await s.close();
    await s.close();
    await expect(s.counter('units:day-1')).rejects.toThrow(/statement has been finalized|database is not open/);
    await expect(s.reserve('task-1', [], '{}', 0)).rejects.toThrow(/statement has been finalized|database is not open/);
  });

  describe('a file written by the earlier store (Keyv over @keyv/sqlite)', () => {
    /** Rows as @keyv/sqlite wrote them, copied from such a file; expiries relative to the clock's start. */
    function writeLegacyFile(now: number): void {
      const db = new DatabaseSync(path);
      db.exec('CREATE TABLE keyv(key VARCHAR(255) PRIMARY KEY, value TEXT )');
      const insert = db.prepare('INSERT INTO keyv (key, value) VALUES (?, ?)');
      const reservation = {
        key: 'task-1',
        counters: [
          { key: 'units:u:d', amount: 2, held: false },
          { key: 'running:u', amount: 1, held: true },
        ],
        meta: '{"taskId":"task-1"}',
        createdAt: now - 5_000,
      };
      const rows: [string, unknown, number?][] = [
        ['animate:task:a', { id: 'a', state: 'queued' }],
        ['animate:task:final', { id: 'f', state: 'delivered' }, now + 3_600_000],
        ['animate:task:gone', { id: 'g', state: 'delivered' }, now - 1],
        ['animate:image:a', '::starts with colon'],
        ['animate:tasks:open', ['a', 'b']],
        ['animate:store:reservations', ['task-1']],
        ['animate:store:reservation:task-1', reservation],
        ['animate:store:counter:units:u:d', 2, now + 86_400_000],
        ['animate:store:counter:running:u', 1],
        ['animate:store:claim:lease:task:a', { value: 'bot-a', expiresAt: now + 60_000 }, now + 60_000],
        ['animate:store:claim:lease:task:b', { value: 'bot-a', expiresAt: now - 1 }, now - 1],
      ];
      for (const [key, value, expires] of rows) insert.run(key, JSON.stringify(expires === undefined ? { value } : { value, expires }));
      db.close();
    }

    it('carries every live value, set, reservation, counter and claim over, once', async () => {
      // Keyv checks the expiry it wrote into a value against the system clock, so the old file's times are real.
      clock = new ManualClock(Date.now());
      writeLegacyFile(clock.now());
      const s = open();

      expect(await s.kv.get('task:a')).toEqual({ id: 'a', state: 'queued' });
      expect(await s.kv.get('task:final')).toEqual({ id: 'f', state: 'delivered' });
      expect(await s.kv.get('task:gone')).toBeUndefined();
      expect(await s.kv.get('image:a')).toBe(':starts with colon');
      expect(await s.setMembers('tasks:open')).toEqual(['a', 'b']);
      expect(await s.listReservations()).toEqual([
        {
          key: 'task-1',
          counters: [
            { key: 'units:u:d', amount: 2, held: false },
            { key: 'running:u', amount: 1, held: true },
          ],
          meta: '{"taskId":"task-1"}',
          createdAt: clock.now() - 5_000,
        },
      ]);
      expect(await s.counter('units:u:d')).toBe(2);
      expect(await s.counter('running:u')).toBe(1);
      expect(await s.claim('lease:task:a', 'bot-b', 60_000)).toBe(false);
      expect(await s.claim('lease:task:b', 'bot-b', 60_000)).toBe(true);

      // Settling the carried-over reservation gives back what it holds; the spent units keep their expiry.
      expect(await s.settle('task-1', false)).toBe(true);
      expect(await s.counter('running:u')).toBe(0);
      expect(await s.counter('units:u:d')).toBe(2);
      clock.advance(86_400_000);
      expect(await s.counter('units:u:d')).toBe(0);
      expect(await inspect((db) => db.prepare("SELECT name FROM sqlite_schema WHERE name = 'keyv'").get())).toBeUndefined();
    });
  });
  describe('checkpoints of its write-ahead log', () => {
    // Pages written since the last checkpoint live in the log (animate.sqlite-wal); a checkpoint copies them
    // into the file itself, so the file's size says whether one has run.
    const fileBytes = () => statSync(path).size;
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    const writeFor = async (store: SqliteStore, ms: number) => {
      const until = Date.now() + ms;
      for (let i = 0; Date.now() < until; i++) {
        await store.kv.set(`value-${i}`, 'x'.repeat(4_000));
        await sleep(2);
      }
    };

    it('are made once writes go quiet, not while they go on (a burst does not wait for one)', async () => {
      // A write every few ms against a look every 150 ms: only a stall of the whole test process would pass for quiet.
      const opened = (store = SqliteStore.open(`sqlite://${path}`, clock, { checkpoints: { checkEveryMs: 150, maxWaitMs: 60_000 } }));
      const before = fileBytes();

      await writeFor(opened, 300);
      expect(fileBytes()).toBe(before);

      await sleep(450);
      expect(fileBytes()).toBeGreaterThan(before + 100_000);
    });

    it('are made anyway when writes never stop for long enough, so the log does not grow for ever', async () => {
      const opened = (store = SqliteStore.open(`sqlite://${path}`, clock, { checkpoints: { checkEveryMs: 20, maxWaitMs: 100 } }));
      const before = fileBytes();

      await writeFor(opened, 300);
      expect(fileBytes()).toBeGreaterThan(before + 50_000);
    });
  });

  describe('reservations of one turn, booked in one transaction', () => {
    const booking = (key: string, limit: number) => ({
      reservations: [{ key, counters: [{ key: 'units:guild-1', amount: 1, limit, held: false }] }],
      meta: '{}',
      now: clock.now(),
    });

    it('one that cannot be written fails alone: the others of its turn are booked', async () => {
      // What a full disk or a damaged page would do to one insert, made by a trigger on the store's own table.
      const db = new DatabaseSync(path);
      db.exec('CREATE TABLE reservations (key TEXT PRIMARY KEY, record TEXT NOT NULL) STRICT');
      db.exec(
        "CREATE TRIGGER refuse_one BEFORE INSERT ON reservations WHEN NEW.key = 'task-2' BEGIN SELECT RAISE(ABORT, 'write refused'); END",
      );
      db.close();
      const opened = open();

      const outcomes = await Promise.allSettled([
        opened.reserveTogether(booking('task-1', 10)),
        opened.reserveTogether(booking('task-2', 10)),
        opened.reserveTogether(booking('task-3', 10)),
      ]);

      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect(outcomes[2]).toEqual({ status: 'fulfilled', value: { ok: true, values: new Map([['units:guild-1', 2]]) } });
      expect((await opened.listReservations()).map((r) => r.key)).toEqual(['task-1', 'task-3']);
      expect(await opened.counter('units:guild-1')).toBe(2);
    });

    it('writes each counter the turn shares once, with what all its bookings added', async () => {
      const db = new DatabaseSync(path);
      db.exec('CREATE TABLE counters (key TEXT PRIMARY KEY, value INTEGER NOT NULL, expires_at INTEGER) STRICT');
      db.exec('CREATE TABLE counter_writes (key TEXT NOT NULL, value INTEGER NOT NULL) STRICT');
      for (const event of ['INSERT', 'UPDATE']) {
        db.exec(
          `CREATE TRIGGER count_${event.toLowerCase()} AFTER ${event} ON counters BEGIN INSERT INTO counter_writes VALUES (NEW.key, NEW.value); END`,
        );
      }
      db.close();
      const opened = open();
      const sharing = (key: string, member: string) => serverAndMemberBooking(key, member, 3, clock.now());

      const results = await Promise.all([
        opened.reserveTogether(sharing('task-1', 'user-1')),
        opened.reserveTogether(sharing('task-2', 'user-2')),
        // Refused by the member's own limit: it adds nothing to the shared counter.
        opened.reserveTogether(sharing('task-3', 'user-2')),
        opened.reserveTogether(sharing('task-4', 'user-4')),
        // Refused by the shared one, as the three before it filled it.
        opened.reserveTogether(sharing('task-5', 'user-5')),
      ]);

      expect(results.map((r) => (r.ok ? r.values.get('units:guild-1') : 'blockedBy' in r ? r.blockedBy : 'changed'))).toEqual([
        1,
        2,
        'units:user-2',
        3,
        'units:guild-1',
      ]);
      expect(await opened.counter('units:guild-1')).toBe(3);
      expect((await opened.listReservations()).map((r) => r.key)).toEqual(['task-1', 'task-2', 'task-4']);
      const writes = await inspect((d) => d.prepare('SELECT key, value FROM counter_writes ORDER BY key').all());
      expect(writes).toEqual([
        { key: 'units:guild-1', value: 3 },
        { key: 'units:user-1', value: 1 },
        { key: 'units:user-2', value: 1 },
        { key: 'units:user-4', value: 1 },
      ]);
    });

    it("are committed as soon as the code that asked for them is done, before the event loop's next phase", async () => {
      // Discord's messages of a burst are read many at once in one phase of the event loop: a booking that waited
      // for the loop's next turn held every member's deferral until the whole burst had been read.
      const opened = open();
      const booked: string[] = [];
      const request = (key: string) =>
        opened.reserveTogether(booking(key, 10)).then(() => {
          booked.push(key);
        });
      const seenByNextPhase = new Promise<string[]>((resolve) => setImmediate(() => resolve([...booked])));

      await Promise.all([request('task-1'), request('task-2')]);

      expect(await seenByNextPhase).toEqual(['task-1', 'task-2']);
      expect(await opened.counter('units:guild-1')).toBe(2);
    });

    it('a booking asked for just before the store closes is made, not lost', async () => {
      const opened = open();
      const booked = opened.reserveTogether(booking('task-1', 10));
      await opened.close();
      store = undefined;

      expect(await booked).toMatchObject({ ok: true });
      expect(await count('reservations')).toBe(1);
    });
  });
});
