import type { DatabaseSync } from 'node:sqlite';
import Keyv from 'keyv';
import { z } from 'zod';
import { systemClock } from '../clock.ts';
import type {
  RateSlotRequest,
  ReservationCounter,
  ReservationsTogether,
  ReserveResult,
  ReserveTogetherResult,
  Store,
  StoredReservation,
  VersionedWrite,
} from './store.ts';
import { InMemoryRateSlots } from './rate-slots.ts';
import {
  asError,
  checkReservationsTogether,
  counterTtlMs,
  keyvText,
  mayReplace,
  newReservation,
  parseStoredReservation,
  reserveResult,
} from './store-records.ts';
import { openSqliteConnection, settled, transaction, type StoreClock } from './sqlite-connection.ts';
import { SqliteKeyvAdapter } from './sqlite-keyv-adapter.ts';
import { importLegacyKeyvTable } from './legacy-keyv-import.ts';
import { QuietCheckpoints, type CheckpointTiming } from './wal-checkpoints.ts';

const NAMESPACE = 'animate';

/**
 * The atomic operations' tables; Keyv's values live in `kv` (see SqliteKeyvAdapter). Counters and claims
 * carry their expiry as a column, like `kv`: a row past it reads as absent and is purged later.
 * Rows are listed in insertion order (rowid), so open tasks resume oldest first.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS counters (key TEXT PRIMARY KEY, value INTEGER NOT NULL, expires_at INTEGER) STRICT;
CREATE INDEX IF NOT EXISTS counters_expiry ON counters (expires_at) WHERE expires_at IS NOT NULL;
CREATE TABLE IF NOT EXISTS reservations (key TEXT PRIMARY KEY, record TEXT NOT NULL) STRICT;
CREATE TABLE IF NOT EXISTS set_members (set_key TEXT NOT NULL, member TEXT NOT NULL, PRIMARY KEY (set_key, member)) STRICT;
CREATE TABLE IF NOT EXISTS claims (key TEXT PRIMARY KEY, owner TEXT NOT NULL, expires_at INTEGER NOT NULL) STRICT;
CREATE INDEX IF NOT EXISTS claims_expiry ON claims (expires_at);
CREATE TABLE IF NOT EXISTS marks (key TEXT PRIMARY KEY, value TEXT NOT NULL, expires_at INTEGER) STRICT;
`;

/** Expired rows nobody reads again (last period's counters, lapsed claims) are deleted this often, on a write. */
const PURGE_EVERY_MS = 60 * 60_000;

const claimRowSchema = z.object({ owner: z.string(), expires_at: z.number() });
const markRowSchema = z.object({ expires_at: z.number().nullable() });
const memberRowSchema = z.object({ member: z.string() });
const recordRowSchema = z.object({ record: z.string() });

function prepareStatements(db: DatabaseSync) {
  return {
    counter: db.prepare('SELECT value, expires_at FROM counters WHERE key = ?'),
    setCounter: db.prepare(
      'INSERT INTO counters (key, value, expires_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at',
    ),
    deleteCounter: db.prepare('DELETE FROM counters WHERE key = ?'),
    reservation: db.prepare('SELECT record FROM reservations WHERE key = ?'),
    reservations: db.prepare('SELECT record FROM reservations ORDER BY rowid'),
    insertReservation: db.prepare('INSERT INTO reservations (key, record) VALUES (?, ?)'),
    deleteReservation: db.prepare('DELETE FROM reservations WHERE key = ?'),
    addMember: db.prepare('INSERT OR IGNORE INTO set_members (set_key, member) VALUES (?, ?)'),
    removeMember: db.prepare('DELETE FROM set_members WHERE set_key = ? AND member = ?'),
    members: db.prepare('SELECT member FROM set_members WHERE set_key = ? ORDER BY rowid'),
    claim: db.prepare('SELECT owner, expires_at FROM claims WHERE key = ?'),
    setClaim: db.prepare(
      'INSERT INTO claims (key, owner, expires_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at',
    ),
    unclaim: db.prepare('DELETE FROM claims WHERE key = ? AND owner = ?'),
    mark: db.prepare('SELECT expires_at FROM marks WHERE key = ?'),
    setMark: db.prepare(
      'INSERT INTO marks (key, value, expires_at) VALUES (?, ?, NULL) ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = NULL',
    ),
    expireMark: db.prepare('UPDATE marks SET expires_at = ? WHERE key = ?'),
    purgeMarks: db.prepare('DELETE FROM marks WHERE expires_at <= ?'),
    purgeCounters: db.prepare('DELETE FROM counters WHERE expires_at <= ?'),
    purgeClaims: db.prepare('DELETE FROM claims WHERE expires_at <= ?'),
  };
}

/**
 * SQLite through Node's built-in `node:sqlite`: the default store, for ONE bot process. One synchronous
 * connection serves Keyv (table `kv`) and the atomic operations, each of which is one transaction: all of
 * it is written or none of it, whatever crashes and when, and since it runs synchronously nothing else in this
 * process runs in between. No queue, no native module.
 *
 * The file could be shared by several processes (IMMEDIATE transactions take the write lock), but waiting for
 * another process's lock blocks this one's event loop, so several processes use the Redis store.
 */
export class SqliteStore implements Store {
  readonly kv: Keyv;
  readonly sharedAcrossProcesses = false;
  readonly #db: DatabaseSync;
  readonly #clock: StoreClock;
  readonly #adapter: SqliteKeyvAdapter;
  readonly #sql: ReturnType<typeof prepareStatements>;
  #purgedAt = Number.NEGATIVE_INFINITY;
  /** Reservations asked for by the work under way, booked together once it is done (reserveTogether). */
  readonly #waitingReservations: {
    request: ReservationsTogether;
    resolve: (result: ReserveTogetherResult) => void;
    reject: (error: Error) => void;
  }[] = [];
  /** One process owns the file, so its own memory is every request there is: the ranks are its budget's order. */
  readonly #rateSlots = new InMemoryRateSlots();
  readonly #checkpoints: QuietCheckpoints;

  private constructor(db: DatabaseSync, clock: StoreClock, checkpoints: CheckpointTiming | undefined) {
    this.#db = db;
    this.#clock = clock;
    this.#adapter = new SqliteKeyvAdapter(db, clock);
    transaction(db, () => {
      db.exec(SCHEMA);
      importLegacyKeyvTable(db, NAMESPACE, clock.now());
    });
    this.#sql = prepareStatements(db);
    // Errors must reach the caller: a read that failed and came back "absent" would lose a task.
    this.kv = new Keyv({ store: this.#adapter, namespace: NAMESPACE, throwOnErrors: true });
    this.#purgeExpired();
    this.#checkpoints = new QuietCheckpoints(db, checkpoints);
  }

  /**
   * `url` is `sqlite://<path>`; the file's directory is created when missing. `clock` decides when claims and
   * values with a TTL expire; `checkpoints`, when the write-ahead log is copied into the file (wal-checkpoints.ts).
   */
  static open(
    url: string,
    clock: StoreClock = systemClock,
    options: { lockWaitMs?: number; checkpoints?: CheckpointTiming } = {},
  ): SqliteStore {
    const db = openSqliteConnection(url.replace(/^sqlite:\/\//, ''), options);
    try {
      return new SqliteStore(db, clock, options.checkpoints);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  // The set operations and unclaim are one statement each, which SQLite runs as a transaction of its own.
  addToSet(setKey: string, member: string): Promise<void> {
    return settled(() => {
      this.#sql.addMember.run(setKey, member);
    });
  }

  removeFromSet(setKey: string, member: string): Promise<void> {
    return settled(() => {
      this.#sql.removeMember.run(setKey, member);
    });
  }

  setMembers(setKey: string): Promise<string[]> {
    return settled(() => this.#sql.members.all(setKey).map((row) => memberRowSchema.parse(row).member));
  }

  async reserve(reservationKey: string, counters: ReservationCounter[], meta: string, now: number): Promise<ReserveResult> {
    return reserveResult(await this.reserveTogether({ reservations: [{ key: reservationKey, counters }], meta, now }));
  }

  storedTexts(keys: readonly string[]): Promise<(string | null)[]> {
    return settled(() => keys.map((key) => this.#storedText(key)));
  }

  /** Keyv's text under `key` (as `kv.get` takes it), null when absent or expired. */
  #storedText(key: string): string | null {
    return this.#adapter.readText(`${NAMESPACE}:${key}`) ?? null;
  }

  /**
   * Booked with the other requests made by the same piece of work (one read of Discord's messages and the
   * promises it settles) in one transaction (a group commit): under a burst, a commit per command is most of
   * what a reservation costs. Each request still sees the ones before it, is all or nothing on its own, and
   * resolves only once the transaction is committed, so nothing is acknowledged on a booking a crash could
   * still undo.
   *
   * Not at the end of the event loop's turn (setImmediate): in a burst one turn reads Discord's messages many
   * times over before it ends, so every deferral waited for the whole burst to be read, then went out at once
   * and queued at Discord. Booked as each read's work is done, they go out while the next ones are read. A burst
   * of 1000, each command's deferral sent: 104 ms (p99) after its handler started, now 18; the last member's
   * deferral answered 367 ms after the burst, now 296 (one interleaved run of each).
   */
  reserveTogether(request: ReservationsTogether): Promise<ReserveTogetherResult> {
    return new Promise((resolve, reject) => {
      checkReservationsTogether(request);
      this.#waitingReservations.push({ request, resolve, reject });
      if (this.#waitingReservations.length === 1) process.nextTick(() => this.#reserveWaiting());
    });
  }

  #reserveWaiting(): void {
    const waiting = this.#waitingReservations.splice(0);
    if (waiting.length === 0) return;
    let results: ReserveTogetherResult[];
    try {
      this.#purgeExpiredNowAndThen();
      results = this.#reserveInOneTransaction(waiting.map(({ request }) => request));
    } catch {
      // Rolled back whole: each request is made again in a transaction of its own, so that one that cannot be
      // made (a full disk, a broken row) fails alone.
      for (const { request, resolve, reject } of waiting) {
        try {
          const [result] = this.#reserveInOneTransaction([request]);
          if (result) resolve(result);
        } catch (error) {
          reject(asError(error));
        }
      }
      return;
    }
    waiting.forEach(({ resolve }, i) => {
      const result = results[i];
      if (result) resolve(result);
    });
  }

  /**
   * Books `requests` in order in one transaction. The counters they share (a server's, the operator's) are read
   * once and written once, with what all of them added: in a burst in one server, three of a booking's five
   * counter writes and reads are the same rows.
   */
  #reserveInOneTransaction(requests: readonly ReservationsTogether[]): ReserveTogetherResult[] {
    return transaction(this.#db, () => {
      const counters = new TurnCounters((key) => this.#liveCounter(key));
      const results = requests.map((request) => this.#reserveInTransaction(request, counters));
      for (const [key, row] of counters.changed()) this.#writeCounter(key, row);
      return results;
    });
  }

  /** Runs inside the caller's transaction; its counters change in `counters`, which the caller writes. A refusal changes nothing. */
  #reserveInTransaction(request: ReservationsTogether, counters: TurnCounters): ReserveTogetherResult {
    const changed = request.unchanged?.find(({ key, text }) => this.#storedText(key) !== text);
    if (changed) return { ok: false, changed: changed.key };
    const toMake = request.reservations.filter((r) => this.#sql.reservation.get(r.key) === undefined);
    // A counter named twice is checked against what the earlier amounts add.
    const after = new Map<string, number>();
    for (const c of toMake.flatMap((r) => r.counters)) {
      const next = (after.get(c.key) ?? counters.get(c.key)?.value ?? 0) + c.amount;
      const raise = (c.raisedBy ?? []).reduce((sum, key) => sum + (counters.get(key)?.value ?? 0), 0);
      if (c.limit !== null && next > c.limit + raise) return { ok: false, blockedBy: c.key };
      after.set(c.key, next);
    }
    for (const reservation of toMake) {
      const record = newReservation(reservation.key, reservation.counters, request.meta, request.now);
      this.#sql.insertReservation.run(reservation.key, JSON.stringify(record));
      for (const c of reservation.counters) {
        counters.set(c.key, nextCounterRow(counters.get(c.key), c.amount, counterTtlMs(c.expiresAt, request.now), this.#clock.now()));
      }
    }
    if (request.addToSet) this.#sql.addMember.run(request.addToSet.setKey, request.addToSet.member);
    const values = new Map<string, number>();
    for (const c of request.reservations.flatMap((r) => r.counters)) {
      for (const key of [c.key, ...(c.raisedBy ?? [])]) values.set(key, counters.get(key)?.value ?? 0);
    }
    return { ok: true, values };
  }

  settle(reservationKey: string, refund: boolean): Promise<boolean> {
    return settled(() =>
      transaction(this.#db, () => {
        const found = this.#sql.reservation.get(reservationKey);
        if (found === undefined) return false;
        this.#sql.deleteReservation.run(reservationKey);
        const reservation = parseReservationRow(found);
        // Written by a version of this code that is no longer understood: nothing can be given back for it,
        // and it is dropped rather than listed for reconciliation for ever.
        if (!reservation) return false;
        for (const c of reservation.counters) {
          if (c.held || refund) this.#addToCounter(c.key, this.#liveCounter(c.key), -c.amount);
        }
        return true;
      }),
    );
  }

  listReservations(): Promise<StoredReservation[]> {
    return settled(() =>
      this.#sql.reservations.all().flatMap((row) => {
        const reservation = parseReservationRow(row);
        return reservation ? [reservation] : [];
      }),
    );
  }

  counter(key: string): Promise<number> {
    return settled(() => this.#counterValue(key));
  }

  claim(key: string, value: string, ttlMs: number): Promise<boolean> {
    return settled(() => {
      this.#purgeExpiredNowAndThen();
      return transaction(this.#db, () => {
        const now = this.#clock.now();
        const found = this.#sql.claim.get(key);
        const current = found === undefined ? undefined : claimRowSchema.parse(found);
        if (current && current.expires_at > now && current.owner !== value) return false;
        this.#sql.setClaim.run(key, value, Math.ceil(now + Math.max(1, ttlMs)));
        return true;
      });
    });
  }

  unclaim(key: string, value: string): Promise<void> {
    return settled(() => {
      this.#sql.unclaim.run(key, value);
    });
  }

  async writeVersioned(write: VersionedWrite): Promise<boolean> {
    // Serialised first: Keyv's serializer may be asynchronous, and the transaction below must not wait.
    const text = await keyvText(this.kv, write.value, write.ttlMs);
    return settled(() =>
      transaction(this.#db, () => {
        const key = `${NAMESPACE}:${write.key}`;
        if (!mayReplace(this.#adapter.readText(key), write)) return false;
        this.#adapter.writeText(key, text, write.ttlMs);
        if (write.ttlMs !== undefined) {
          const expiresAt = Math.ceil(this.#clock.now() + write.ttlMs);
          for (const mark of write.expireWith ?? []) this.#sql.expireMark.run(expiresAt, mark);
        }
        return true;
      }),
    );
  }

  mark(key: string, value: string): Promise<boolean> {
    return settled(() =>
      transaction(this.#db, () => {
        const found = this.#sql.mark.get(key);
        const expiresAt = found === undefined ? undefined : markRowSchema.parse(found).expires_at;
        if (found !== undefined && (expiresAt === null || (expiresAt !== undefined && expiresAt > this.#clock.now()))) return false;
        this.#sql.setMark.run(key, value);
        return true;
      }),
    );
  }

  takeRateSlot(request: RateSlotRequest): Promise<number> {
    return Promise.resolve(this.#rateSlots.take(request, this.#clock.now()));
  }

  close(): Promise<void> {
    return settled(() => {
      // Closing twice is harmless, as with Redis.
      if (!this.#db.isOpen) return;
      // Booked before the connection goes: each of them is awaited by a request.
      this.#reserveWaiting();
      this.#checkpoints.stop();
      this.#db.close();
    });
  }

  /** A counter's current value: 0 when absent or past its expiry. */
  #counterValue(key: string): number {
    return this.#liveCounter(key)?.value ?? 0;
  }

  #liveCounter(key: string): CounterRow | undefined {
    const found = this.#sql.counter.get(key);
    if (found === undefined) return undefined;
    const row = counterRow(found);
    return row.expires_at !== null && row.expires_at <= this.#clock.now() ? undefined : row;
  }

  /** Adds `delta` to the counter whose live row is `current` (as `nextCounterRow` says), in the caller's transaction. */
  #addToCounter(key: string, current: CounterRow | undefined, delta: number): void {
    const next = nextCounterRow(current, delta, undefined, this.#clock.now());
    // Absent before and after (a give-back to a counter gone with its period): nothing to write.
    if (next !== undefined || current !== undefined) this.#writeCounter(key, next);
  }

  /** Stores `row` as the counter's, or deletes the counter (undefined: zero or absent, the same). */
  #writeCounter(key: string, row: CounterRow | undefined): void {
    if (row === undefined) this.#sql.deleteCounter.run(key);
    else this.#sql.setCounter.run(key, row.value, row.expires_at);
  }

  /** Before a write rather than after, so that a failure here cannot be mistaken for the write's. */
  #purgeExpiredNowAndThen(): void {
    if (this.#clock.now() - this.#purgedAt >= PURGE_EVERY_MS) this.#purgeExpired();
  }

  #purgeExpired(): void {
    const now = this.#clock.now();
    this.#purgedAt = now;
    this.#adapter.purgeExpired();
    this.#sql.purgeCounters.run(now);
    this.#sql.purgeClaims.run(now);
    this.#sql.purgeMarks.run(now);
  }
}

/** A stored reservation, or undefined when its text is not one this code wrote. */
function parseReservationRow(row: unknown): StoredReservation | undefined {
  const { record } = recordRowSchema.parse(row);
  try {
    return parseStoredReservation(JSON.parse(record));
  } catch {
    return undefined;
  }
}

interface CounterRow {
  value: number;
  expires_at: number | null;
}

/**
 * What adding `delta` to the counter whose live row is `current` makes of it: it keeps the expiry it was created with
 * (as on Redis, where INCRBY keeps a key's TTL and a booking sets one only on a counter it creates), a counter that
 * is absent (expired with its period) is not revived by a give-back, and one that reaches zero is gone
 * (undefined): zero and absent mean the same.
 */
function nextCounterRow(current: CounterRow | undefined, delta: number, ttlMs: number | undefined, now: number): CounterRow | undefined {
  if (current === undefined && delta <= 0) return undefined;
  const value = (current?.value ?? 0) + delta;
  if (value <= 0) return undefined;
  // A counter's period, and so its end, is in its key: set once, by the booking that creates it.
  if (current !== undefined) return { value, expires_at: current.expires_at };
  return { value, expires_at: ttlMs === undefined ? null : Math.ceil(now + ttlMs) };
}

/**
 * The counters of one transaction's bookings: each read from the store once, then kept here as the bookings
 * change them, and written by the caller once, before the transaction commits. Lives no longer than the
 * transaction, so nothing outside it (another transaction, a rollback) can make it stale.
 */
class TurnCounters {
  readonly #read: (key: string) => CounterRow | undefined;
  readonly #rows = new Map<string, CounterRow | undefined>();
  readonly #changed = new Set<string>();

  constructor(read: (key: string) => CounterRow | undefined) {
    this.#read = read;
  }

  get(key: string): CounterRow | undefined {
    if (this.#rows.has(key)) return this.#rows.get(key);
    const row = this.#read(key);
    this.#rows.set(key, row);
    return row;
  }

  set(key: string, row: CounterRow | undefined): void {
    this.#rows.set(key, row);
    this.#changed.add(key);
  }

  /** Each counter changed, as it now stands. */
  *changed(): Iterable<[string, CounterRow | undefined]> {
    for (const key of this.#changed) yield [key, this.#rows.get(key)];
  }
}

/**
 * A row of `counters`. The table is STRICT, so SQLite itself holds the types; this only guards against a
 * file changed by hand, without the cost of a schema parse on every counter of every reservation.
 */
function counterRow(found: Record<string, unknown>): CounterRow {
  const { value, expires_at: expiresAt } = found;
  if (typeof value !== 'number' || !(expiresAt === null || typeof expiresAt === 'number')) {
    throw new TypeError('a counters row is not a number with an optional expiry');
  }
  return { value, expires_at: expiresAt };
}
