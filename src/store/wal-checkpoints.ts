/**
 * When the SQLite store copies its write-ahead log into the database file (a checkpoint). SQLite's own rule
 * runs one inside the commit that takes the log past 1000 pages (4 MiB), on the one thread that also answers
 * Discord: copying the pages and syncing both files held a commit for 7 to 16 ms about every 2000 bookings
 * (10 bursts of 1000: 74 ms of commits, 67 of them in such checkpoints), in the middle of a burst, with every
 * member still waiting for a deferral waiting for it too; on a disk slower to sync, longer. Here
 * it runs once the writes have gone quiet for a moment (nobody is waiting then), or at the latest `maxWaitMs`
 * after the first write it has not copied, should they never stop. SQLite's rule stays as a backstop at a
 * larger log (`WAL_PAGES_BACKSTOP`). https://sqlite.org/wal.html#automatic_checkpoint
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';

/**
 * Pages (4 KiB each) past which SQLite checkpoints inside a commit anyway: 16 MiB of log, about 30 ms to copy
 * here. A burst of 1000 /animate writes about 2 MiB of bookings before its last deferral, so only writes that
 * go on for seconds without a pause reach it, and `maxWaitMs` has usually copied them by then.
 */
export const WAL_PAGES_BACKSTOP = 4_000;

export interface CheckpointTiming {
  /** How often the writes are looked at; quiet means none since the last look. */
  checkEveryMs: number;
  /** The longest a written page waits for its checkpoint while writes go on without a pause. */
  maxWaitMs: number;
}

export const DEFAULT_CHECKPOINT_TIMING: CheckpointTiming = { checkEveryMs: 250, maxWaitMs: 3_000 };

export class QuietCheckpoints {
  readonly #db: DatabaseSync;
  readonly #maxWaitMs: number;
  readonly #changes: StatementSync;
  readonly #timer: NodeJS.Timeout;
  /** The connection's count of rows written, at the last look and at the last checkpoint. */
  #changesSeen: number;
  #changesCopied: number;
  /** When a write was first seen that no checkpoint has copied yet. */
  #uncopiedSince: number | undefined;

  constructor(db: DatabaseSync, timing: CheckpointTiming = DEFAULT_CHECKPOINT_TIMING) {
    this.#db = db;
    this.#maxWaitMs = timing.maxWaitMs;
    db.exec(`PRAGMA wal_autocheckpoint = ${WAL_PAGES_BACKSTOP}`);
    this.#changes = db.prepare('SELECT total_changes() AS n');
    this.#changesSeen = this.#changesCopied = this.#readChanges();
    this.#timer = setInterval(() => this.#look(), timing.checkEveryMs);
    // Never what keeps a stopping process alive: closing the connection checkpoints what is left.
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  #look(): void {
    if (!this.#db.isOpen) {
      this.stop();
      return;
    }
    try {
      this.#lookAtChanges();
    } catch {
      // A full disk or an I/O error: the store's next write meets it and reports it to its caller; the next
      // look tries again, and SQLite's backstop still applies.
    }
  }

  #lookAtChanges(): void {
    const changes = this.#readChanges();
    const quiet = changes === this.#changesSeen;
    this.#changesSeen = changes;
    if (changes === this.#changesCopied) return;
    const now = Date.now();
    this.#uncopiedSince ??= now;
    if (quiet || now - this.#uncopiedSince >= this.#maxWaitMs) this.#checkpoint(changes);
  }

  #checkpoint(changes: number): void {
    // PASSIVE: copies what it can without waiting on anyone (this process is the file's only user anyway).
    this.#db.exec('PRAGMA wal_checkpoint(PASSIVE)');
    this.#changesCopied = changes;
    this.#uncopiedSince = undefined;
  }

  #readChanges(): number {
    const row = this.#changes.get();
    return typeof row?.n === 'number' ? row.n : Number(row?.n ?? 0);
  }
}
