import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { KeyvStoreAdapter, StoredData } from 'keyv';
import { z } from 'zod';
import { settled, type StoreClock } from './sqlite-connection.ts';

const rowSchema = z.object({ value: z.string(), expires_at: z.number().nullable() });
const expirySchema = rowSchema.pick({ expires_at: true });

/**
 * Keyv's storage in the table `kv` of the store's one SQLite connection. Keyv hands over its keys already
 * prefixed with the namespace (`animate:task:…`) and its values already serialised, expiry included; rows are
 * kept as they come, with the expiry also in a column of its own, so that a row past it reads as absent and
 * can be purged without parsing anything.
 *
 * Expiry is measured on the injected clock. Keyv also compares the expiry inside the value with its own
 * `Date.now()` on reading; with the system clock the two agree.
 */
export class SqliteKeyvAdapter implements KeyvStoreAdapter {
  /** Part of Keyv's adapter type; this adapter has no options. */
  readonly opts = {};
  /** Set by Keyv to its namespace; `clear` removes only the keys under it. */
  namespace?: string | undefined;
  readonly #clock: StoreClock;
  readonly #get: StatementSync;
  readonly #set: StatementSync;
  readonly #delete: StatementSync;
  readonly #deleteExpired: StatementSync;
  readonly #clearPrefix: StatementSync;
  readonly #clearAll: StatementSync;
  readonly #purge: StatementSync;

  /** Creates the table when missing. */
  constructor(db: DatabaseSync, clock: StoreClock) {
    db.exec('CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL, expires_at INTEGER) STRICT');
    db.exec('CREATE INDEX IF NOT EXISTS kv_expiry ON kv (expires_at) WHERE expires_at IS NOT NULL');
    this.#clock = clock;
    this.#get = db.prepare('SELECT value, expires_at FROM kv WHERE key = ?');
    this.#set = db.prepare(
      'INSERT INTO kv (key, value, expires_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at',
    );
    this.#delete = db.prepare('DELETE FROM kv WHERE key = ? RETURNING expires_at');
    this.#deleteExpired = db.prepare('DELETE FROM kv WHERE key = ? AND expires_at <= ?');
    this.#clearPrefix = db.prepare('DELETE FROM kv WHERE substr(key, 1, length(?1)) = ?1');
    this.#clearAll = db.prepare('DELETE FROM kv');
    this.#purge = db.prepare('DELETE FROM kv WHERE expires_at <= ?');
  }

  /*
   * Keyv types what an adapter returns as the value itself; an adapter that keeps Keyv's serialised text
   * returns that text, which Keyv recognises (a string) and deserialises. Callers parse the value they get.
   */
  get<Value>(key: string): Promise<StoredData<Value>> {
    return settled(() => this.#read(key) as StoredData<Value>);
  }

  getMany<Value>(keys: string[]): Promise<StoredData<Value | undefined>[]> {
    return settled(() => keys.map((key) => this.#read(key) as StoredData<Value | undefined>));
  }

  has(key: string): Promise<boolean> {
    return settled(() => this.#read(key) !== undefined);
  }

  /** `ttl` in ms; none (or 0, which Keyv means the same way) keeps the value until it is deleted. */
  set(key: string, value: string, ttl?: number): Promise<boolean> {
    return settled(() => {
      this.writeText(key, value, ttl);
      return true;
    });
  }

  /**
   * The stored text under a full key (namespace included), undefined when absent or expired: synchronous, for
   * the store's compare-and-set, which reads and writes inside one transaction.
   */
  readText(key: string): string | undefined {
    return this.#read(key);
  }

  /** Stores Keyv's text under a full key, synchronously (see `readText`); `ttl` as for `set`. */
  writeText(key: string, value: string, ttl?: number): void {
    // Whole milliseconds: the column is a STRICT integer.
    const expiresAt = ttl !== undefined && ttl > 0 ? Math.ceil(this.#clock.now() + ttl) : null;
    this.#set.run(key, value, expiresAt);
  }

  /** True when a value was there to delete. */
  delete(key: string): Promise<boolean> {
    return settled(() => this.#remove(key));
  }

  /** True when every key had a value to delete, as Keyv's own fallback answers. */
  deleteMany(keys: string[]): Promise<boolean> {
    return settled(() => keys.map((key) => this.#remove(key)).every(Boolean));
  }

  clear(): Promise<void> {
    return settled(() => {
      if (this.namespace === undefined) this.#clearAll.run();
      else this.#clearPrefix.run(`${this.namespace}:`);
    });
  }

  /**
   * Part of Keyv's adapter type: Keyv listens for `error` events. This adapter emits none; its failures
   * reject the call that met them.
   */
  on(): this {
    return this;
  }

  /** Deletes every value past its expiry, read or not (a final task record nobody asks for again). */
  purgeExpired(): void {
    this.#purge.run(this.#clock.now());
  }

  #read(key: string): string | undefined {
    const found: unknown = this.#get.get(key);
    if (found === undefined) return undefined;
    const row = rowSchema.parse(found);
    const now = this.#clock.now();
    if (row.expires_at !== null && row.expires_at <= now) {
      this.#deleteExpired.run(key, now);
      return undefined;
    }
    return row.value;
  }

  #remove(key: string): boolean {
    const deleted: unknown = this.#delete.get(key);
    if (deleted === undefined) return false;
    const { expires_at: expiresAt } = expirySchema.parse(deleted);
    return expiresAt === null || expiresAt > this.#clock.now();
  }
}
