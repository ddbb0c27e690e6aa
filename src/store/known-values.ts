import type { Store, StoredText } from './store.ts';
import { keyvValue } from './store-records.ts';

/** A value as it was decided on: what it decodes to, and the stored text a booking names to have it checked. */
export interface KnownValue<V> {
  value: V;
  seen: StoredText;
}

/**
 * Keyv values (a server's quota settings, the provider pause, a member's defaults) as this process last read them,
 * for bookings to be decided on without reading them again first. On Redis that read was a round trip before every
 * booking, which every member of a burst waited for. Each booking names the texts it was decided on
 * (`ReservationsTogether.unchanged`), so one made after another process changed a value is refused as changed and
 * decided again on a fresh read, never made on the old value. A change made here is forgotten at once (`forget`).
 * At most `limit` are kept, the longest unused going first.
 */
export class KnownValues<V> {
  readonly #store: Store;
  /** From Keyv's value under a key (undefined when absent) to what the caller decides on. */
  readonly #decode: (stored: unknown, key: string) => V;
  readonly #limit: number;
  readonly #known = new Map<string, KnownValue<V>>();
  /** Reads under way, shared by the bookings that found the value unknown meanwhile (a burst's first). */
  readonly #reading = new Map<string, Promise<KnownValue<V>>>();

  constructor(store: Store, decode: (stored: unknown, key: string) => V, { limit = 10_000 }: { limit?: number } = {}) {
    this.#store = store;
    this.#decode = decode;
    this.#limit = limit;
  }

  /** As last read here, or read now when not known. */
  get(key: string): Promise<KnownValue<V>> {
    const known = this.#known.get(key);
    if (known === undefined) return this.read(key);
    // Kept as the most recently used.
    this.#known.delete(key);
    this.#known.set(key, known);
    return Promise.resolve(known);
  }

  /** As last read here, or, when not known, as if absent (for values most keys never have, like a member's defaults). */
  knownOrAbsent(key: string): KnownValue<V> {
    return this.#known.get(key) ?? { value: this.#decode(undefined, key), seen: { key, text: null } };
  }

  /** Read from the store now, and kept. */
  read(key: string): Promise<KnownValue<V>> {
    const under = this.#reading.get(key);
    if (under) return under;
    const reading = this.#readNow(key).finally(() => this.#reading.delete(key));
    this.#reading.set(key, reading);
    return reading;
  }

  /** After a change made here, or a booking refused as changed: the next decision reads it again. */
  forget(key: string): void {
    this.#known.delete(key);
  }

  async #readNow(key: string): Promise<KnownValue<V>> {
    const [text = null] = await this.#store.storedTexts([key]);
    const known = { value: this.#decode(text === null ? undefined : await keyvValue(this.#store.kv, text), key), seen: { key, text } };
    this.#known.delete(key);
    this.#known.set(key, known);
    if (this.#known.size > this.#limit) {
      const oldest = this.#known.keys().next();
      if (!oldest.done) this.#known.delete(oldest.value);
    }
    return known;
  }
}
