import { DatabaseSync } from 'node:sqlite';
import Keyv from 'keyv';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteKeyvAdapter } from '../../src/store/sqlite-keyv-adapter.ts';
import { ManualClock } from '../support/manual-clock.ts';

describe('Keyv over the SQLite adapter', () => {
  let db: DatabaseSync;
  let clock: ManualClock;
  let kv: Keyv;

  const rows = () =>
    db
      .prepare('SELECT key, expires_at FROM kv ORDER BY key')
      .all()
      .map((row) => ({ ...row }));

  beforeEach(() => {
    db = new DatabaseSync(':memory:');
    clock = new ManualClock(1_000_000);
    kv = new Keyv({ store: new SqliteKeyvAdapter(db, clock), namespace: 'animate', throwOnErrors: true });
  });

  afterEach(() => {
    if (db.isOpen) db.close();
  });

  it('keeps, returns and deletes values under the namespace', async () => {
    await kv.set('task:a', { id: 'a', steps: [1, 2], note: ':starts with a colon' });
    await kv.set('count', 3);

    expect(await kv.get('task:a')).toEqual({ id: 'a', steps: [1, 2], note: ':starts with a colon' });
    expect(await kv.get('count')).toBe(3);
    expect(await kv.get('never-set')).toBeUndefined();
    expect(await kv.has('count')).toBe(true);
    expect(await kv.get(['count', 'never-set', 'task:a'])).toEqual([
      3,
      undefined,
      { id: 'a', steps: [1, 2], note: ':starts with a colon' },
    ]);
    expect(rows()).toEqual([
      { key: 'animate:count', expires_at: null },
      { key: 'animate:task:a', expires_at: null },
    ]);

    expect(await kv.delete('count')).toBe(true);
    expect(await kv.delete('count')).toBe(false);
    expect(await kv.get('count')).toBeUndefined();
    expect(await kv.has('count')).toBe(false);
  });

  it('replaces a value and its expiry when set again', async () => {
    await kv.set('setting', 'first', 1_000);
    await kv.set('setting', 'second');
    clock.advance(5_000);
    expect(await kv.get('setting')).toBe('second');
  });

  it('reads a value past its TTL, on the injected clock, as absent and deletes its row', async () => {
    await kv.set('final', 'done', 30_000);
    expect(rows()).toEqual([{ key: 'animate:final', expires_at: 1_030_000 }]);

    clock.advance(29_999);
    expect(await kv.get('final')).toBe('done');

    clock.advance(1);
    expect(await kv.get('final')).toBeUndefined();
    expect(await kv.has('final')).toBe(false);
    expect(await kv.delete('final')).toBe(false);
    expect(rows()).toEqual([]);
  });

  it('purges expired values nobody reads again', async () => {
    const adapter = new SqliteKeyvAdapter(db, clock);
    const other = new Keyv({ store: adapter, namespace: 'animate' });
    await other.set('old', 1, 100);
    await other.set('kept', 2);
    clock.advance(100);

    adapter.purgeExpired();
    expect(rows()).toEqual([{ key: 'animate:kept', expires_at: null }]);
  });

  it('clears only its own namespace', async () => {
    const neighbour = new Keyv({ store: new SqliteKeyvAdapter(db, clock), namespace: 'neighbour' });
    await kv.set('a', 1);
    await neighbour.set('a', 2);

    await kv.clear();
    expect(await kv.get('a')).toBeUndefined();
    expect(await neighbour.get('a')).toBe(2);
  });

  it('deletes many at once, saying whether every one was there', async () => {
    await kv.set('a', 1);
    await kv.set('b', 2);
    expect(await kv.delete(['a', 'b'])).toBe(true);
    await kv.set('c', 3);
    expect(await kv.delete(['c', 'never-set'])).toBe(false);
    expect(rows()).toEqual([]);
  });

  it('rejects when the database fails, rather than answer "absent"', async () => {
    db.close();
    await expect(kv.get('a')).rejects.toThrow(/statement has been finalized|database is not open/);
    await expect(kv.set('a', 1)).rejects.toThrow(/statement has been finalized|database is not open/);
  });
});
