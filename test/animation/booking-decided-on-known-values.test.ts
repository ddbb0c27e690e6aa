import { describe, afterEach, beforeEach, expect, it } from 'vitest';
import { withDefaults } from '../../src/animation/member-defaults.ts';
import { MemberSettings } from '../../src/animation/member-settings.ts';
import { AnimationRequests, type AnimationRequest } from '../../src/animation/request-animation.ts';
import { silentLogger } from '../../src/logger.ts';
import { QuotaService } from '../../src/quota/quota-service.ts';
import type { QuotaDefaults } from '../../src/quota/quota-settings.ts';
import type { Store } from '../../src/store/store.ts';
import type { NewTask } from '../../src/tasks/task-tracker.ts';
import { ManualClock } from '../support/manual-clock.ts';
import { countStoreReads } from '../support/store-reads.ts';
import { backendTitle, storeBackends } from '../store/store-backends.ts';

/** This file's own Redis database. */
const REDIS_DB = 10;
const GUILD = '1187203491855130624';
const CHANNEL = '1187203492404584458';

const DEFAULTS: QuotaDefaults = {
  period: 'day',
  memberUnits: 6,
  serverUnits: null,
  memberRunning: null,
  memberWaiting: null,
  globalUnitsPerDay: null,
  serverMaxUnitsPerDay: null,
};

/**
 * One bot process: its quota, the members' defaults and the requests, on a store another process may share. What a
 * booking is decided on (the provider pause, the server's settings, the member's defaults) is read once and then
 * checked by each booking, not read again before it: on Redis that read was a round trip every member of a burst
 * waited for before their deferral.
 */
function botProcess(store: Store, clock: ManualClock) {
  const quota = new QuotaService({ store, defaults: DEFAULTS, clock, logger: silentLogger });
  const memberSettings = new MemberSettings(store);
  const accepted: { id: string; task: NewTask }[] = [];
  let next = 0;
  const tasks = {
    newTaskId: () => `task-${String(next++)}-${String(Math.random()).slice(2, 8)}`,
    accept: async (id: string, task: NewTask) => void accepted.push({ id, task }),
  };
  const requests = new AnimationRequests({ quota, tasks, clock, memberDefaults: memberSettings });
  const request = (userId: string, given: { duration?: '5' | '10' } = {}): AnimationRequest => ({
    requester: { userId, guildId: GUILD, channelId: CHANNEL, roleIds: [] },
    locale: 'en-US',
    reply: { id: `reply-${userId}`, applicationId: 'app', token: 'tok', createdAt: clock.now(), attachmentSizeLimit: 10 },
    options: (defaults) => withDefaults({ prompt: 'waves', ...given }, defaults),
    image: { url: 'https://cdn/p.png', filename: 'p.png' },
    acknowledge: async () => undefined,
  });
  return { quota, memberSettings, requests, request, accepted };
}

for (const backend of storeBackends(REDIS_DB)) {
  describe.skipIf(backend.skipReason !== undefined)(backendTitle(backend, 'a booking decided on what was last read'), () => {
    let store: Store;
    let clock: ManualClock;
    /** Every Keyv value read from the store, by key, from the moment it is set. */
    let reads: Map<string, number>;

    beforeEach(async () => {
      store = await (await backend.empty())();
      clock = new ManualClock(Date.parse('2026-11-25T10:00:00.000Z'));
      reads = countStoreReads(store);
    });

    afterEach(async () => {
      await store.close();
      await backend.dispose();
    });

    it('books a burst from members without defaults, in a server booked in before, with no read before the bookings', async () => {
      const bot = botProcess(store, clock);
      expect(await bot.requests.request(bot.request('member-0'))).toMatchObject({ kind: 'accepted', units: 1 });
      reads.clear();

      const outcomes = await Promise.all(
        Array.from({ length: 20 }, (_, i) => bot.requests.request(bot.request(`member-${String(i + 1)}`))),
      );

      expect(outcomes.every((o) => o.kind === 'accepted')).toBe(true);
      expect([...reads.keys()]).toEqual([]);
      expect(bot.accepted.map((a) => a.task.options.duration)).toEqual(Array<string>(21).fill('5'));
    });

    it("books on a member's defaults set in another process, read once the booking finds them changed", async () => {
      const bot = botProcess(store, clock);
      const other = botProcess(store, clock);
      await other.memberSettings.change({ guildId: GUILD, userId: 'alice' }, { duration: '10', cfgScale: 0.8 });

      expect(await bot.requests.request(bot.request('alice'))).toMatchObject({ kind: 'accepted', units: 2 });
      expect(bot.accepted[0]?.task.options).toEqual({ prompt: 'waves', duration: '10', cfgScale: 0.8 });
      // What she types still wins over her defaults; known now, they are not read again.
      reads.clear();
      expect(await bot.requests.request(bot.request('alice', { duration: '5' }))).toMatchObject({ kind: 'accepted', units: 1 });
      expect(reads.get(`member-defaults:${GUILD}:alice`)).toBeUndefined();

      // Reset there: the next booking here finds it, and uses the bot's defaults.
      await other.memberSettings.reset({ guildId: GUILD, userId: 'alice' });
      expect(await bot.requests.request(bot.request('alice'))).toMatchObject({ kind: 'accepted', units: 1 });
      expect(bot.accepted[2]?.task.options).toEqual({ prompt: 'waves', duration: '5', cfgScale: 0.5 });
    });

    it("never books on a moderator's change or a pause made in another process since it was read, nor refuses on an old one", async () => {
      const bot = botProcess(store, clock);
      const other = botProcess(store, clock);
      expect(await bot.requests.request(bot.request('alice'))).toMatchObject({ kind: 'accepted' });

      await other.quota.updateSettings(GUILD, (s) => ({ ...s, memberDefault: 0 }));
      expect(await bot.requests.request(bot.request('bob'))).toMatchObject({ kind: 'refused', refusal: { kind: 'blocked' } });

      await other.quota.updateSettings(GUILD, (s) => ({ ...s, memberDefault: 4 }));
      expect(await bot.requests.request(bot.request('bob'))).toMatchObject({ kind: 'accepted' });

      await other.quota.pauseSubmissions();
      expect(await bot.requests.request(bot.request('carol'))).toMatchObject({ kind: 'refused', refusal: { kind: 'paused' } });
      expect(bot.accepted.map((a) => a.task.requester.userId)).toEqual(['alice', 'bob']);
    });
  });
}
