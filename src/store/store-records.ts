import type Keyv from 'keyv';
import { z } from 'zod';
import type {
  ReservationCounter,
  ReservationsTogether,
  ReserveResult,
  ReserveTogetherResult,
  StoredReservation,
  VersionedWrite,
} from './store.ts';

/**
 * Where each backend keeps the atomic operations' data, under the bot's namespace. The `store:` prefix keeps
 * them apart from the plain Keyv values other modules write (a task record can never land on a counter).
 */
export const storeKeys = {
  counter: (key: string) => `store:counter:${key}`,
  reservation: (key: string) => `store:reservation:${key}`,
  /** The set of unsettled reservation keys, so they can be listed without scanning the keyspace. */
  reservations: 'store:reservations',
  claim: (key: string) => `store:claim:${key}`,
  mark: (key: string) => `store:mark:${key}`,
  /** A rate limit's taken slots, and who waits for one (rank, and until when the wait counts). */
  rateSlots: (name: string) => `store:rate:${name}`,
  rateWaiting: (name: string) => `store:rate:${name}:waiting`,
  rateWaitingUntil: (name: string) => `store:rate:${name}:waiting-until`,
};

const storedReservationSchema = z.object({
  key: z.string(),
  counters: z.array(z.object({ key: z.string(), amount: z.number(), held: z.boolean() })),
  meta: z.string(),
  createdAt: z.number(),
});

/** A stored reservation as written by this code, or undefined when the value is missing or unreadable. */
export function parseStoredReservation(raw: unknown): StoredReservation | undefined {
  const parsed = storedReservationSchema.safeParse(raw);
  return parsed.success ? parsed.data : undefined;
}

export function newReservation(key: string, counters: readonly ReservationCounter[], meta: string, now: number): StoredReservation {
  return { key, counters: counters.map((c) => ({ key: c.key, amount: c.amount, held: c.held })), meta, createdAt: now };
}

/**
 * Redis counters are integers (INCRBY), so both backends refuse anything else rather than let the SQLite
 * store accept what the Redis store would reject.
 */
function checkReservationCounters(counters: readonly ReservationCounter[]): void {
  for (const c of counters) {
    if (!Number.isSafeInteger(c.amount) || c.amount < 0) {
      throw new RangeError(`reservation amount for ${c.key} must be a non-negative integer, got ${c.amount}`);
    }
    if (c.limit !== null && !Number.isFinite(c.limit)) {
      throw new RangeError(`reservation limit for ${c.key} must be finite or null, got ${c.limit}`);
    }
  }
}

/**
 * How long a counter lives, as a relative TTL: `expiresAt` is on the caller's clock (the one that produced
 * `now`), so the difference is what both backends can honour whatever their own clock says. At least 1 ms,
 * because Keyv reads a TTL of 0 as "never expires".
 */
export function counterTtlMs(expiresAt: number | undefined, now: number): number | undefined {
  return expiresAt === undefined ? undefined : Math.max(1, Math.ceil(expiresAt - now));
}

/**
 * The text Keyv itself would store for `value` (its serializer, with its `expires`), so a value written by
 * `writeVersioned` reads back through `kv.get` like any other.
 */
export async function keyvText(kv: Keyv, value: unknown, ttlMs: number | undefined): Promise<string> {
  const serialize = kv.serialize;
  if (!serialize) throw new Error("the store's Keyv has no serializer");
  // Keyv measures `expires` on Date.now(), whatever clock the backend's own expiry uses.
  return serialize({ value, ...(ttlMs === undefined ? {} : { expires: Date.now() + ttlMs }) });
}

/** The value Keyv's stored `text` holds, as `kv.get` would give it: undefined once expired. */
export async function keyvValue(kv: Keyv, text: string): Promise<unknown> {
  const deserialize = kv.deserialize;
  if (!deserialize) throw new Error("the store's Keyv has no deserializer");
  const data: unknown = await deserialize(text);
  const parsed = keyvDataSchema.safeParse(data);
  if (!parsed.success) return undefined;
  const { value, expires } = parsed.data;
  return typeof expires === 'number' && expires <= Date.now() ? undefined : value;
}

const keyvDataSchema = z.object({ value: z.unknown(), expires: z.number().nullish() });

const storedVersionedSchema = z.object({
  value: z.looseObject({ revision: z.number().optional(), state: z.unknown().optional() }),
});

/**
 * Whether `write` may replace the stored text (Keyv's, undefined when absent): the stored revision is the
 * expected one (absent, or written before revisions, counts as 0) and its state is not final. A stored text
 * that cannot be read is never replaced blindly: the writer reads again and follows what it finds.
 */
export function mayReplace(stored: string | undefined, write: VersionedWrite): boolean {
  if (stored === undefined) return write.expectedRevision === 0;
  let parsed;
  try {
    parsed = storedVersionedSchema.safeParse(JSON.parse(stored));
  } catch {
    return false;
  }
  if (!parsed.success) return false;
  const { revision = 0, state } = parsed.data.value;
  return revision === write.expectedRevision && !(typeof state === 'string' && write.finalStates.includes(state));
}

/** Refuses what neither backend would store: amounts that are not whole, a reservation key given twice. */
export function checkReservationsTogether(request: ReservationsTogether): void {
  const keys = new Set<string>();
  for (const reservation of request.reservations) {
    if (keys.has(reservation.key)) throw new RangeError(`reservation ${reservation.key} is given twice`);
    keys.add(reservation.key);
    checkReservationCounters(reservation.counters);
  }
}

/** `reserve`'s answer from the `reserveTogether` it makes, which names no value to keep unchanged. */
export function reserveResult(result: ReserveTogetherResult): ReserveResult {
  if (result.ok) return { ok: true };
  if ('blockedBy' in result) return result;
  throw new Error('a booking that named no value to keep unchanged was refused as changed');
}

/** What a booking that failed is rejected with: the error thrown, as an Error whatever was thrown. */
export function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
