/**
 * The bot's one storage abstraction: Keyv for plain values, plus the few atomic operations Keyv lacks
 * (it has only get/set/delete, no compare-and-set, increment or set-if-absent). Each backend makes these
 * atomic its own way: SQLite as one transaction each on the owning process's connection, Redis with Lua
 * scripts, which run whole on the server so no client paused mid-update can leave a half-done change.
 */
import type Keyv from 'keyv';

/** One counter a reservation adds to, and the most it may hold afterwards. */
export interface ReservationCounter {
  key: string;
  amount: number;
  /** The counter may not exceed this after the addition; null means no limit (the amount is still counted). */
  limit: number | null;
  /**
   * Held counters (generations running, waiting) are given back whenever the reservation is settled;
   * the others (units spent) only when it is refunded.
   */
  held: boolean;
  /**
   * Counters whose current values are added to `limit` when the reservation is checked (units a moderator
   * granted or gave back): read in the same atomic step, so a grant made meanwhile is never missed. Their
   * values come back with the others in `reserveTogether`'s result. Ignored when `limit` is null.
   */
  raisedBy?: readonly string[];
  /**
   * When the counter itself may be forgotten (end of its period plus a margin), epoch ms on the caller's
   * clock, the same one as `reserve`'s `now`: backends keep it as a time-to-live, so the bot's and the
   * server's clocks need not agree. Taken from the booking that creates the counter: its period, and so its
   * end, is in its key, and later bookings keep it.
   */
  expiresAt?: number;
}

export type ReserveResult = { ok: true } | { ok: false; blockedBy: string };

/** Several reservations made in one atomic step (Store.reserveTogether). */
export interface ReservationsTogether {
  /** Each is stored under its own key and settled on its own later. Keys must differ. */
  reservations: readonly { key: string; counters: readonly ReservationCounter[] }[];
  /** Stored with every one of them. */
  meta: string;
  now: number;
  /** Added to this set in the same step, when the reservations are made. */
  addToSet?: { setKey: string; member: string };
  /**
   * The Keyv values the booking was decided on (a server's settings, a member's defaults), as the caller last saw
   * them stored: nothing is booked unless each still holds that text. A caller can then decide on what it saw
   * before, without reading it again first (on Redis, a round trip that every member of a burst waits for), and
   * still never book on a value another process has changed since.
   */
  unchanged?: readonly StoredText[];
}

/** A Keyv value (under the key `kv.get` takes) as stored: Keyv's text, null when absent or expired. */
export interface StoredText {
  key: string;
  text: string | null;
}

/**
 * On success, every counter named (`raisedBy` ones too), as it stands afterwards: the caller needs no read of its
 * own. A Map rather than an object: the keys are built per member and per period, and an object given them one
 * by one is rebuilt as a dictionary on every booking (6 to 7 µs of a booking's CPU, measured, against 1 for a Map).
 */
export type ReserveTogetherResult =
  | { ok: true; values: ReadonlyMap<string, number> }
  | { ok: false; blockedBy: string }
  /** This value named in `unchanged` is no longer what the booking was decided on (the first found): nothing was booked. */
  | { ok: false; changed: string };

export interface StoredReservation {
  key: string;
  counters: { key: string; amount: number; held: boolean }[];
  /** Whatever the caller stored with it (JSON text), e.g. who reserved what for which task. */
  meta: string;
  createdAt: number;
}

/**
 * A compare-and-set of one Keyv value (read back with `kv.get(key)`) that carries a `revision`, the count of its
 * writes. Two processes driving one task can both hold a record; only the one that read the latest revision
 * may write, so a writer that stalled (GC, a frozen host, a lost lease) can never put back an older state.
 */
export interface VersionedWrite {
  /** The Keyv key, as passed to `kv.get`. */
  key: string;
  /** The new value; its `revision` is the stored one's plus one. */
  value: { readonly revision: number; readonly state?: string };
  /**
   * The revision the writer read. An absent value, and one stored before revisions existed (no `revision`
   * field), count as revision 0.
   */
  expectedRevision: number;
  /** Time to live from now; none keeps the value until it is replaced. */
  ttlMs?: number;
  /** A stored value whose `state` is one of these is final: it is never replaced, whatever the revision. */
  finalStates: readonly string[];
  /** Marks (see `mark`) that are given the same time to live as the value when it gets one, atomically. */
  expireWith?: readonly string[];
}

/** One request for a slot of a shared rolling-window rate limit (see Store.takeRateSlot). */
export interface RateSlotRequest {
  /** Which limit: every process asking under one name shares it. */
  name: string;
  /** Slots per window. */
  limit: number;
  windowMs: number;
  /** How urgent the request is: 0 most urgent. A slot goes to a less urgent one only when none is waiting. */
  rank: number;
  /** Who asks (one per process and limit): its place among the waiting is kept until it is served. */
  waiter: string;
  /**
   * A tighter window this request must fit as well, counting every slot taken: lets a backlog of less urgent
   * requests spend the budget evenly rather than all of a minute's slots in its first instant.
   */
  pace?: { limit: number; windowMs: number };
}

export interface Store {
  /** Plain values (JSON-serialisable), namespaced for this bot. */
  readonly kv: Keyv;
  /** Whether several bot processes may use this store at once (then tasks need leases). */
  readonly sharedAcrossProcesses: boolean;

  addToSet(setKey: string, member: string): Promise<void>;
  removeFromSet(setKey: string, member: string): Promise<void>;
  setMembers(setKey: string): Promise<string[]>;

  /**
   * Reserve-if-it-fits, all or nothing: when every counter plus its amount stays within its limit, adds all
   * amounts and records the reservation under `reservationKey`; otherwise changes nothing and names the first
   * counter that would overflow. Reserving an existing key again changes nothing and succeeds (a retried
   * command must not count twice).
   */
  reserve(reservationKey: string, counters: ReservationCounter[], meta: string, now: number): Promise<ReserveResult>;
  /**
   * `reserve` for several reservations at once, all or nothing across them, in one transaction or one script:
   * what a request books (the member's units and the operator's spend) costs one write and one round trip.
   * A reservation already stored is left as it is and not counted again; the others are made when they fit.
   */
  reserveTogether(request: ReservationsTogether): Promise<ReserveTogetherResult>;
  /** Keyv's stored text under each key (as `kv.get` takes it), null when absent or expired: what `unchanged` compares. */
  storedTexts(keys: readonly string[]): Promise<(string | null)[]>;
  /**
   * Ends a reservation: subtracts its held counters, and with `refund` its other counters too, then forgets
   * it. Resolves false when there was no such reservation (settling twice is harmless).
   */
  settle(reservationKey: string, refund: boolean): Promise<boolean>;
  /** Every reservation not yet settled (for reconciling after a crash). */
  listReservations(): Promise<StoredReservation[]>;
  /** Current value of a counter (0 when absent). */
  counter(key: string): Promise<number>;

  /**
   * Set-if-absent with expiry, also used as a lease: succeeds when the key is absent, expired, or already
   * holds `value` (then its expiry is extended).
   */
  claim(key: string, value: string, ttlMs: number): Promise<boolean>;
  /** Removes a claim only if it still holds `value`. */
  unclaim(key: string, value: string): Promise<void>;

  /**
   * Writes `write.value` only when the stored value is at `write.expectedRevision` and not final, all in one
   * atomic step. Resolves false, having changed nothing, when another writer got there first.
   */
  writeVersioned(write: VersionedWrite): Promise<boolean>;

  /**
   * Set-if-absent with no owner and no expiry of its own: true for the first caller only, whatever value the
   * others pass. It lasts until a `writeVersioned` naming it in `expireWith` gives it a time to live.
   */
  mark(key: string, value: string): Promise<boolean>;

  /**
   * Takes a slot of a rolling-window rate limit, shared by every process using this store: resolves 0 when
   * taken, otherwise the milliseconds after which asking again may succeed. When the window is full the
   * waiter is remembered with its rank for a little longer than that, and a less urgent request is refused
   * any slot those more urgent waiters will need, whichever process they are in.
   */
  takeRateSlot(request: RateSlotRequest): Promise<number>;

  close(): Promise<void>;
}
