/**
 * Two real bot processes on one real Redis, one of which dies or stalls mid-task (issue "Nothing lost",
 * finding 7). The processes run with leases of 3 s (renewed every second, looked for every second) instead
 * of 30 s, so a takeover is seen in seconds; the code paths are the production ones.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.ts';
import { RedisStore } from '../../src/store/redis-store.ts';
import { TaskStore } from '../../src/tasks/task-store.ts';
import { BotHarness } from '../support/bot-harness.ts';
import { BotProcess } from '../support/bot-process.ts';
import type { RecordedRequest } from '../support/discord-stand-in.ts';
import { makePng } from '../support/image-fixtures.ts';
import { flushRedisDatabase } from '../support/redis-server.ts';
import { redisDatabaseUrl, redisSkipReason } from '../store/store-backends.ts';

const REDIS_DB = 13;
const MEMBER = '760000000000000002';
const ENTRY = 'test/support/short-lease-bot.ts';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(redisSkipReason !== undefined)(
  `a task taken over by a second process on one Redis${redisSkipReason ? ` (skipped: ${redisSkipReason})` : ''}`,
  () => {
    let h: BotHarness;
    let a: BotProcess;
    let b: BotProcess;

    beforeEach(async () => {
      await flushRedisDatabase(redisDatabaseUrl(REDIS_DB));
      h = await BotHarness.start({ env: { STORE_URL: redisDatabaseUrl(REDIS_DB) } });
      // A connects first, so it is gateway session 0 and gets the command.
      a = BotProcess.start(ENTRY, h.env());
      await h.discord.waitForIdentify(20_000, 1);
      b = BotProcess.start(ENTRY, h.env());
      await h.discord.waitForIdentify(20_000, 2);
    });

    afterEach(async () => {
      if (a.child.exitCode === null && a.child.signalCode === null) a.kill('SIGCONT');
      await Promise.all([a.dispose(), b.dispose()]);
      await h.stop();
    });

    /** One /animate, sent to process A; resolves with the interaction's token. */
    function animate(): string {
      const picture = makePng(400, 400);
      const url = h.discord.hostAttachment('takeover.png', picture, 'image/png');
      return h.discord.dispatchCommand({
        commandName: 'animate',
        userId: MEMBER,
        session: 0,
        options: [
          { name: 'image', type: 11, value: '1' },
          { name: 'prompt', type: 3, value: 'the tide comes in' },
        ],
        attachments: [{ id: '1', filename: 'takeover.png', size: picture.length, url, proxy_url: url, content_type: 'image/png' }],
      }).token;
    }

    const editsOf = (token: string) => (r: RecordedRequest) => r.method === 'PATCH' && r.path.includes(token);

    async function storedTask() {
      const store = await RedisStore.open(redisDatabaseUrl(REDIS_DB));
      try {
        const tasks = new TaskStore(store, silentLogger);
        const records = await tasks.recentOfMember(h.discord.guildId, MEMBER, 10);
        return { open: await tasks.listOpen(), records };
      } finally {
        await store.close();
      }
    }

    it('a process killed mid-task: the other takes the task over once its lease lapses, and delivers it once', async () => {
      // Long enough to be polled by A, killed, and polled on by B.
      h.video.nextTask({ runMs: 6_000, etaSeconds: 1 });
      const token = animate();
      await h.video.waitForSubmission(15_000);
      // A has polled once: the task is on A's schedule, mid-generation.
      while (h.video.polls.length === 0) await sleep(50);
      a.kill('SIGKILL');
      await a.exited;

      const delivered = await h.discord.waitForRequest((r) => editsOf(token)(r) && r.files.length > 0, 45_000);
      expect(delivered.files).toHaveLength(1);
      expect(h.video.submissions).toHaveLength(1);
      expect(b.stdout).toContain('resuming task');
      // Nothing more: one delivery, whichever process made it.
      await sleep(2_000);
      expect(h.discord.requests.filter((r) => editsOf(token)(r) && r.files.length > 0)).toHaveLength(1);
      const { open, records } = await storedTask();
      expect(open).toEqual([]);
      expect(records).toEqual([expect.objectContaining({ state: 'delivered' })]);
    }, 90_000);

    it("a process stalled past its lease during a submission: one submission, one answer to the member, and the stalled process's late write is refused", async () => {
      // The provider takes the submission at once but answers only 8 s later.
      h.video.delaySubmit(8_000);
      const token = animate();
      await h.video.waitForSubmission(15_000);
      // A freezes (as a paused VM or a long GC would) with its submission out: its lease is no longer renewed.
      a.kill('SIGSTOP');

      const told = await h.discord.waitForRequest(
        (r) => editsOf(token)(r) && JSON.stringify(r.body).includes('charging you twice'),
        30_000,
      );
      expect(told.files).toEqual([]);
      const failed = await storedTask();
      expect(failed.records).toEqual([expect.objectContaining({ state: 'failed', failure: { kind: 'submit_unknown' } })]);

      // A wakes up; the provider's answer reaches it, and its write of `queued` loses to the failed record.
      a.kill('SIGCONT');
      const deadline = Date.now() + 30_000;
      while (!a.stdout.includes('following the stored record') && Date.now() < deadline) {
        await sleep(100);
      }
      expect(a.stdout).toContain('following the stored record');
      await sleep(2_000);

      expect(h.video.submissions).toHaveLength(1);
      expect(h.video.polls).toEqual([]);
      expect(h.discord.requests.filter((r) => editsOf(token)(r) && r.files.length > 0)).toEqual([]);
      expect(h.discord.requests.filter((r) => editsOf(token)(r) && JSON.stringify(r.body).includes('charging you twice'))).toHaveLength(1);
      expect((await storedTask()).records).toEqual(failed.records);
    }, 90_000);
  },
);
