import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

/** Time as the SQLite store sees it: only `now`, for expiries. */
export interface StoreClock {
  now(): number;
}

/** How long a starting bot waits for the file's lock: a restart overlapping the old process's shutdown. */
export const STORE_LOCK_WAIT_MS = 15_000;

/** The file is held by another process: two bots on one SQLite file would both drive every task. */
export class StoreInUse extends Error {
  constructor(path: string, options?: { cause?: unknown }) {
    super(
      `the store ${path} is in use by another bot process; stop that one first, or use STORE_URL=redis://… to run several processes`,
      options,
    );
    this.name = 'StoreInUse';
  }
}

/**
 * Opens the process's one connection to `path` (`:memory:` for a throwaway database), creating the file's
 * directory when missing, and takes the file's exclusive lock for as long as the connection lives: a second
 * process waits `lockWaitMs` for it (a restart overlapping the old process's shutdown), then gets
 * `StoreInUse`. The lock is the fence that makes leases unnecessary on SQLite; the operating system drops it
 * when the process dies, however it dies.
 */
export function openSqliteConnection(path: string, options: { lockWaitMs?: number } = {}): DatabaseSync {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new DatabaseSync(path);
  try {
    db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.round(options.lockWaitMs ?? STORE_LOCK_WAIT_MS))}`);
    // Set before the first read so that, in WAL mode, no shared memory is used and no other connection can
    // read or write the file while this one is open. https://sqlite.org/pragma.html#pragma_locking_mode
    db.exec('PRAGMA locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
    db.exec('COMMIT');
  } catch (error) {
    db.close();
    if (isBusy(error)) throw new StoreInUse(path, { cause: error });
    throw error;
  }
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

function isBusy(error: unknown): boolean {
  return (
    error instanceof Error &&
    (('errcode' in error && (error.errcode === 5 || error.errcode === 6)) || /database is locked/i.test(error.message))
  );
}
