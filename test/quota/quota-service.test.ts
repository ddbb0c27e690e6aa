import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.ts';
import { QuotaService, type RefundedOrphan, type ReserveOutcome, type ReserveRequest } from '../../src/quota/quota-service.ts';
import type { GuildQuotaSettings, QuotaDefaults } from '../../src/quota/quota-settings.ts';
import type { Store } from '../../src/store/store.ts';
import { ManualClock } from '../support/manual-clock.ts';
import { countStoreReads } from '../support/store-reads.ts';
import { backendTitle, storeBackends } from '../store/store-backends.ts';

/** This file's own Redis database, so no other test file's keys meet ours. */
const REDIS_DB = 7;

/** The operator's defaults from issue 3: 3 units a day, 30 per server, 1 running + 2 waiting, no global cap. */
const DEFAULTS: QuotaDefaults = {
  period: 'day',
  memberUnits: 3,
  serverUnits: 30,
  memberRunning: 1,
  memberWaiting: 2,
  globalUnitsPerDay: null,
  serverMaxUnitsPerDay: null,
};

const GUILD = '1187203491855130624';
const OTHER_GUILD = '1098765432101234567';
const ANIMATE_CHANNEL = '1187203492404584458';
const SHOWCASE_CHANNEL = '1187209980311265371';
const GENERAL_CHANNEL = '1187203492404584449';
const ALICE = '248836251873968128';
const BOB = '331497265083449345';
const CAROL = '402281346519924736';
const DAVE = '517003582264213506';
const ARTIST_ROLE = '1187215530042355762';
const PATRON_ROLE = '1187215691535773706';
const MUTED_ROLE = '1187215822876221480';
const STAFF_ROLE = '1187215937120677958';

const at = (iso: string) => Date.parse(iso);
/** Wednesday 25 November 2026, mid-morning UTC. */
const WEDNESDAY = '2026-11-25T10:00:00.000Z';

for (const backend of storeBackends(REDIS_DB)) {
  describe.skipIf(backend.skipReason !== undefined)(backendTitle(backend, 'quota service'), () => {
    let store: Store;
    let clock: ManualClock;
    let quota: QuotaService;

    beforeEach(async () => {
      store = await (await backend.empty())();
      clock = new ManualClock(at(WEDNESDAY));
      quota = new QuotaService({ store, defaults: DEFAULTS, clock, logger: silentLogger });
    });

    afterEach(async () => {
      await store.close();
      await backend.dispose();
    });

    /** A second service on the same store with other operator defaults (e.g. a bot-wide daily cap). */
    function serviceWith(defaults: Partial<QuotaDefaults>): QuotaService {
      return new QuotaService({ store, defaults: { ...DEFAULTS, ...defaults }, clock, logger: silentLogger });
    }

    function moveTo(iso: string): void {
      const target = at(iso);
      expect(target).toBeGreaterThanOrEqual(clock.now());
      clock.advance(target - clock.now());
    }

    function request(overrides: Partial<ReserveRequest> = {}): ReserveRequest {
      return { taskId: randomUUID(), guildId: GUILD, channelId: ANIMATE_CHANNEL, userId: ALICE, roleIds: [], units: 1, ...overrides };
    }

    async function reserveOk(overrides: Partial<ReserveRequest> = {}, service = quota): Promise<string> {
      const r = request(overrides);
      const outcome = await service.reserve(r);
      expect(outcome, `reservation of ${r.units} unit(s) for ${r.userId}`).toMatchObject({ ok: true });
      return r.taskId;
    }

    /** A generation that was made and delivered: its units stay spent, its running/waiting place is free. */
    async function spendDelivered(overrides: Partial<ReserveRequest> = {}, service = quota): Promise<void> {
      const taskId = await reserveOk(overrides, service);
      expect(await service.settle(taskId, false)).toBe(true);
    }

    async function configure(change: Partial<GuildQuotaSettings>, guildId = GUILD): Promise<void> {
      await quota.updateSettings(guildId, (s) => ({ ...s, ...change }));
    }

    const refusalOf = (outcome: ReserveOutcome) => ('refusal' in outcome ? outcome.refusal : undefined);

    describe('a burst in one server', () => {
      it("reads the server's settings and the provider pause once for the first commands, then books on them unread, each seeing them", async () => {
        await configure({ memberDefault: 5 });
        const reads = countStoreReads(store);

        const members = [ALICE, BOB, CAROL, DAVE];
        const outcomes = await Promise.all(members.map((userId) => quota.reserve(request({ userId }))));
        expect(outcomes.map((o) => (o.ok ? o.left : 'refused'))).toEqual([4, 4, 4, 4]);
        expect(reads.get(`quota-settings:${GUILD}`)).toBe(1);
        expect(reads.get('provider:paused-until')).toBe(1);

        // The next bookings read neither: each checks, as it is made, that they still hold.
        reads.clear();
        expect(await Promise.all(members.map((userId) => quota.reserve(request({ userId }))))).toMatchObject(
          Array(4).fill({ ok: true, left: 3 }),
        );
        expect([...reads.keys()]).toEqual([]);

        // A change made since is seen: two units a day, both used.
        await configure({ memberDefault: 2 });
        expect(refusalOf(await quota.reserve(request({ userId: ALICE })))).toMatchObject({ kind: 'member_units', left: 0 });
      });
    });

    describe('what a booking is decided on', () => {
      it("never hides a moderator's change or a pause made since, here or in another process", async () => {
        const elsewhere = serviceWith({});
        expect(await quota.reserve(request())).toMatchObject({ ok: true });
        await configure({ memberDefault: 0 });
        expect(refusalOf(await quota.reserve(request()))).toMatchObject({ kind: 'blocked' });
        await elsewhere.updateSettings(GUILD, (s) => ({ ...s, memberDefault: 3 }));
        expect(await quota.reserve(request())).toMatchObject({ ok: true, left: 1 });

        await quota.pauseSubmissions();
        expect(refusalOf(await quota.reserve(request({ userId: BOB })))).toMatchObject({ kind: 'paused' });
      });

      it("books nothing on a caller's value that changed, and names it", async () => {
        await store.kv.set('member-defaults:alice', { duration: '10' });
        const decidedOn = [{ key: 'member-defaults:alice', text: null }];

        expect(await quota.reserve(request({ decidedOn }))).toEqual({ ok: false, changed: 'member-defaults:alice' });
        expect(await quota.standing(GUILD, ALICE, [])).toMatchObject({ used: 0 });
      });
    });

    describe('one step', () => {
      it("books the member's units, the server's, the operator's spend and the member's name in one write of the store", async () => {
        const calls: string[] = [];
        for (const name of ['reserve', 'reserveTogether', 'settle', 'addToSet', 'counter'] as const) {
          const original = store[name].bind(store) as (...args: unknown[]) => Promise<unknown>;
          (store as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => {
            calls.push(name);
            return original(...args);
          };
        }
        const limited = serviceWith({ globalUnitsPerDay: 100 });

        const outcome = await limited.reserve(request({ units: 2 }));

        expect(outcome).toEqual({ ok: true, units: 2, left: 1, renewsAt: at('2026-11-26T00:00:00Z') });
        // The moderators' grants and resets raise the member's limit inside that same step: nothing else is read.
        expect(calls).toEqual(['reserveTogether']);
        expect((await store.listReservations()).length).toBe(2);
        expect((await limited.serverUsage(GUILD)).topMembers).toEqual([{ userId: ALICE, used: 2 }]);
      });

      it('counts what a moderator granted or gave back at the moment of booking, and says what is left', async () => {
        await quota.grant(GUILD, ALICE, [], 2);
        await spendDelivered();
        await spendDelivered();
        await spendDelivered();

        expect(await quota.reserve(request({ units: 2 }))).toMatchObject({ ok: true, left: 0 });
        expect(refusalOf(await quota.reserve(request()))).toMatchObject({ kind: 'member_units', left: 0, needed: 1 });
      });

      it("refused by the operator's daily cap, it books nothing at all", async () => {
        const capped = serviceWith({ globalUnitsPerDay: 1 });

        const outcome = await capped.reserve(request({ units: 2 }));

        expect(outcome).toEqual({ ok: false, refusal: { kind: 'global_units', renewsAt: at('2026-11-26T00:00:00Z') } });
        expect(await store.listReservations()).toEqual([]);
        expect((await capped.standing(GUILD, ALICE, [])).used).toBe(0);
        expect((await capped.serverUsage(GUILD)).topMembers).toEqual([]);
      });
    });

    describe('units per period', () => {
      it('a member with 3 units makes three 5 s videos and the fourth is refused until 00:00 UTC', async () => {
        const outcomes = [];
        for (let i = 0; i < 3; i++) outcomes.push(await quota.reserve(request()));
        expect(outcomes.map((o) => (o.ok ? o.left : 'refused'))).toEqual([2, 1, 0]);
        expect(outcomes[0]).toEqual({ ok: true, units: 1, left: 2, renewsAt: at('2026-11-26T00:00:00Z') });

        const fourth = await quota.reserve(request());
        expect(fourth).toEqual({
          ok: false,
          refusal: { kind: 'member_units', left: 0, needed: 1, renewsAt: at('2026-11-26T00:00:00Z'), rule: { kind: 'server' } },
        });
        expect((await quota.standing(GUILD, ALICE, [])).used).toBe(3);
      });

      it('a 10 s video needs 2 units and is refused with 1 left, spending nothing', async () => {
        await spendDelivered();
        await spendDelivered();

        const tenSeconds = await quota.reserve(request({ units: 2 }));
        expect(refusalOf(tenSeconds)).toEqual({
          kind: 'member_units',
          left: 1,
          needed: 2,
          renewsAt: at('2026-11-26T00:00:00Z'),
          rule: { kind: 'server' },
        });
        expect(await quota.standing(GUILD, ALICE, [])).toMatchObject({ used: 2, left: 1 });
        expect(await quota.reserve(request({ units: 1 }))).toMatchObject({ ok: true, left: 0 });
      });

      it('a retried command with the same task id is counted once', async () => {
        const r = request();
        expect(await quota.reserve(r)).toMatchObject({ ok: true, left: 2 });
        expect(await quota.reserve(r)).toMatchObject({ ok: true, left: 2 });
        expect((await quota.standing(GUILD, ALICE, [])).used).toBe(1);
      });
    });

    describe('usage renews at the period boundary (UTC)', () => {
      it('daily: spent out at 23:59, the member can generate again from 00:00 UTC', async () => {
        moveTo('2026-11-25T23:59:00Z');
        for (let i = 0; i < 3; i++) await spendDelivered();
        expect(refusalOf(await quota.reserve(request()))).toMatchObject({ kind: 'member_units', renewsAt: at('2026-11-26T00:00:00Z') });

        moveTo('2026-11-25T23:59:59.999Z');
        expect(refusalOf(await quota.reserve(request()))).toMatchObject({ kind: 'member_units' });

        moveTo('2026-11-26T00:00:00Z');
        expect(await quota.reserve(request())).toEqual({ ok: true, units: 1, left: 2, renewsAt: at('2026-11-27T00:00:00Z') });
        expect(await quota.standing(GUILD, ALICE, [])).toMatchObject({ used: 1, left: 2, period: { id: 'day:2026-11-26' } });
      });

      it('weekly: midnight does not renew, a Sunday 23:59 video counts in the old week, Monday 00:00 renews', async () => {
        await configure({ period: 'week' });
        await spendDelivered();
        moveTo('2026-11-26T09:00:00Z');
        await spendDelivered();
        moveTo('2026-11-29T23:59:00Z'); // Sunday
        await spendDelivered();

        const sunday = await quota.reserve(request());
        expect(refusalOf(sunday)).toMatchObject({ kind: 'member_units', left: 0, renewsAt: at('2026-11-30T00:00:00Z') });

        moveTo('2026-11-30T00:00:00Z'); // Monday
        expect(await quota.reserve(request())).toMatchObject({ ok: true, left: 2, renewsAt: at('2026-12-07T00:00:00Z') });
      });

      it('monthly: spent out mid-month stays spent until the 1st 00:00 UTC', async () => {
        await configure({ period: 'month' });
        for (let i = 0; i < 3; i++) await spendDelivered();
        moveTo('2026-11-26T00:00:00Z');
        expect(refusalOf(await quota.reserve(request()))).toMatchObject({ kind: 'member_units', renewsAt: at('2026-12-01T00:00:00Z') });

        moveTo('2026-11-30T23:59:59Z');
        expect(refusalOf(await quota.reserve(request()))).toMatchObject({ kind: 'member_units' });

        moveTo('2026-12-01T00:00:00Z');
        expect(await quota.reserve(request())).toMatchObject({ ok: true, left: 2, renewsAt: at('2027-01-01T00:00:00Z') });
      });

      it("the moderator's period setting decides which boundary applies", async () => {
        for (let i = 0; i < 3; i++) await spendDelivered();
        expect(refusalOf(await quota.reserve(request()))).toMatchObject({ renewsAt: at('2026-11-26T00:00:00Z') });

        await configure({ period: 'week' });
        const weekly = await quota.standing(GUILD, ALICE, []);
        expect(weekly.period).toMatchObject({ kind: 'week', start: at('2026-11-23T00:00:00Z'), end: at('2026-11-30T00:00:00Z') });

        for (let i = 0; i < 3; i++) await spendDelivered();
        moveTo('2026-11-26T00:00:00Z');
        expect(refusalOf(await quota.reserve(request()))).toMatchObject({ kind: 'member_units', renewsAt: at('2026-11-30T00:00:00Z') });

        await configure({ period: 'day' });
        expect(await quota.reserve(request())).toMatchObject({ ok: true, renewsAt: at('2026-11-27T00:00:00Z') });
      });
    });

    describe('whose allowance applies', () => {
      beforeEach(async () => {
        // No running/waiting limit here, so only units decide.
        await configure({
          memberDefault: 2,
          memberRunning: null,
          memberWaiting: null,
          roleUnits: { [ARTIST_ROLE]: 5, [PATRON_ROLE]: 8, [MUTED_ROLE]: 0, [STAFF_ROLE]: null },
          memberUnits: { [BOB]: 1, [DAVE]: 0 },
        });
      });

      it("the member's own setting wins over their roles", async () => {
        await reserveOk({ userId: BOB, roleIds: [PATRON_ROLE] });
        expect(refusalOf(await quota.reserve(request({ userId: BOB, roleIds: [PATRON_ROLE] })))).toMatchObject({
          kind: 'member_units',
          left: 0,
          rule: { kind: 'member' },
        });
      });

      it('otherwise the highest of their roles, even next to a blocking role', async () => {
        const roles = [ARTIST_ROLE, MUTED_ROLE, PATRON_ROLE];
        expect(await quota.standing(GUILD, ALICE, roles)).toMatchObject({
          allowance: 8,
          left: 8,
          rule: { kind: 'role', roleId: PATRON_ROLE },
        });
        for (let i = 0; i < 8; i++) await reserveOk({ roleIds: roles });
        expect(refusalOf(await quota.reserve(request({ roleIds: roles })))).toMatchObject({
          kind: 'member_units',
          rule: { kind: 'role', roleId: PATRON_ROLE },
        });
      });

      it('otherwise the server default set by the moderators', async () => {
        await reserveOk({ userId: CAROL, roleIds: ['1187216011000000000'] });
        await reserveOk({ userId: CAROL });
        expect(refusalOf(await quota.reserve(request({ userId: CAROL })))).toMatchObject({
          kind: 'member_units',
          rule: { kind: 'server' },
        });
      });

      it('a role with no limit means unlimited', async () => {
        const first = await quota.reserve(request({ roleIds: [ARTIST_ROLE, STAFF_ROLE], units: 2 }));
        expect(first).toMatchObject({ ok: true, left: null });
        for (let i = 0; i < 10; i++) await reserveOk({ roleIds: [STAFF_ROLE], units: 2 });
        expect(await quota.standing(GUILD, ALICE, [STAFF_ROLE])).toMatchObject({ allowance: null, left: null, used: 22 });
      });

      it('an allowance of 0 blocks, naming the rule that blocks', async () => {
        expect(await quota.reserve(request({ userId: DAVE, roleIds: [PATRON_ROLE] }))).toEqual({
          ok: false,
          refusal: { kind: 'blocked', rule: { kind: 'member' } },
        });
        expect(await quota.reserve(request({ userId: CAROL, roleIds: [MUTED_ROLE] }))).toEqual({
          ok: false,
          refusal: { kind: 'blocked', rule: { kind: 'role', roleId: MUTED_ROLE } },
        });
        expect((await quota.standing(GUILD, DAVE, [])).used).toBe(0);
      });
    });

    describe('grants and resets', () => {
      it('granted units add to this period only and are gone in the next', async () => {
        const afterGrant = await quota.grant(GUILD, ALICE, [], 2);
        expect(afterGrant).toMatchObject({ allowance: 3, granted: 2, used: 0, left: 5 });

        for (let i = 0; i < 5; i++) await spendDelivered();
        expect(refusalOf(await quota.reserve(request()))).toMatchObject({ kind: 'member_units', left: 0 });

        moveTo('2026-11-26T00:00:00Z');
        expect(await quota.standing(GUILD, ALICE, [])).toMatchObject({ granted: 0, used: 0, left: 3 });
        for (let i = 0; i < 3; i++) await spendDelivered();
        expect(refusalOf(await quota.reserve(request()))).toMatchObject({ kind: 'member_units', left: 0 });
      });

      it('a reset gives back what the member spent this period', async () => {
        for (let i = 0; i < 3; i++) await spendDelivered();
        expect(await quota.resetMember(GUILD, ALICE)).toBe(3);
        expect(await quota.standing(GUILD, ALICE, [])).toMatchObject({ left: 3 });
        for (let i = 0; i < 3; i++) await spendDelivered();
        expect(refusalOf(await quota.reserve(request()))).toMatchObject({ kind: 'member_units', left: 0 });

        expect(await quota.resetMember(GUILD, ALICE)).toBe(3);
        expect(await quota.resetMember(GUILD, ALICE)).toBe(0);
        expect((await quota.standing(GUILD, ALICE, [])).left).toBe(3);
      });

      it('two moderators pressing reset at once give back once', async () => {
        for (let i = 0; i < 3; i++) await spendDelivered();
        const given = await Promise.all([quota.resetMember(GUILD, ALICE), quota.resetMember(GUILD, ALICE)]);
        expect(given.sort()).toEqual([0, 3]);
        expect((await quota.standing(GUILD, ALICE, [])).left).toBe(3);
      });

      it('a member who spent nothing has nothing to reset', async () => {
        expect(await quota.resetMember(GUILD, BOB)).toBe(0);
        expect(await quota.standing(GUILD, BOB, [])).toMatchObject({ granted: 0, left: 3 });
      });

      // Grants are not earlier resets: a member granted 2 who spent all 5 gets all 5 back.
      it('a reset after a grant gives back everything spent, not just what exceeds the grant', async () => {
        await quota.grant(GUILD, ALICE, [], 2);
        for (let i = 0; i < 5; i++) await spendDelivered();

        expect(await quota.resetMember(GUILD, ALICE)).toBe(5);
        expect((await quota.standing(GUILD, ALICE, [])).left).toBe(5);
      });

      // Units still in progress are not given back by a reset: a failure refunds them, so they would be returned twice.
      it('a reset during generations that then fail does not give their units back twice', async () => {
        const tasks = [await reserveOk(), await reserveOk(), await reserveOk()];
        // In progress: nothing to give back yet (a failure refunds them, a success counts them).
        expect(await quota.resetMember(GUILD, ALICE)).toBe(0);
        for (const taskId of tasks) await quota.settle(taskId, true);

        expect((await quota.standing(GUILD, ALICE, [])).left).toBe(3);
      });
    });

    describe('refunds', () => {
      it('a generation that did not happen gives its units back and the member can generate again', async () => {
        const tasks = [await reserveOk(), await reserveOk(), await reserveOk()];
        expect(refusalOf(await quota.reserve(request()))).toMatchObject({ kind: 'member_units' });

        expect(await quota.settle(tasks[1] ?? '', true)).toBe(true);
        expect(await quota.standing(GUILD, ALICE, [])).toMatchObject({ used: 2, left: 1 });
        expect(await quota.reserve(request())).toMatchObject({ ok: true, left: 0 });
      });

      it('a delivered generation keeps its units spent but frees its running/waiting place', async () => {
        await configure({ memberDefault: 10 });
        const tasks = [await reserveOk(), await reserveOk(), await reserveOk()];
        expect(refusalOf(await quota.reserve(request()))).toEqual({ kind: 'active_limit', running: 1, waiting: 2 });

        expect(await quota.settle(tasks[0] ?? '', false)).toBe(true);
        expect(await quota.reserve(request())).toMatchObject({ ok: true, left: 6 });
        expect((await quota.standing(GUILD, ALICE, [])).used).toBe(4);
      });

      it('settling twice never refunds twice', async () => {
        const refunded = await reserveOk({ units: 2 });
        const delivered = await reserveOk();

        expect(await quota.settle(refunded, true)).toBe(true);
        expect(await quota.settle(refunded, true)).toBe(false);
        expect(await quota.settle(refunded, false)).toBe(false);
        expect(await quota.settle(delivered, false)).toBe(true);
        expect(await quota.settle(delivered, true)).toBe(false);

        expect(await quota.standing(GUILD, ALICE, [])).toMatchObject({ used: 1, left: 2 });
        expect((await quota.serverUsage(GUILD)).used).toBe(1);
      });

      it('refunds racing for one task give the units back once', async () => {
        const taskId = await reserveOk({ units: 2 });
        await reserveOk();
        const settled = await Promise.all(Array.from({ length: 5 }, () => quota.settle(taskId, true)));
        expect(settled.filter(Boolean)).toHaveLength(1);
        expect((await quota.standing(GUILD, ALICE, [])).used).toBe(1);
      });
    });

    describe('running and waiting limits', () => {
      it('with 1 running + 2 waiting, a fourth generation is refused even with units left', async () => {
        await configure({ memberDefault: 10 });
        for (let i = 0; i < 3; i++) await reserveOk();
        expect(await quota.reserve(request())).toEqual({ ok: false, refusal: { kind: 'active_limit', running: 1, waiting: 2 } });
        expect(await quota.standing(GUILD, ALICE, [])).toMatchObject({ used: 3, left: 7 });
        // Another member is not held up by Alice's queue.
        await reserveOk({ userId: BOB });
      });

      it('one generation per member runs at a time, and another member may run alongside', async () => {
        const first = await reserveOk();
        const second = await reserveOk();
        const bobs = await reserveOk({ userId: BOB });

        expect(await quota.tryStart({ id: first, guildId: GUILD, userId: ALICE })).toBe(true);
        expect(await quota.tryStart({ id: second, guildId: GUILD, userId: ALICE })).toBe(false);
        expect(await quota.tryStart({ id: bobs, guildId: GUILD, userId: BOB })).toBe(true);

        // Asking again for a task that already runs (a resumed tracker) neither fails nor takes a second slot.
        expect(await quota.tryStart({ id: first, guildId: GUILD, userId: ALICE })).toBe(true);
        expect(await quota.tryStart({ id: second, guildId: GUILD, userId: ALICE })).toBe(false);

        await quota.settle(first, false);
        expect(await quota.tryStart({ id: second, guildId: GUILD, userId: ALICE })).toBe(true);
      });

      it('a server-wide running limit of 1 makes the second member wait for the first', async () => {
        await configure({ serverRunning: 1 });
        const alices = await reserveOk();
        const bobs = await reserveOk({ userId: BOB });

        expect(await quota.tryStart({ id: alices, guildId: GUILD, userId: ALICE })).toBe(true);
        expect(await quota.tryStart({ id: bobs, guildId: GUILD, userId: BOB })).toBe(false);

        await quota.settle(alices, true);
        expect(await quota.tryStart({ id: bobs, guildId: GUILD, userId: BOB })).toBe(true);
      });

      it('twenty generations fired at once by one member give exactly 3 reservations', async () => {
        const outcomes = await Promise.all(Array.from({ length: 20 }, () => quota.reserve(request())));

        expect(outcomes.filter((o) => o.ok)).toHaveLength(3);
        const refusals = outcomes.flatMap((o) => ('refusal' in o ? [o.refusal.kind] : []));
        expect(refusals).toHaveLength(17);
        for (const kind of refusals) expect(['member_units', 'active_limit']).toContain(kind);
        expect(await quota.standing(GUILD, ALICE, [])).toMatchObject({ used: 3, left: 0 });
        expect((await quota.serverUsage(GUILD)).used).toBe(3);
        expect((await store.listReservations()).filter((r) => r.key.startsWith('units:'))).toHaveLength(3);
      });
    });

    describe('server budget and the bot-wide daily cap', () => {
      it("the server's budget refuses every member once spent, until the period renews", async () => {
        await configure({ serverUnits: 4 });
        for (let i = 0; i < 3; i++) await spendDelivered();
        await spendDelivered({ userId: BOB });

        expect(await quota.reserve(request({ userId: BOB }))).toEqual({
          ok: false,
          refusal: { kind: 'server_units', renewsAt: at('2026-11-26T00:00:00Z') },
        });
        expect(refusalOf(await quota.reserve(request({ userId: CAROL })))).toMatchObject({ kind: 'server_units' });
        // Other servers have their own budget.
        await reserveOk({ guildId: OTHER_GUILD, userId: CAROL });

        moveTo('2026-11-26T00:00:00Z');
        await reserveOk({ userId: CAROL });
      });

      it('the global daily cap refuses across servers and renews at 00:00 UTC whatever their period', async () => {
        const capped = serviceWith({ globalUnitsPerDay: 4 });
        await capped.updateSettings(OTHER_GUILD, (s) => ({ ...s, period: 'month' }));
        for (let i = 0; i < 3; i++) await spendDelivered({}, capped);
        await spendDelivered({ guildId: OTHER_GUILD, userId: BOB }, capped);

        expect(await capped.reserve(request({ guildId: OTHER_GUILD, userId: BOB }))).toEqual({
          ok: false,
          refusal: { kind: 'global_units', renewsAt: at('2026-11-26T00:00:00Z') },
        });
        expect(refusalOf(await capped.reserve(request({ userId: CAROL })))).toMatchObject({ kind: 'global_units' });

        moveTo('2026-11-26T00:00:00Z');
        expect(await capped.reserve(request({ guildId: OTHER_GUILD, userId: BOB }))).toMatchObject({
          ok: true,
          left: 1,
          renewsAt: at('2026-12-01T00:00:00Z'),
        });
      });
    });

    describe("the operator's ledger", () => {
      it('a failure after the provider may have charged refunds the member but keeps the unit on the operator', async () => {
        const capped = serviceWith({ globalUnitsPerDay: 1 });
        const taskId = await reserveOk({}, capped);
        expect(await capped.settle(taskId, true, false)).toBe(true);
        expect(await capped.standing(GUILD, ALICE, [])).toMatchObject({ used: 0, left: 3 });
        expect(await capped.reserve(request({ userId: BOB }))).toEqual({
          ok: false,
          refusal: { kind: 'global_units', renewsAt: at('2026-11-26T00:00:00Z') },
        });
        // The refused reservation held nothing of Bob's.
        expect(await capped.standing(GUILD, BOB, [])).toMatchObject({ used: 0, left: 3 });
      });

      it('a submission the provider provably refused gives the operator its unit back', async () => {
        const capped = serviceWith({ globalUnitsPerDay: 1 });
        expect(await capped.settle(await reserveOk({}, capped), true, true)).toBe(true);
        await reserveOk({ userId: BOB }, capped);
      });

      it('after a crash, reconciling a failed task keeps the operator unit when the provider may have charged', async () => {
        const capped = serviceWith({ globalUnitsPerDay: 1 });
        const taskId = await reserveOk({}, capped);
        clock.advance(5 * 60_000);
        expect(await capped.reconcile(async () => ({ final: true, refund: true, operatorRefund: false }))).toBeGreaterThan(0);
        expect(await capped.standing(GUILD, ALICE, [])).toMatchObject({ used: 0 });
        expect(refusalOf(await capped.reserve(request({ userId: BOB })))).toMatchObject({ kind: 'global_units' });
        expect(await capped.settle(taskId, true, true)).toBe(false);
      });
    });

    describe("the operator's ceiling per server", () => {
      it('no server spends more than the ceiling a day, whatever its moderators set', async () => {
        const ceiling = serviceWith({ serverMaxUnitsPerDay: 2 });
        await ceiling.updateSettings(GUILD, (s) => ({ ...s, serverUnits: null, memberDefault: null, period: 'month' }));
        await spendDelivered({}, ceiling);
        await spendDelivered({ userId: BOB }, ceiling);
        expect(await ceiling.reserve(request({ userId: CAROL }))).toEqual({
          ok: false,
          refusal: { kind: 'server_ceiling', units: 2, renewsAt: at('2026-11-26T00:00:00Z') },
        });
        // Another server has its own ceiling, and the day renews it.
        await reserveOk({ guildId: OTHER_GUILD, userId: CAROL }, ceiling);
        moveTo('2026-11-26T00:00:00Z');
        await reserveOk({ userId: CAROL }, ceiling);
      });

      it('a refunded generation does not count against the ceiling', async () => {
        const ceiling = serviceWith({ serverMaxUnitsPerDay: 1 });
        expect(await ceiling.settle(await reserveOk({}, ceiling), true)).toBe(true);
        await reserveOk({ userId: BOB }, ceiling);
      });
    });

    describe('channels and the provider pause', () => {
      it('outside the allowed channels a generation is refused with the list of channels', async () => {
        await configure({ allowedChannels: [ANIMATE_CHANNEL, SHOWCASE_CHANNEL] });
        expect(await quota.reserve(request({ channelId: GENERAL_CHANNEL }))).toEqual({
          ok: false,
          refusal: { kind: 'channel', allowedChannels: [ANIMATE_CHANNEL, SHOWCASE_CHANNEL] },
        });
        await reserveOk({ channelId: SHOWCASE_CHANNEL });
        expect((await quota.standing(GUILD, ALICE, [])).used).toBe(1);
      });

      it('only the first out-of-credit report starts a pause, and nobody can reserve while it lasts', async () => {
        // The pause's claim expires on the store's real clock (10 min); the service compares its end with the
        // injected clock. So this test starts one pause only and moves the manual clock past its end.
        const started = await Promise.all([quota.pauseSubmissions(), quota.pauseSubmissions(), quota.pauseSubmissions()]);
        expect(started.filter(Boolean)).toHaveLength(1);
        expect(await quota.pauseSubmissions()).toBe(false);

        const until = at(WEDNESDAY) + 10 * 60_000;
        expect(await quota.pausedUntil()).toBe(until);
        expect(await quota.reserve(request())).toEqual({ ok: false, refusal: { kind: 'paused', until } });
        expect(refusalOf(await quota.reserve(request({ guildId: OTHER_GUILD, userId: BOB })))).toMatchObject({ kind: 'paused' });
        expect((await quota.standing(GUILD, ALICE, [])).used).toBe(0);

        clock.advance(10 * 60_000 - 1);
        expect(refusalOf(await quota.reserve(request()))).toMatchObject({ kind: 'paused' });
        clock.advance(1);
        expect(await quota.pausedUntil()).toBeUndefined();
        await reserveOk();
      });
    });

    describe('reconciling after a crash', () => {
      /** How long an unrecorded reservation may still be a request in flight: longer when other processes share the store. */
      const orphanAfterMs = () => (store.sharedAcrossProcesses ? 2 * 60_000 : 30_000);

      it('refunds failed tasks, keeps delivered ones, leaves open ones, and waits before refunding unrecorded ones', async () => {
        const failed = await reserveOk({ userId: ALICE, units: 2 });
        const delivered = await reserveOk({ userId: BOB });
        const open = await reserveOk({ userId: CAROL });
        const neverRecorded = await reserveOk({ userId: DAVE });
        for (const [id, userId] of [
          [failed, ALICE],
          [delivered, BOB],
          [open, CAROL],
        ] as const) {
          expect(await quota.tryStart({ id, guildId: GUILD, userId })).toBe(true);
        }
        const states = new Map([
          [failed, { final: true, refund: true, operatorRefund: true }],
          [delivered, { final: true, refund: false, operatorRefund: false }],
          [open, { final: false, refund: false, operatorRefund: false }],
        ]);
        const taskState = async (taskId: string) => states.get(taskId);

        clock.advance(orphanAfterMs() - 1);
        // Units, operator's spend and slot of the failed and the delivered task.
        expect(await quota.reconcile(taskState)).toBe(6);
        const left = (await store.listReservations()).map((r) => r.key).sort();
        expect(left).toEqual([`slot:${open}`, `units:${neverRecorded}`, `spend:${neverRecorded}`, `units:${open}`, `spend:${open}`].sort());

        expect(await quota.standing(GUILD, ALICE, [])).toMatchObject({ used: 0, left: 3 });
        expect(await quota.standing(GUILD, BOB, [])).toMatchObject({ used: 1, left: 2 });
        expect(await quota.standing(GUILD, CAROL, [])).toMatchObject({ used: 1 });
        expect(await quota.standing(GUILD, DAVE, [])).toMatchObject({ used: 1 });
        // Bob's generation is over: he may start another at once.
        const next = await reserveOk({ userId: BOB });
        expect(await quota.tryStart({ id: next, guildId: GUILD, userId: BOB })).toBe(true);
        // Carol's is still running.
        const carolsNext = await reserveOk({ userId: CAROL });
        expect(await quota.tryStart({ id: carolsNext, guildId: GUILD, userId: CAROL })).toBe(false);

        clock.advance(1);
        expect(await quota.reconcile(taskState)).toBe(2);
        expect(await quota.standing(GUILD, DAVE, [])).toMatchObject({ used: 0, left: 3 });
        expect(await quota.standing(GUILD, CAROL, [])).toMatchObject({ used: 2 });
        expect(await quota.reconcile(taskState)).toBe(0);
      });

      const noTask = async () => undefined;
      const replyHandle = { reply: { applicationId: '1', token: 'interaction-token', createdAt: at(WEDNESDAY) }, locale: 'de' };

      it('refunds an unrecorded request on both ledgers and hands it back once, with what the caller stored to answer the member', async () => {
        const taskId = await reserveOk({ userId: DAVE, units: 2, caller: replyHandle });
        const day = 'day:2026-11-25';
        expect(await store.counter(`used:global:${day}`)).toBe(2);
        const orphans: RefundedOrphan[] = [];
        const onOrphan = async (orphan: RefundedOrphan) => {
          orphans.push(orphan);
        };

        clock.advance(orphanAfterMs() - 1);
        expect(await quota.reconcile(noTask, onOrphan)).toBe(0);
        expect(orphans).toEqual([]);

        clock.advance(1);
        expect(await quota.reconcile(noTask, onOrphan)).toBe(2);
        expect(orphans).toEqual([{ taskId, guildId: GUILD, userId: DAVE, units: 2, caller: replyHandle }]);
        expect(await quota.standing(GUILD, DAVE, [])).toMatchObject({ used: 0, left: 3 });
        // Nothing reached the provider: the operator's spend comes back too.
        expect(await store.counter(`used:global:${day}`)).toBe(0);
        expect(await store.listReservations()).toEqual([]);

        // Told once: a later reconcile, and a second process reconciling the same store, find nothing.
        expect(await quota.reconcile(noTask, onOrphan)).toBe(0);
        expect(await serviceWith({}).reconcile(noTask, onOrphan)).toBe(0);
        expect(orphans).toHaveLength(1);
        expect(await quota.settle(taskId, true, true)).toBe(false);
      });

      it('two processes reconciling the same orphan at once: one refund, one telling', async () => {
        await reserveOk({ userId: DAVE, caller: replyHandle });
        clock.advance(2 * 60_000);
        const orphans: RefundedOrphan[] = [];
        const onOrphan = async (orphan: RefundedOrphan) => {
          orphans.push(orphan);
        };
        await Promise.all([quota.reconcile(noTask, onOrphan), serviceWith({}).reconcile(noTask, onOrphan)]);
        expect(orphans).toHaveLength(1);
        expect(await quota.standing(GUILD, DAVE, [])).toMatchObject({ used: 0 });
      });

      it('after a restart, a reservation the previous process left is refunded at the first reconcile when no other process shares the store', async () => {
        const taskId = await reserveOk({ userId: DAVE, caller: replyHandle });
        clock.advance(1_000);
        // The killed process's reservation, seen by the process started after it.
        const restarted = serviceWith({});
        const orphans: RefundedOrphan[] = [];
        await restarted.reconcile(noTask, async (orphan) => {
          orphans.push(orphan);
        });
        if (store.sharedAcrossProcesses) {
          // Another process may be between its reserve and its record right now: wait, as for any other.
          expect(orphans).toEqual([]);
          clock.advance(orphanAfterMs());
          await restarted.reconcile(noTask, async (orphan) => {
            orphans.push(orphan);
          });
        }
        expect(orphans.map((o) => o.taskId)).toEqual([taskId]);
        // A request this process itself is making is never taken for an orphan before its time.
        await reserveOk({ userId: BOB }, restarted);
        clock.advance(orphanAfterMs() - 1);
        expect(await restarted.reconcile(noTask, async (orphan) => void orphans.push(orphan))).toBe(0);
        expect(orphans).toHaveLength(1);
      });
    });

    describe('reports', () => {
      it("the server's usage shows this period's spend and the top members, biggest first", async () => {
        for (let i = 0; i < 3; i++) await spendDelivered({ userId: ALICE });
        await spendDelivered({ userId: BOB });
        await spendDelivered({ userId: CAROL, units: 2 });
        const refunded = await reserveOk({ userId: DAVE });
        await quota.settle(refunded, true);

        const usage = await quota.serverUsage(GUILD);
        expect(usage).toMatchObject({ used: 6, budget: 30, period: { id: 'day:2026-11-25', end: at('2026-11-26T00:00:00Z') } });
        expect(usage.topMembers).toEqual([
          { userId: ALICE, used: 3 },
          { userId: CAROL, used: 2 },
          { userId: BOB, used: 1 },
        ]);
        expect((await quota.serverUsage(GUILD, 2)).topMembers.map((m) => m.userId)).toEqual([ALICE, CAROL]);
        expect((await quota.serverUsage(OTHER_GUILD)).used).toBe(0);

        moveTo('2026-11-26T00:00:00Z');
        expect(await quota.serverUsage(GUILD)).toMatchObject({ used: 0, topMembers: [], period: { id: 'day:2026-11-26' } });
      });

      it("a member's standing says what is left, which rule applies and what was granted", async () => {
        await configure({ roleUnits: { [ARTIST_ROLE]: 6 } });
        await quota.grant(GUILD, ALICE, [], 2);
        await spendDelivered({ roleIds: [ARTIST_ROLE], units: 2 });

        expect(await quota.standing(GUILD, ALICE, [ARTIST_ROLE])).toEqual({
          allowance: 6,
          rule: { kind: 'role', roleId: ARTIST_ROLE },
          used: 2,
          granted: 2,
          left: 6,
          period: { kind: 'day', id: 'day:2026-11-25', start: at('2026-11-25T00:00:00Z'), end: at('2026-11-26T00:00:00Z') },
        });
        expect(await quota.standing(GUILD, BOB, [])).toMatchObject({
          allowance: 3,
          rule: { kind: 'server' },
          used: 0,
          granted: 0,
          left: 3,
        });
      });
    });
  });
}
