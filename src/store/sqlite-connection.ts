import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

/** Time as the SQLite store sees it: only `now`, for expiries. */
export interface StoreClock {
  now(): number;
}

/**
 * Opens the process's one connection to `path` (`:memory:` for a throwaway database), creating the file's
 * directory when missing.
 */
export function openSqliteConnection(path: string): DatabaseSync {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new DatabaseSync(path);
  // Another connection to the file (a second store opened by a test, a maintenance script) may hold the write
  // lock for a moment; wait for it rather than fail. The wait blocks this thread, which is why the file has
  // one writer process in normal use.
  db.exec('PRAGMA busy_timeout = 10000');
  // WAL with synchronous=NORMAL keeps every committed transaction across a crash or SIGKILL of the bot (only a
  // power loss can drop the last few) without an fsync per commit, an order of magnitude faster than SQLite's
  // default rollback journal. https://sqlite.org/pragma.html#pragma_synchronous
  db.exec('PRAGMA journal_mode = WAL');
  db.exec('PRAGMA synchronous = NORMAL');
  return db;
}

/**
 * Runs `work` as one transaction: all of its writes are committed together, or, when it throws, none are.
 * IMMEDIATE takes the write lock up front, so what `work` reads cannot change before it writes, even from
 * another connection. `work` is synchronous: no other code of this process can run in between.
 */
export function transaction<T>(db: DatabaseSync, work: () => T): T {
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = work();
    db.exec('COMMIT');
    return result;
  } catch (error) {
    // SQLite may already have rolled back by itself (a full disk, an interrupted statement).
    if (db.isTransaction) db.exec('ROLLBACK');
    throw error;
  }
}

/**
 * The store's interfaces are asynchronous (Redis answers over the network); SQLite's work is done at once.
 * A failure still arrives as a rejected promise, never as a throw from the call itself.
 */
export function settled<T>(work: () => T): Promise<T> {
  return new Promise((resolve) => {
    resolve(work());
  });
}
