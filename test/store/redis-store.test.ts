import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RedisStore } from '../../src/store/redis-store.ts';
import {
  findRedisServer,
  forgetRedisScripts,
  redisCommandCalls,
  redisKeys,
  redisTtlMs,
  setRedisValue,
  startRedisServer,
  type RedisServer,
} from '../support/redis-server.ts';
import { backendTitle, redisDatabaseUrl, serverAndMemberBooking, storeBackends } from './store-backends.ts';

const backend = storeBackends(3).find((b) => b.name === 'Redis');
if (!backend) throw new Error('no Redis backend');

describe.skipIf(backend.skipReason !== undefined)(backendTitle(backend, 'Redis key layout'), () => {
  let store: RedisStore;
  let url: string;

  beforeEach(async () => {
    await backend.empty();
    url = redisDatabaseUrl(3);
    store = await RedisStore.open(url);
  });

  afterEach(async () => {
    await store.close();
  });

  it('writes every key, Keyv values and the atomic operations alike, under animate:', async () => {
    await store.kv.set('task:t1', { id: 't1' });
    await store.addToSet('tasks:open', 't1');
    await store.reserve(
      't1',
      [{ key: 'units:user-1', amount: 1, limit: 5, held: false, expiresAt: Date.now() + 60_000 }],
      '{}',
      Date.now(),
    );
    await store.claim('delivery:t1', 'bot-a', 60_000);

    expect(await redisKeys(url)).toEqual([
      'animate:store:claim:delivery:t1',
      'animate:store:counter:units:user-1',
      'animate:store:reservation:t1',
      'animate:store:reservations',
      'animate:task:t1',
      'animate:tasks:open',
    ]);
    expect(await store.kv.get('task:t1')).toEqual({ id: 't1' });
  });

  it('reads Keyv values written by another connection', async () => {
    await store.kv.set('task:t1', { id: 't1', state: 'queued' });
    const second = await RedisStore.open(url);
    try {
      expect(await second.kv.get('task:t1')).toEqual({ id: 't1', state: 'queued' });
      expect(await second.kv.delete('task:t1')).toBe(true);
      expect(await store.kv.get('task:t1')).toBeUndefined();
    } finally {
      await second.close();
    }
  });
});

describe.skipIf(backend.skipReason !== undefined)('Redis scripts', () => {
  // A server of its own: its command counts are this test's alone.
  let server: RedisServer;
  let store: RedisStore | undefined;

  beforeEach(async () => {
    server = await startRedisServer(findRedisServer() ?? 'redis-server');
  });

  afterEach(async () => {
    await store?.close();
    await server.stop();
  });

  const booking = (key: string, counter = 'units:user-1') => ({
    reservations: [{ key, counters: [{ key: counter, amount: 1, limit: null, held: false }] }],
    meta: '{}',
    now: Date.now(),
  });

  it('are loaded when the store opens, so the first burst sends no script text', async () => {
    const opened = (store = await RedisStore.open(server.url));
    await Promise.all(Array.from({ length: 20 }, (_, i) => opened.reserveTogether(booking(`task-${i}`))));

    const calls = await redisCommandCalls(server.url);
    expect(calls.get('eval')).toBeUndefined();
    expect(calls.get('evalsha')).toBeGreaterThan(0);
    expect(calls.get('script|load')).toBeGreaterThan(0);
  });

  it('book the requests asked for together in one script call, each still all or nothing and seeing the ones before it', async () => {
    const opened = (store = await RedisStore.open(server.url));
    const limited = (key: string, user: string) => serverAndMemberBooking(key, user, 4, Date.now());

    const results = await Promise.all([
      opened.reserveTogether(limited('task-1', 'user-1')),
      opened.reserveTogether(limited('task-2', 'user-2')),
      // Refused by the member's own limit: what it added to the server's counter is undone.
      opened.reserveTogether(limited('task-3', 'user-2')),
      opened.reserveTogether(limited('task-4', 'user-4')),
      opened.reserveTogether(limited('task-5', 'user-5')),
      // Refused by the server's limit, which the four before it filled.
      opened.reserveTogether(limited('task-6', 'user-6')),
    ]);

    expect(results.map((r) => (r.ok ? r.values.get('units:guild-1') : 'blockedBy' in r ? r.blockedBy : 'changed'))).toEqual([
      1,
      2,
      'units:user-2',
      3,
      4,
      'units:guild-1',
    ]);
    expect(await opened.counter('units:guild-1')).toBe(4);
    expect(await opened.counter('units:user-6')).toBe(0);
    expect((await opened.listReservations()).map((r) => r.key).sort()).toEqual(['task-1', 'task-2', 'task-4', 'task-5']);
    expect((await redisCommandCalls(server.url)).get('evalsha')).toBe(1);
  });

  it('book at most 100 requests in one script call, so that no call holds the server for long', async () => {
    const opened = (store = await RedisStore.open(server.url));

    const results = await Promise.all(Array.from({ length: 250 }, (_, i) => opened.reserveTogether(booking(`task-${i}`))));

    expect(results.every((r) => r.ok)).toBe(true);
    expect(await opened.counter('units:user-1')).toBe(250);
    expect((await redisCommandCalls(server.url)).get('evalsha')).toBe(3);
  });

  it('book a burst of members in a few commands per booking, not one per counter and record: the server works on it while others wait', async () => {
    const opened = (store = await RedisStore.open(server.url));
    const now = Date.now();
    const expiresAt = now + 60_000;
    // The shape of an /animate booking: the member's ledger (their units, the server's, the server's day, their
    // active tasks) and the operator's spend, with the member listed among this period's.
    const animate = (member: number) => ({
      reservations: [
        {
          key: `units:task-${member}`,
          counters: [
            { key: `units:user-${member}`, amount: 5, limit: 50, held: false, expiresAt, raisedBy: [`granted:user-${member}`] },
            { key: 'units:guild-1', amount: 5, limit: null, held: false, expiresAt },
            { key: 'units:guild-1:day', amount: 5, limit: 10_000, held: false, expiresAt },
            { key: `active:user-${member}`, amount: 1, limit: 3, held: true },
          ],
        },
        { key: `spend:task-${member}`, counters: [{ key: 'spend:day-1', amount: 5, limit: null, held: false, expiresAt }] },
      ],
      meta: '{}',
      now,
      addToSet: { setKey: 'members:guild-1', member: `user-${member}` },
    });
    const before = await redisCommandCalls(server.url);

    const results = await Promise.all(Array.from({ length: 100 }, (_, member) => opened.reserveTogether(animate(member))));

    expect(results.every((r) => r.ok)).toBe(true);
    expect(results.at(-1)).toEqual({
      ok: true,
      values: new Map([
        ['units:user-99', 5],
        ['granted:user-99', 0],
        ['units:guild-1', 500],
        ['units:guild-1:day', 500],
        ['active:user-99', 1],
        ['spend:day-1', 500],
      ]),
    });
    const after = await redisCommandCalls(server.url);
    const made = [...after].reduce((sum, [command, calls]) => sum + calls - (before.get(command) ?? 0), 0);
    // One script call; in it, the member's own two counters are written, and everything shared once for the call.
    expect((after.get('evalsha') ?? 0) - (before.get('evalsha') ?? 0)).toBe(1);
    expect(made).toBeLessThanOrEqual(2 * 100 + 12);
    expect(await opened.counter('units:guild-1')).toBe(500);
    expect(await redisTtlMs(server.url, 'animate:store:counter:units:user-7')).toBeGreaterThan(50_000);
    expect(await redisTtlMs(server.url, 'animate:store:counter:active:user-7')).toBe(-1);
    expect((await opened.listReservations()).length).toBe(200);
    expect(await opened.setMembers('members:guild-1')).toHaveLength(100);
  });

  it('fail only the request that makes the script fail: the others asked for with it are booked', async () => {
    const opened = (store = await RedisStore.open(server.url));
    // Not a number: INCRBY on it fails, and with it the script call carrying every request of the turn.
    await setRedisValue(server.url, 'animate:store:counter:units:broken', 'not a number');
    const outcomes = await Promise.allSettled([
      opened.reserveTogether(booking('task-1', 'units:user-1')),
      opened.reserveTogether(booking('task-2', 'units:broken')),
      opened.reserveTogether(booking('task-3', 'units:user-1')),
    ]);

    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(outcomes[0]).toEqual({ status: 'fulfilled', value: { ok: true, values: new Map([['units:user-1', 1]]) } });
    expect(outcomes[2]).toEqual({ status: 'fulfilled', value: { ok: true, values: new Map([['units:user-1', 2]]) } });
    expect((await opened.listReservations()).map((r) => r.key).sort()).toEqual(['task-1', 'task-3']);
    expect(await opened.counter('units:user-1')).toBe(2);
  });

  it('book by reading every key the call needs in one MGET and writing each counter once, and give the values from what they read and added', async () => {
    const opened = (store = await RedisStore.open(server.url));
    await opened.reserve('granted', [{ key: 'granted:user-1', amount: 2, limit: null, held: false }], '{}', Date.now());
    const before = await redisCommandCalls(server.url);

    const result = await opened.reserveTogether({
      reservations: [
        {
          key: 'units:task-1',
          counters: [
            { key: 'units:user-1', amount: 2, limit: 1, held: false, raisedBy: ['granted:user-1', 'reset:user-1'] },
            { key: 'units:guild-1', amount: 2, limit: 30, held: false },
            { key: 'running:user-1', amount: 1, limit: 2, held: true },
          ],
        },
        { key: 'spend:task-1', counters: [{ key: 'spend:day-1', amount: 2, limit: 200, held: false }] },
      ],
      meta: '{}',
      now: Date.now(),
    });

    expect(result).toEqual({
      ok: true,
      values: new Map([
        ['units:user-1', 2],
        ['granted:user-1', 2],
        ['reset:user-1', 0],
        ['units:guild-1', 2],
        ['running:user-1', 1],
        ['spend:day-1', 2],
      ]),
    });
    // The four counters and the two keys raising a limit are read together; each counter is written once.
    const after = await redisCommandCalls(server.url);
    const made = (command: string) => (after.get(command) ?? 0) - (before.get(command) ?? 0);
    expect(made('mget')).toBe(1);
    expect(made('get')).toBe(0);
    expect(made('incrby')).toBe(4);
    expect(made('decrby')).toBe(0);
  });

  it('give a counter its time to live when a booking creates it, not again at every booking', async () => {
    const opened = (store = await RedisStore.open(server.url));
    const now = Date.now();
    // The later bookings say a later end: the counter keeps the one it was created with.
    const day = (key: string, expiresAt: number) => ({
      reservations: [{ key, counters: [{ key: 'units:guild-1', amount: 1, limit: 100, held: false, expiresAt }] }],
      meta: '{}',
      now,
    });
    const before = await redisCommandCalls(server.url);

    expect(await opened.reserveTogether(day('task-1', now + 60_000))).toMatchObject({ ok: true });
    expect(await opened.reserveTogether(day('task-2', now + 600_000))).toMatchObject({ ok: true });
    expect(await opened.reserveTogether(day('task-3', now + 600_000))).toMatchObject({ ok: true });

    expect(await opened.counter('units:guild-1')).toBe(3);
    // Created with its time to live in one SET, then added to.
    const after = await redisCommandCalls(server.url);
    const made = (command: string) => (after.get(command) ?? 0) - (before.get(command) ?? 0);
    expect(made('pexpire')).toBe(0);
    expect(made('incrby')).toBe(2);
    const ttl = await redisTtlMs(server.url, 'animate:store:counter:units:guild-1');
    expect(ttl).toBeGreaterThan(50_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('undo in the same step what a booking that does not fit added: a counter it created is gone, the others are as they were', async () => {
    const opened = (store = await RedisStore.open(server.url));
    const now = Date.now();
    await opened.reserve('earlier', [{ key: 'units:guild-1', amount: 5, limit: null, held: false, expiresAt: now + 60_000 }], '{}', now);
    await opened.reserve('full', [{ key: 'spend:day-1', amount: 10, limit: 10, held: false }], '{}', now);
    const keysBefore = await redisKeys(server.url);

    const result = await opened.reserveTogether({
      reservations: [
        {
          key: 'units:task-1',
          counters: [
            { key: 'units:guild-1', amount: 2, limit: 30, held: false, expiresAt: now + 60_000 },
            { key: 'units:user-1', amount: 2, limit: 3, held: false, expiresAt: now + 60_000 },
          ],
        },
        { key: 'spend:task-1', counters: [{ key: 'spend:day-1', amount: 2, limit: 10, held: false }] },
      ],
      meta: '{}',
      now,
    });

    expect(result).toEqual({ ok: false, blockedBy: 'spend:day-1' });
    expect(await redisKeys(server.url)).toEqual(keysBefore);
    expect(await opened.counter('units:guild-1')).toBe(5);
    expect(await opened.counter('spend:day-1')).toBe(10);
    expect(await redisTtlMs(server.url, 'animate:store:counter:units:guild-1')).toBeGreaterThan(50_000);
  });

  it('forgotten by the server, are loaded again once for all the calls that found them missing at once', async () => {
    const opened = (store = await RedisStore.open(server.url));
    await forgetRedisScripts(server.url);
    const loadsBefore = (await redisCommandCalls(server.url)).get('script|load') ?? 0;

    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => opened.reserveTogether(booking(`task-${i}`))));

    expect(results.every((r) => r.ok)).toBe(true);
    expect(await opened.counter('units:user-1')).toBe(20);
    const calls = await redisCommandCalls(server.url);
    expect((calls.get('script|load') ?? 0) - loadsBefore).toBe(1);
    expect(calls.get('eval')).toBeUndefined();
  });
});

describe('opening a Redis store', () => {
  let silent: Server | undefined;
  const sockets = new Set<Socket>();

  afterEach(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => (silent ? silent.close(() => resolve()) : resolve()));
    silent = undefined;
  });

  it('gives up with the address, without its password, when the server never answers, and stops trying', async () => {
    // Accepts connections and never replies, like a proxy in front of a dead server.
    let connections = 0;
    silent = createServer((socket) => {
      connections += 1;
      sockets.add(socket);
      socket.resume();
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => silent?.listen(0, '127.0.0.1', resolve));
    const address = silent.address();
    const port = typeof address === 'object' && address ? address.port : 0;

    const opened = RedisStore.open(`redis://bot:s3cret@127.0.0.1:${port}/0`, { connectTimeoutMs: 300 });

    await expect(opened).rejects.toThrow(`could not connect to Redis at redis://127.0.0.1:${port}/0`);
    await expect(opened).rejects.not.toThrow(/s3cret/);
    await vi.waitFor(() => expect(sockets.size).toBe(0), { timeout: 2_000 });
    const attempts = connections;
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(connections).toBe(attempts);
  });
});
