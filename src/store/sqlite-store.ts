import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Keyv from 'keyv';
import { z } from 'zod';
import KeyvSqlite from '@keyv/sqlite';
import type { ReservationCounter, ReserveResult, Store, StoredReservation } from './store.ts';
import { SerialQueue } from './serial-queue.ts';
import { checkReservationCounters, counterTtlMs, newReservation, parseStoredReservation, storeKeys } from './store-records.ts';

const storedClaimSchema = z.object({ value: z.string(), expiresAt: z.number() });

/**
 * SQLite through Keyv: the default store for ONE bot process. Keyv has only get/set/delete, so every
 * read-modify-write here (sets, counters, reservations, claims) runs through one in-process queue. That makes
 * them atomic only because this process is the file's only writer: two processes sharing the file would
 * interleave their reads and writes and overrun limits. Several processes need the Redis store.
 *
 * Keyv gives no transaction across keys either; where a crash could land between writes, the order is chosen
 * so the damage is a reservation that gives back a little too much (a counter briefly under), never a count
 * nobody can give back.
 */
export class SqliteStore implements Store {
  readonly kv: Keyv;
  /** The file belongs to one bot process (atomicity comes from this process's queue). */
  readonly sharedAcrossProcesses = false;
  readonly #adapter: KeyvSqlite;
  readonly #serial = new SerialQueue();

  private constructor(adapter: KeyvSqlite, kv: Keyv) {
    this.#adapter = adapter;
    this.kv = kv;
  }

  /** `url` is `sqlite://<path>`; the file's directory is created when missing. */
  static open(url: string): SqliteStore {
    const path = url.replace(/^sqlite:\/\//, '');
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const adapter = new KeyvSqlite({ uri: `sqlite://${path}`, busyTimeout: 10_000 });
    // Errors must reach the caller: a read that failed and came back "absent" would count a counter as 0.
    const kv = new Keyv({ store: adapter, namespace: 'animate', throwOnErrors: true });
    const store = new SqliteStore(adapter, kv);
    // Every Keyv write is its own transaction; in the default rollback-journal mode each one waits for
    // fsync, which made a reservation (several writes) cost ~20 ms. WAL with synchronous=NORMAL keeps every
    // committed write across a crash or SIGKILL of the bot (only a power loss can drop the last few) and is
    // an order of magnitude faster. Queued first, so no operation runs before it.
    store.#serial
      .run(async () => {
        await adapter.query('PRAGMA journal_mode=WAL');
        await adapter.query('PRAGMA synchronous=NORMAL');
      })
      // Not fatal: the store still works, only slower, in SQLite's default journal mode.
      .catch(() => undefined);
    return store;
  }

  addToSet(setKey: string, member: string): Promise<void> {
    return this.#serial.run(() => this.#addToSet(setKey, member));
  }

  removeFromSet(setKey: string, member: string): Promise<void> {
    return this.#serial.run(() => this.#removeFromSet(setKey, member));
  }

  setMembers(setKey: string): Promise<string[]> {
    return this.#serial.run(() => this.#members(setKey));
  }

  async reserve(reservationKey: string, counters: ReservationCounter[], meta: string, now: number): Promise<ReserveResult> {
    checkReservationCounters(counters);
    return this.#serial.run(async (): Promise<ReserveResult> => {
      if ((await this.kv.get(storeKeys.reservation(reservationKey))) !== undefined) return { ok: true };
      // The same counter may appear twice; each check must see what the earlier ones would add.
      const after = new Map<string, number>();
      for (const c of counters) {
        const next = (after.get(c.key) ?? (await this.#counterValue(c.key))) + c.amount;
        if (c.limit !== null && next > c.limit) return { ok: false, blockedBy: c.key };
        after.set(c.key, next);
      }
      // Record before counting: a crash in between leaves a reservation that reconciliation settles, not
      // counts that nothing refers to (a leaked "running" count would block its member for good).
      await this.#addToSet(storeKeys.reservations, reservationKey);
      await this.kv.set(storeKeys.reservation(reservationKey), newReservation(reservationKey, counters, meta, now));
      for (const c of counters) await this.#addToCounter(c.key, c.amount, counterTtlMs(c.expiresAt, now));
      return { ok: true };
    });
  }

  settle(reservationKey: string, refund: boolean): Promise<boolean> {
    return this.#serial.run(async () => {
      const reservation = parseStoredReservation(await this.kv.get(storeKeys.reservation(reservationKey)));
      if (!reservation) {
        await this.#removeFromSet(storeKeys.reservations, reservationKey);
        return false;
      }
      for (const c of reservation.counters) {
        if (c.held || refund) await this.#addToCounter(c.key, -c.amount, undefined);
      }
      await this.kv.delete(storeKeys.reservation(reservationKey));
      await this.#removeFromSet(storeKeys.reservations, reservationKey);
      return true;
    });
  }

  listReservations(): Promise<StoredReservation[]> {
    return this.#serial.run(async () => {
      const reservations: StoredReservation[] = [];
      for (const key of await this.#members(storeKeys.reservations)) {
        const reservation = parseStoredReservation(await this.kv.get(storeKeys.reservation(key)));
        if (reservation) reservations.push(reservation);
      }
      return reservations;
    });
  }

  counter(key: string): Promise<number> {
    return this.#serial.run(() => this.#counterValue(key));
  }

  claim(key: string, value: string, ttlMs: number): Promise<boolean> {
    return this.#serial.run(async () => {
      const current = storedClaimSchema.safeParse(await this.kv.get(storeKeys.claim(key)));
      // The expiry is checked here, not left to Keyv's ttl alone: the stored time is what decides a lease.
      const held = current.success && current.data.expiresAt > Date.now();
      if (held && current.data.value !== value) return false;
      const ttl = Math.max(1, Math.ceil(ttlMs));
      await this.kv.set(storeKeys.claim(key), { value, expiresAt: Date.now() + ttl }, ttl);
      return true;
    });
  }

  unclaim(key: string, value: string): Promise<void> {
    return this.#serial.run(async () => {
      const current = storedClaimSchema.safeParse(await this.kv.get(storeKeys.claim(key)));
      if (current.success && current.data.value === value) await this.kv.delete(storeKeys.claim(key));
    });
  }

  async close(): Promise<void> {
    // Waits for the operations queued before the close.
    await this.#serial.run(() => Promise.resolve());
    await this.#adapter.disconnect();
  }

  async #counterValue(key: string): Promise<number> {
    const value: unknown = await this.kv.get(storeKeys.counter(key));
    return typeof value === 'number' ? value : 0;
  }

  /**
   * Adds `delta`, keeping the counter's expiry unless a new TTL is given (as Redis INCRBY keeps a key's TTL).
   * A counter that is absent (expired with its period) is not revived by a give-back, and one that reaches
   * zero is deleted: zero and absent mean the same.
   */
  async #addToCounter(key: string, delta: number, ttlMs: number | undefined): Promise<void> {
    const stored = await this.kv.getRaw<unknown>(storeKeys.counter(key));
    if (stored === undefined && delta <= 0) return;
    const current = typeof stored?.value === 'number' ? stored.value : 0;
    const next = current + delta;
    if (next <= 0) {
      await this.kv.delete(storeKeys.counter(key));
      return;
    }
    const ttl = ttlMs ?? (typeof stored?.expires !== 'number' ? undefined : Math.max(1, stored.expires - Date.now()));
    await this.kv.set(storeKeys.counter(key), next, ttl);
  }

  async #addToSet(setKey: string, member: string): Promise<void> {
    const members = await this.#members(setKey);
    if (!members.includes(member)) await this.kv.set(setKey, [...members, member]);
  }

  async #removeFromSet(setKey: string, member: string): Promise<void> {
    const members = await this.#members(setKey);
    if (members.includes(member))
      await this.kv.set(
        setKey,
        members.filter((m) => m !== member),
      );
  }

  async #members(setKey: string): Promise<string[]> {
    const value: unknown = await this.kv.get(setKey);
    return Array.isArray(value) ? value.filter((m): m is string => typeof m === 'string') : [];
  }
}
