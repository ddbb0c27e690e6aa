import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Keyv from 'keyv';
import KeyvSqlite from '@keyv/sqlite';
import type { Store } from './store.ts';
import { SerialQueue } from './serial-queue.ts';

/**
 * SQLite through Keyv: the default store for a single bot process. Sets are JSON arrays read and written
 * through Keyv; every set operation runs through one in-process queue, which makes the read-modify-write
 * atomic because this process is the file's only writer (several processes need the Redis store).
 */
export class SqliteStore implements Store {
  readonly kv: Keyv;
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
    const kv = new Keyv({ store: adapter, namespace: 'animate' });
    return new SqliteStore(adapter, kv);
  }

  addToSet(setKey: string, member: string): Promise<void> {
    return this.#serial.run(async () => {
      const members = await this.#read(setKey);
      if (!members.includes(member)) await this.kv.set(setKey, [...members, member]);
    });
  }

  removeFromSet(setKey: string, member: string): Promise<void> {
    return this.#serial.run(async () => {
      const members = await this.#read(setKey);
      if (members.includes(member)) await this.kv.set(setKey, members.filter((m) => m !== member));
    });
  }

  setMembers(setKey: string): Promise<string[]> {
    return this.#serial.run(() => this.#read(setKey));
  }

  async close(): Promise<void> {
    await this.#serial.run(async () => {});
    await this.#adapter.disconnect();
  }

  async #read(setKey: string): Promise<string[]> {
    const value: unknown = await this.kv.get(setKey);
    return Array.isArray(value) ? value.filter((m): m is string => typeof m === 'string') : [];
  }
}
