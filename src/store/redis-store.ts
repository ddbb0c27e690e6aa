import { createHash } from 'node:crypto';
import Keyv from 'keyv';
import KeyvRedis from '@keyv/redis';
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
import {
  asError,
  checkReservationsTogether,
  counterTtlMs,
  reserveResult,
  keyvText,
  newReservation,
  parseStoredReservation,
  storeKeys,
} from './store-records.ts';

/** Every key this bot writes starts with `animate:`, Keyv's values and the raw keys below alike. */
const NAMESPACE = 'animate';
const raw = (key: string) => `${NAMESPACE}:${key}`;

/**
 * The part of node-redis's client used here. The adapter's `client` is typed as a union of every client kind
 * (single server, cluster, sentinel; RESP2 and RESP3); naming just these calls keeps them typed without a cast.
 */
interface RedisClient {
  evalSha(sha1: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  scriptLoad(script: string): Promise<string>;
  sAdd(key: string, member: string): Promise<unknown>;
  sRem(key: string, member: string): Promise<unknown>;
  sMembers(key: string): Promise<string[]>;
  mGet(keys: string[]): Promise<(string | null)[]>;
  get(key: string): Promise<string | null>;
}

/*
 * The atomic operations are Lua scripts rather than client-side locks: Redis runs a script whole, with no
 * other command in between, so a bot process paused mid-update (GC, a stalled host) or killed cannot leave
 * a half-applied reservation or a stale lock behind. A lock with a TTL can expire while its holder is
 * paused, and the holder then writes anyway over the next holder's change.
 *
 * The settle script builds counter keys from the stored reservation instead of receiving them in KEYS,
 * which a single Redis server allows and Redis Cluster would not; this store targets one server (or a
 * replicated primary), as the keys of one reservation could live on different cluster slots anyway.
 */

/**
 * The bookings asked for together (a group commit, as on SQLite): one script call for up to
 * `MAX_BOOKINGS_PER_CALL` requests, each of them several reservations, all or nothing on its own, and seeing the
 * ones before it. ARGV[1]: the number of requests; then per request its number of keys and of arguments, then
 * its arguments. Returns one reply per request, in order.
 *
 * A request, from its own first key and argument: KEYS: reservations set, set to add a member to, the Keyv values
 * it was decided on, then per reservation its key and its counters. ARGV: reservation count, member to add ('' for
 * none), count of those values and for each '1' and its text ('' and '' when absent), then per reservation its
 * counter count, its name (for the reservations set) and its record JSON, then per counter amount,
 * limit|'', ttl ms|'', and the keys raising its limit joined by newlines ('' for none; like the settle
 * script, these are named in ARGV, which one server allows). Returns {-1, index} of the first of those values that
 * has changed, {index} of the first counter (1-based, across all reservations) that would overflow, or {0, then
 * per counter its value after and the value of each key raising its limit}. A reservation already stored is
 * neither checked nor counted.
 *
 * Redis works on a call while every other command waits, the deferrals of a burst among them. Booked request
 * by request with their own commands (an EXISTS, an INCRBY and a PEXPIRE per counter, a SET and an SADD per
 * reservation), an /animate booking made 14 commands and a burst's call of 98 took Redis 3.3 to 6.6 ms on this
 * 2-core machine; worked out in memory and written once (2 commands a booking), 2.3 to 3.1 ms. Measured alone,
 * with SLOWLOG; under a burst both take about twice as long.
 */
const RESERVE_GROUPS = `
-- The whole call is worked out in memory and written once: each counter it touches is read in one MGET and
-- written once at the end, the records in one MSET, each set in one SADD. Nothing outside sees the steps between
-- (a script runs whole), so this is the same as booking each request in turn with its own commands, which cost
-- Redis about 14 of them a booking. The arguments are walked in place: a table per request or counter cost more
-- than the commands saved.
local requestCount = tonumber(ARGV[1])
-- Where each request's keys and arguments start (the request's own KEYS[1] and ARGV[1] are at these + 1), and where
-- its first reservation's do.
local keyBase, argBase, firstKey, firstArg = {}, {}, {}, {}
local counterKeys, reservationKeys, listed, unchangedKeys = {}, {}, {}, {}
local function note(key)
  if not listed[key] then
    listed[key] = true
    counterKeys[#counterKeys + 1] = key
  end
end
local K, A = 0, 1
for q = 1, requestCount do
  local unchanged = tonumber(ARGV[A + 5])
  for i = 1, unchanged do unchangedKeys[#unchangedKeys + 1] = KEYS[K + 2 + i] end
  local k, a = K + 3 + unchanged, A + 6 + 2 * unchanged
  keyBase[q], argBase[q], firstKey[q], firstArg[q] = K, A + 2, k, a
  for _ = 1, tonumber(ARGV[A + 3]) do
    local n = tonumber(ARGV[a])
    reservationKeys[#reservationKeys + 1] = KEYS[k]
    for c = 1, n do
      note(KEYS[k + c])
      local raisedBy = ARGV[a + 4 * c + 2]
      if raisedBy ~= '' then for key in string.gmatch(raisedBy, '[^\\n]+') do note(key) end end
    end
    k = k + n + 1
    a = a + 3 + 4 * n
  end
  K = K + tonumber(ARGV[A + 1])
  A = A + 2 + tonumber(ARGV[A + 2])
end

-- Read before anything is written: a counter that is not a whole number fails the call here, with nothing changed.
local value, start = {}, {}
local texts = redis.call('MGET', unpack(counterKeys))
for i, key in ipairs(counterKeys) do
  local number = tonumber(texts[i] or '0')
  if number == nil or number % 1 ~= 0 then return redis.error_reply('ERR counter ' .. key .. ' is not a whole number') end
  value[key], start[key] = number, number
end
-- The Keyv values the bookings were decided on, as they stand: none is written here, so they hold for the whole call.
local held = {}
if #unchangedKeys > 0 then
  local found = redis.call('MGET', unpack(unchangedKeys))
  for i, key in ipairs(unchangedKeys) do held[key] = found[i] end
end
-- Nearly always none of them (new bookings) or all (bookings made again): one EXISTS, and one per key otherwise.
local stored = {}
if redis.call('EXISTS', unpack(reservationKeys)) > 0 then
  for _, key in ipairs(reservationKeys) do stored[key] = redis.call('EXISTS', key) == 1 end
end

local created, changed, records, names, members = {}, {}, {}, {}, {}
local function append(lists, key, item)
  lists[key] = lists[key] or {}
  table.insert(lists[key], item)
end
-- Request q: all or nothing, seeing the requests before it. A reservation already stored is neither checked nor
-- counted. Made only while every value it was decided on still holds the text it names ('' before it: absent).
local function book(q)
  local K, A, k0, a0 = keyBase[q], argBase[q], firstKey[q], firstArg[q]
  for i = 1, tonumber(ARGV[A + 3]) do
    local text = held[KEYS[K + 2 + i]]
    local expected = ARGV[A + 3 + 2 * i]
    if ARGV[A + 2 + 2 * i] == '' then expected = false end
    if text ~= expected then return { -1, i } end
  end
  local reservations = tonumber(ARGV[A + 1])
  -- Each limit as the keys raising it stand before this booking adds anything.
  local limits = {}
  local k, a, index = k0, a0, 0
  for _ = 1, reservations do
    local n = tonumber(ARGV[a])
    local fresh = not stored[KEYS[k]]
    for c = 1, n do
      index = index + 1
      local limit, raisedBy = ARGV[a + 4 * c], ARGV[a + 4 * c + 2]
      if fresh and limit ~= '' then
        local raise = 0
        if raisedBy ~= '' then for key in string.gmatch(raisedBy, '[^\\n]+') do raise = raise + value[key] end end
        limits[index] = tonumber(limit) + raise
      end
    end
    k = k + n + 1
    a = a + 3 + 4 * n
  end
  -- Checked whole before any of it counts, so a booking that does not fit leaves nothing behind.
  local after, creates = {}, {}
  k, a, index = k0, a0, 0
  for _ = 1, reservations do
    local n = tonumber(ARGV[a])
    local fresh = not stored[KEYS[k]]
    for c = 1, n do
      index = index + 1
      if fresh then
        local key, amount, ttl = KEYS[k + c], tonumber(ARGV[a + 4 * c - 1]), ARGV[a + 4 * c + 1]
        local now = after[key] or value[key]
        if limits[index] ~= nil and now + amount > limits[index] then return { index } end
        -- Zero is the same as absent: a counter at zero is one this booking creates, and its period, and so its end,
        -- is set then, once.
        if now == 0 and ttl ~= '' then creates[key] = ttl end
        after[key] = now + amount
      end
    end
    k = k + n + 1
    a = a + 3 + 4 * n
  end
  for key, ttl in pairs(creates) do created[key] = ttl end
  for key, number in pairs(after) do
    if value[key] == start[key] and number ~= start[key] then changed[#changed + 1] = key end
    value[key] = number
  end
  local values = { 0 }
  k, a = k0, a0
  for _ = 1, reservations do
    local n = tonumber(ARGV[a])
    if not stored[KEYS[k]] then
      stored[KEYS[k]] = true
      records[#records + 1] = KEYS[k]
      records[#records + 1] = ARGV[a + 2]
      append(names, KEYS[K + 1], ARGV[a + 1])
    end
    for c = 1, n do
      values[#values + 1] = value[KEYS[k + c]]
      local raisedBy = ARGV[a + 4 * c + 2]
      if raisedBy ~= '' then for key in string.gmatch(raisedBy, '[^\\n]+') do values[#values + 1] = value[key] end end
    end
    k = k + n + 1
    a = a + 3 + 4 * n
  end
  if ARGV[A + 2] ~= '' then append(members, KEYS[K + 2], ARGV[A + 2]) end
  return values
end
local results = {}
for q = 1, requestCount do results[q] = book(q) end

for _, key in ipairs(changed) do
  if start[key] == 0 and created[key] then
    redis.call('SET', key, value[key], 'PX', created[key])
  elseif value[key] ~= start[key] then
    redis.call('INCRBY', key, value[key] - start[key])
  end
end
if #records > 0 then redis.call('MSET', unpack(records)) end
for set, list in pairs(names) do redis.call('SADD', set, unpack(list)) end
for set, list in pairs(members) do redis.call('SADD', set, unpack(list)) end
return results
`;

/** KEYS: reservation, reservations set; ARGV: reservation key, '1' to refund, counter key prefix. Returns 1 when settled, 0 when absent. */
const SETTLE = `
local stored = redis.call('GET', KEYS[1])
if not stored then
  redis.call('SREM', KEYS[2], ARGV[1])
  return 0
end
local reservation = cjson.decode(stored)
for _, c in ipairs(reservation.counters) do
  if c.held or ARGV[2] == '1' then
    local key = ARGV[3] .. c.key
    -- An expired counter stays gone, and zero is the same as absent.
    if redis.call('EXISTS', key) == 1 and redis.call('DECRBY', key, c.amount) <= 0 then
      redis.call('DEL', key)
    end
  end
end
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[2], ARGV[1])
return 1
`;

/** KEYS: claim; ARGV: value, ttl ms. Returns 1 when held by `value` afterwards. */
const CLAIM = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
`;

/** KEYS: claim; ARGV: value. */
const UNCLAIM = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 0
`;

/**
 * KEYS: value, marks…; ARGV: Keyv's text, expected revision, ttl ms|'', final states…. Returns 1 when written.
 * The stored text is Keyv's `{"value":…,"expires":…}`; a value without a revision (written before revisions
 * existed), like an absent one, is at revision 0. Text that does not decode is never replaced blindly.
 */
const WRITE_VERSIONED = `
local stored = redis.call('GET', KEYS[1])
local revision = 0
local state = nil
if stored then
  local ok, decoded = pcall(cjson.decode, stored)
  if not ok or type(decoded) ~= 'table' or type(decoded.value) ~= 'table' then return 0 end
  if type(decoded.value.revision) == 'number' then revision = decoded.value.revision end
  state = decoded.value.state
end
if revision ~= tonumber(ARGV[2]) then return 0 end
for i = 4, #ARGV do
  if state == ARGV[i] then return 0 end
end
if ARGV[3] == '' then
  redis.call('SET', KEYS[1], ARGV[1])
else
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
  for i = 2, #KEYS do
    if redis.call('EXISTS', KEYS[i]) == 1 then redis.call('PEXPIRE', KEYS[i], ARGV[3]) end
  end
end
return 1
`;

/** KEYS: mark; ARGV: value. Returns 1 when this call set it. */
const MARK = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX') then return 1 end
return 0
`;

/**
 * KEYS: slots taken (sorted by time), waiters' ranks, waiters' deadlines; ARGV: limit, window ms, rank, waiter,
 * new slot's member, grace ms, pace limit|'', pace window ms|''. Returns 0 when a slot was taken, else ms to wait
 * before asking again.
 *
 * The time is the server's (TIME), not the callers': processes on several hosts share one window, and their
 * clocks need not agree. A refused caller is remembered as waiting (one entry per process: its most urgent
 * request) until shortly after it will ask again, so a less urgent request from any process leaves it the slot;
 * a process that dies stops counting once that deadline passes.
 */
const TAKE_RATE_SLOT = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local rank = tonumber(ARGV[3])
local waiter = ARGV[4]
local grace = tonumber(ARGV[6])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
for _, lapsed in ipairs(redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now)) do
  redis.call('ZREM', KEYS[2], lapsed)
end
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
redis.call('ZREM', KEYS[2], waiter)
redis.call('ZREM', KEYS[3], waiter)
local used = redis.call('ZCARD', KEYS[1])
local ahead = redis.call('ZCOUNT', KEYS[2], '-inf', '(' .. rank)
local paced = nil
if ARGV[7] ~= '' then
  local since = '(' .. (now - tonumber(ARGV[8]))
  if redis.call('ZCOUNT', KEYS[1], since, '+inf') >= tonumber(ARGV[7]) then
    paced = redis.call('ZRANGEBYSCORE', KEYS[1], since, '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
  end
end
if used + ahead < limit and not paced then
  redis.call('ZADD', KEYS[1], now, ARGV[5])
  redis.call('PEXPIRE', KEYS[1], window)
  return 0
end
local wait
if used >= limit then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  wait = math.max(1, tonumber(oldest[2]) + window - now)
elseif used + ahead >= limit then
  -- The free slots are kept for more urgent waiters: ask again about one slot's spacing later.
  wait = math.max(1, math.floor(window / limit))
else
  wait = math.max(1, tonumber(paced[2]) + tonumber(ARGV[8]) - now)
end
redis.call('ZADD', KEYS[2], rank, waiter)
redis.call('ZADD', KEYS[3], now + wait + grace, waiter)
redis.call('PEXPIRE', KEYS[2], window + grace)
redis.call('PEXPIRE', KEYS[3], window + grace)
return wait
`;

/** A script sent by its SHA1 (EVALSHA), and in full only when the server does not have it cached yet. */
class LuaScript {
  readonly #source: string;
  readonly #sha: string;
  /** The load under way after a NOSCRIPT, shared by every call that found the script missing meanwhile. */
  #loading: Promise<unknown> | undefined;

  constructor(source: string) {
    this.#source = source;
    this.#sha = createHash('sha1').update(source).digest('hex');
  }

  async run(client: RedisClient, keys: string[], args: string[]): Promise<number> {
    const reply = await this.#eval(client, keys, args);
    if (typeof reply !== 'number') throw new Error(`unexpected Lua script reply: ${String(reply)}`);
    return reply;
  }

  /** For a script answering one list of numbers per request it was given. */
  async runForLists(client: RedisClient, keys: string[], args: string[]): Promise<number[][]> {
    const reply = await this.#eval(client, keys, args);
    if (!Array.isArray(reply) || !reply.every((list) => Array.isArray(list) && list.every((item) => typeof item === 'number'))) {
      throw new Error(`unexpected Lua script reply: ${String(reply)}`);
    }
    return reply;
  }

  /** Puts the script in the server's cache, so calls send its SHA1 only. */
  async load(client: RedisClient): Promise<void> {
    await client.scriptLoad(this.#source);
  }

  async #eval(client: RedisClient, keys: string[], args: string[]): Promise<unknown> {
    try {
      return await client.evalSha(this.#sha, { keys, arguments: args });
    } catch (error) {
      // A restarted or flushed server has forgotten its script cache. Loaded once for all the calls of a burst
      // that found it missing, rather than each sending the whole script with EVAL.
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      this.#loading ??= this.load(client).finally(() => (this.#loading = undefined));
      await this.#loading;
      return await client.evalSha(this.#sha, { keys, arguments: args });
    }
  }
}

const reserveGroupsScript = new LuaScript(RESERVE_GROUPS);
const settleScript = new LuaScript(SETTLE);
const claimScript = new LuaScript(CLAIM);
const unclaimScript = new LuaScript(UNCLAIM);
const writeVersionedScript = new LuaScript(WRITE_VERSIONED);
const markScript = new LuaScript(MARK);
const takeRateSlotScript = new LuaScript(TAKE_RATE_SLOT);
const SCRIPTS = [reserveGroupsScript, settleScript, claimScript, unclaimScript, writeVersionedScript, markScript, takeRateSlotScript];

/** How long past its announced retry a refused waiter still counts: a busy event loop may come back late. */
const RATE_WAITER_GRACE_MS = 1_000;

/**
 * Redis through Keyv's official adapter, for several bot processes sharing one server. Keyv's values and the
 * raw keys used by the atomic operations share one prefix, `animate:`, and one connection.
 */
export class RedisStore implements Store {
  readonly kv: Keyv;
  readonly sharedAcrossProcesses = true;
  readonly #adapter: KeyvRedis<unknown>;
  readonly #client: RedisClient;
  /** Makes each slot this process takes a distinct member of the window's sorted set. */
  #slotSeq = 0;
  /** Bookings asked for by the work under way, sent together once it is done. */
  #waitingBookings: WaitingBooking[] = [];
  readonly #bookingsUnderWay = new Set<Promise<void>>();

  private constructor(adapter: KeyvRedis<unknown>, client: RedisClient, kv: Keyv) {
    this.#adapter = adapter;
    this.#client = client;
    this.kv = kv;
  }

  /**
   * `url` is `redis://…` or `rediss://…` (TLS), optionally with credentials and a database number. Connects
   * before resolving, and rejects when the server cannot be reached in time rather than wait forever: once
   * connected, a dropped connection is retried with backoff and commands wait for it.
   */
  static async open(url: string, { connectTimeoutMs: timeoutMs = 10_000 }: { connectTimeoutMs?: number } = {}): Promise<RedisStore> {
    // The adapter adds `<namespace><separator>` to Keyv's keys; Keyv's own prefixing is turned off so keys
    // read `animate:task:…` rather than `animate::animate:task:…`, matching the raw keys below.
    const adapter = new KeyvRedis<unknown>(url, { namespace: NAMESPACE, keyPrefixSeparator: ':', throwOnErrors: true });
    // Errors must reach the caller: a read that failed and came back "absent" would lose a task.
    const kv = new Keyv({ store: adapter, namespace: NAMESPACE, useKeyPrefix: false, throwOnErrors: true });
    // Not the adapter's own `connectionTimeout`: its timer is never cleared, which keeps a process that
    // has already closed the store alive until the timeout has run out.
    const connecting = adapter.getClient();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    let client: RedisClient;
    try {
      client = await Promise.race([connecting, timedOut]);
    } catch (error) {
      // Stops the client's reconnection attempts; the abandoned attempt's own failure is expected.
      const ignore = () => undefined;
      connecting.catch(ignore);
      await adapter.disconnect(true).catch(ignore);
      throw new Error(`could not connect to Redis at ${withoutCredentials(url)}`, { cause: error });
    } finally {
      clearTimeout(timer);
    }
    // Before the first command: a burst's first calls then send each script's SHA1, not its text.
    await Promise.all(SCRIPTS.map((script) => script.load(client)));
    return new RedisStore(adapter, client, kv);
  }

  async addToSet(setKey: string, member: string): Promise<void> {
    await (await this.#connected()).sAdd(raw(setKey), member);
  }

  async removeFromSet(setKey: string, member: string): Promise<void> {
    await (await this.#connected()).sRem(raw(setKey), member);
  }

  async setMembers(setKey: string): Promise<string[]> {
    return (await this.#connected()).sMembers(raw(setKey));
  }

  async reserve(reservationKey: string, counters: ReservationCounter[], meta: string, now: number): Promise<ReserveResult> {
    return reserveResult(await this.reserveTogether({ reservations: [{ key: reservationKey, counters }], meta, now }));
  }

  async storedTexts(keys: readonly string[]): Promise<(string | null)[]> {
    if (keys.length === 0) return [];
    return (await this.#connected()).mGet(keys.map(raw));
  }

  /**
   * Booked with the other requests made by the same piece of work in one script call (RESERVE_GROUPS): under a
   * burst, a call per command costs each booking about 13 µs of this process's CPU more (the client's queue,
   * promise and reply for each) and Redis 9 µs more, work that every member still waiting for a deferral waits
   * for. Each request is still all or nothing on its own and sees the ones before it.
   */
  reserveTogether(request: ReservationsTogether): Promise<ReserveTogetherResult> {
    return new Promise((resolve, reject) => {
      checkReservationsTogether(request);
      this.#waitingBookings.push({ request, ...bookingCall(request), resolve, reject });
      // As soon as the work under way is done, not at the end of the event loop's turn (see SqliteStore): the client
      // sends what it is given at the end of the turn, and a call made at that end waited a whole turn more.
      if (this.#waitingBookings.length === 1) process.nextTick(() => this.#bookWaiting());
    });
  }

  #bookWaiting(): void {
    const waiting = this.#waitingBookings.splice(0);
    for (let i = 0; i < waiting.length; i += MAX_BOOKINGS_PER_CALL) this.#track(this.#book(waiting.slice(i, i + MAX_BOOKINGS_PER_CALL)));
  }

  /** Books `group` in one call; when that call fails, each of them alone, so that one that cannot be made fails alone. */
  async #book(group: readonly WaitingBooking[]): Promise<void> {
    let replies: number[][];
    try {
      const keys = group.flatMap((booking) => booking.keys);
      const args = [
        String(group.length),
        ...group.flatMap((booking) => [String(booking.keys.length), String(booking.args.length), ...booking.args]),
      ];
      replies = await reserveGroupsScript.runForLists(await this.#connected(), keys, args);
    } catch (error) {
      // A script stops at its first failing command, with what the requests before it wrote kept: made again
      // alone, those are found stored and answered as booked (a reservation is never counted twice).
      if (group.length > 1) await Promise.all(group.map((booking) => this.#book([booking])));
      else group[0]?.reject(asError(error));
      return;
    }
    group.forEach((booking, i) => {
      try {
        booking.resolve(bookingResult(booking.request, replies[i]));
      } catch (error) {
        booking.reject(asError(error));
      }
    });
  }

  /** Keeps `booking` among those `close` waits for. */
  #track(booking: Promise<void>): void {
    this.#bookingsUnderWay.add(booking);
    void booking.finally(() => this.#bookingsUnderWay.delete(booking));
  }

  async settle(reservationKey: string, refund: boolean): Promise<boolean> {
    const settled = await settleScript.run(
      await this.#connected(),
      [raw(storeKeys.reservation(reservationKey)), raw(storeKeys.reservations)],
      [reservationKey, refund ? '1' : '0', raw(storeKeys.counter(''))],
    );
    return settled === 1;
  }

  async listReservations(): Promise<StoredReservation[]> {
    const client = await this.#connected();
    const keys = await client.sMembers(raw(storeKeys.reservations));
    if (keys.length === 0) return [];
    const values = await client.mGet(keys.map((key) => raw(storeKeys.reservation(key))));
    const reservations: StoredReservation[] = [];
    for (const value of values) {
      // Settled between the two reads: simply no longer open.
      if (value === null) continue;
      const reservation = parseStoredReservation(JSON.parse(value));
      if (reservation) reservations.push(reservation);
    }
    return reservations;
  }

  async counter(key: string): Promise<number> {
    const value = await (await this.#connected()).get(raw(storeKeys.counter(key)));
    return value === null ? 0 : Number(value);
  }

  async claim(key: string, value: string, ttlMs: number): Promise<boolean> {
    const ttl = String(Math.max(1, Math.ceil(ttlMs)));
    return (await claimScript.run(await this.#connected(), [raw(storeKeys.claim(key))], [value, ttl])) === 1;
  }

  async unclaim(key: string, value: string): Promise<void> {
    await unclaimScript.run(await this.#connected(), [raw(storeKeys.claim(key))], [value]);
  }

  async writeVersioned(write: VersionedWrite): Promise<boolean> {
    const ttl = write.ttlMs === undefined ? '' : String(Math.max(1, Math.ceil(write.ttlMs)));
    const keys = [raw(write.key), ...(write.expireWith ?? []).map((mark) => raw(storeKeys.mark(mark)))];
    const args = [await keyvText(this.kv, write.value, write.ttlMs), String(write.expectedRevision), ttl, ...write.finalStates];
    return (await writeVersionedScript.run(await this.#connected(), keys, args)) === 1;
  }

  async mark(key: string, value: string): Promise<boolean> {
    return (await markScript.run(await this.#connected(), [raw(storeKeys.mark(key))], [value])) === 1;
  }

  async takeRateSlot(request: RateSlotRequest): Promise<number> {
    const { name, limit, windowMs, rank, waiter, pace } = request;
    return takeRateSlotScript.run(
      await this.#connected(),
      [raw(storeKeys.rateSlots(name)), raw(storeKeys.rateWaiting(name)), raw(storeKeys.rateWaitingUntil(name))],
      [
        String(limit),
        String(Math.ceil(windowMs)),
        String(rank),
        waiter,
        `${waiter}:${this.#slotSeq++}`,
        String(RATE_WAITER_GRACE_MS),
        pace ? String(pace.limit) : '',
        pace ? String(Math.ceil(pace.windowMs)) : '',
      ],
    );
  }

  async close(): Promise<void> {
    // Booked before the connection goes: each of them is awaited by a request.
    this.#bookWaiting();
    await Promise.all([...this.#bookingsUnderWay]);
    await this.#adapter.disconnect();
  }

  /** The adapter's client, reconnected by the adapter if it had been closed. */
  async #connected(): Promise<RedisClient> {
    await this.#adapter.getClient();
    return this.#client;
  }
}

/**
 * The most requests one booking call carries: about 3 ms of Redis's time, during which it answers no one else. It
 * also keeps the script's lists of keys well under the 8000 values Lua can hand to one command.
 */
const MAX_BOOKINGS_PER_CALL = 100;

interface WaitingBooking {
  request: ReservationsTogether;
  /** Its part of the script call's keys and arguments. */
  keys: string[];
  args: string[];
  resolve: (result: ReserveTogetherResult) => void;
  reject: (error: Error) => void;
}

/** A request's keys and arguments, laid out as RESERVE_GROUPS reads one request. */
function bookingCall(request: ReservationsTogether): { keys: string[]; args: string[] } {
  const unchanged = request.unchanged ?? [];
  const keys = [raw(storeKeys.reservations), raw(request.addToSet?.setKey ?? storeKeys.reservations), ...unchanged.map((u) => raw(u.key))];
  const args = [String(request.reservations.length), request.addToSet?.member ?? '', String(unchanged.length)];
  for (const { text } of unchanged) args.push(text === null ? '' : '1', text ?? '');
  for (const { key, counters: own } of request.reservations) {
    keys.push(raw(storeKeys.reservation(key)), ...own.map((c) => raw(storeKeys.counter(c.key))));
    args.push(String(own.length), key, JSON.stringify(newReservation(key, own, request.meta, request.now)));
    for (const c of own) {
      args.push(
        String(c.amount),
        c.limit === null ? '' : String(c.limit),
        String(counterTtlMs(c.expiresAt, request.now) ?? ''),
        (c.raisedBy ?? []).map((key) => raw(storeKeys.counter(key))).join('\n'),
      );
    }
  }
  return { keys, args };
}

/** What RESERVE_GROUPS answered for `request`: the counter that stopped it, or each counter's value after. */
function bookingResult(request: ReservationsTogether, reply: readonly number[] | undefined): ReserveTogetherResult {
  const counters = request.reservations.flatMap((r) => r.counters);
  const [blocked, ...after] = reply ?? [];
  if (blocked === -1) {
    const changed = request.unchanged?.[(after[0] ?? 0) - 1];
    if (!changed) throw new Error(`reserve script named value ${String(after[0])} of ${request.unchanged?.length ?? 0}`);
    return { ok: false, changed: changed.key };
  }
  if (blocked !== 0) {
    const counter = blocked === undefined ? undefined : counters[blocked - 1];
    if (!counter) throw new Error(`reserve script named counter ${String(blocked)} of ${counters.length}`);
    return { ok: false, blockedBy: counter.key };
  }
  const values = new Map<string, number>();
  const named = counters.flatMap((c) => [c.key, ...(c.raisedBy ?? [])]);
  named.forEach((key, i) => values.set(key, after[i] ?? 0));
  return { ok: true, values };
}

/** The URL for an error message: a password in STORE_URL must not end up in the logs. */
function withoutCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return `${url.split('://')[0] ?? ''}://…`;
  }
}
