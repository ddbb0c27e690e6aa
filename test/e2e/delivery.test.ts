/**
 * Delivery when the easy path is gone: the interaction token expired, the reply was deleted, the channel is
 * closed to the bot, Discord is failing, or the bot died mid-submission. The real bot runs against the
 * stand-ins; every assertion is on what Discord or the provider actually received.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { deliveryNonce } from '../../src/discord/discord-replies.ts';
import { openStore } from '../../src/store/open-store.ts';
import { silentLogger } from '../../src/logger.ts';
import type { TaskRecord } from '../../src/tasks/task-record.ts';
import { TaskStore } from '../../src/tasks/task-store.ts';
import { BotHarness } from '../support/bot-harness.ts';
import { BotProcess } from '../support/bot-process.ts';
import type { DiscordStandInOptions, RecordedRequest } from '../support/discord-stand-in.ts';
import { contentOf, dispatchAnimate, expiredDuringGeneration, until } from '../support/e2e-requests.ts';
import { makePng } from '../support/image-fixtures.ts';

const SAMPLE_MP4 = readFileSync(new URL('../fixtures/sample.mp4', import.meta.url));

// Discord permission bits (https://discord.com/developers/docs/topics/permissions).
const VIEW_CHANNEL = 1n << 10n;
const SEND_MESSAGES = 1n << 11n;
const EMBED_LINKS = 1n << 14n;
const ATTACH_FILES = 1n << 15n;
const READ_MESSAGE_HISTORY = 1n << 16n;

const OTHER_MEMBER = '740000000000000001';

describe('delivery edge cases end to end', () => {
  let h: BotHarness;
  const processes: BotProcess[] = [];

  afterEach(async () => {
    await Promise.all(processes.splice(0).map((p) => p.dispose()));
    await h.stop();
  });

  async function start(discord: DiscordStandInOptions = {}) {
    h = await BotHarness.start({ discord });
    await h.startBot();
  }

  function animate(input: { prompt?: string; userId?: string; picture?: Buffer; host?: string } = {}) {
    return dispatchAnimate(h.discord, input);
  }

  /** Stops the in-process bot and reads a task's record as it was left in the store. */
  async function storedTask(taskId: string): Promise<TaskRecord | undefined> {
    await h.app?.stop();
    h.app = undefined;
    const store = await openStore(`sqlite://${join(h.dir, 'animate.sqlite')}`);
    try {
      return await new TaskStore(store, silentLogger).get(taskId);
    } finally {
      await store.close();
    }
  }

  /** Logged messages of the in-process bot, parsed. */
  const logRecords = () => h.logs.map((line) => JSON.parse(line) as { msg: string; taskId?: string; level: string });
  const waitForLog = (msg: string, timeoutMs = 8_000) => until(() => logRecords().some((r) => r.msg === msg), timeoutMs, `log "${msg}"`);

  const channelPosts = () =>
    h.discord.requests.filter((r) => r.method === 'POST' && r.path === `/channels/${h.discord.channelId}/messages`);
  /** Requests Discord accepted that carried a file: each one is a video the member can see. */
  const acceptedUploads = () => h.discord.requests.filter((r) => r.files.length > 0 && r.status !== undefined && r.status < 300);

  /** The channel message of a late delivery: pings exactly the member, carries the mp4, and is the only delivery. */
  async function expectDeliveredInChannel(memberId: string): Promise<RecordedRequest> {
    const post = await h.discord.waitForRequest(
      (r) => r.method === 'POST' && r.path === `/channels/${h.discord.channelId}/messages` && r.status === 200,
      8_000,
    );
    await waitForLog('task delivered');
    const content = contentOf(post);
    expect(content.startsWith(`<@${memberId}> `)).toBe(true);
    expect(content).toContain('Here is your video');
    expect((post.body as { allowed_mentions?: unknown }).allowed_mentions).toEqual({ parse: [], users: [memberId] });
    // A retry within minutes gets this message back instead of posting a second one.
    const taskId = logRecords().find((r) => r.msg === 'task delivered')?.taskId ?? '';
    expect(post.body).toMatchObject({ nonce: deliveryNonce(taskId), enforce_nonce: true });
    expect(post.files).toHaveLength(1);
    expect(post.files[0]?.filename).toMatch(/\.mp4$/);
    expect(Buffer.compare(post.files[0]?.data ?? Buffer.alloc(0), SAMPLE_MP4)).toBe(0);

    expect(channelPosts()).toHaveLength(1);
    expect(acceptedUploads()).toEqual([post]);
    const inChannel = h.discord.messagesIn(h.discord.channelId).filter((m) => m.attachments.length > 0);
    expect(inChannel).toHaveLength(1);
    expect(h.video.submissions).toHaveLength(1);
    return post;
  }

  it('posts the video in the channel, pinging only the member, when the token expired during the generation', async () => {
    await start();
    const token = await expiredDuringGeneration(h, animate);

    await expectDeliveredInChannel(h.discord.memberUserId);
    // The bot did try the reply first (a progress edit or the final one) and was refused with 50027.
    const refusedEdit = h.discord.requests.find((r) => r.method === 'PATCH' && r.path.includes(token) && r.status === 401);
    expect(refusedEdit).toBeDefined();
  });

  it('treats a webhook 401 50027 on the final edit like an expired token', async () => {
    await start();
    const { token } = animate();
    // Only the final edit carries the file; the video is downloaded just before it.
    h.discord.failNext(
      (r) => r.method === 'PATCH' && r.path.includes(token) && r.path.endsWith('/@original') && h.video.videoDownloads > 0,
      { status: 401, code: 50027, message: 'Invalid Webhook Token' },
    );
    await expectDeliveredInChannel(h.discord.memberUserId);
  });

  it('posts the video in the channel when the member deleted the reply', async () => {
    await start();
    h.video.nextTask({ pollsBeforeDone: 3, etaSeconds: 1 });
    const submitted = h.video.waitForSubmission(8_000);
    const { token } = animate();
    await submitted;
    const original = h.discord.originalMessage(token);
    expect(original).toBeDefined();
    h.discord.deleteMessage(original?.id ?? '');

    await expectDeliveredInChannel(h.discord.memberUserId);
    // Once an edit finds the reply gone, the bot stops editing it: one refused edit, then the channel.
    const refusedEdits = h.discord.requests.filter((r) => r.method === 'PATCH' && r.path.includes(token) && r.status === 404);
    expect(refusedEdits).toHaveLength(1);
  });

  it('keeps the id of the message it posted in the channel on the task record', async () => {
    await start();
    await expiredDuringGeneration(h, animate);

    await expectDeliveredInChannel(h.discord.memberUserId);
    const message = h.discord.messagesIn(h.discord.channelId).find((m) => m.attachments.length > 0);
    const taskId = logRecords().find((r) => r.msg === 'task delivered')?.taskId ?? '';
    expect(await storedTask(taskId)).toMatchObject({
      state: 'delivered',
      delivery: { channelId: h.discord.channelId, messageId: message?.id },
    });
  });

  it('when the answer to the channel post is lost, the retry gets back the message already made: one video, one message', async () => {
    await start();
    await expiredDuringGeneration(h, animate);
    // The message is made, but four 500s in a row outlast discord.js's own retries: the bot cannot tell it
    // worked, and the tracker tries the delivery again later.
    h.discord.loseNextAnswer(
      (r) => r.method === 'POST' && r.path === `/channels/${h.discord.channelId}/messages`,
      { status: 500, code: 0, message: '500: Internal Server Error' },
      4,
    );

    await waitForLog('task delivered', 15_000);
    const attempts = channelPosts();
    expect(attempts.map((r) => r.status)).toEqual([500, 500, 500, 500, 200]);
    expect(new Set(attempts.map((r) => (r.body as { nonce?: string }).nonce)).size).toBe(1);
    const inChannel = h.discord.messagesIn(h.discord.channelId).filter((m) => m.attachments.length > 0);
    expect(inChannel).toHaveLength(1);
    expect(logRecords().some((r) => r.msg === 'delivery failed, will retry')).toBe(true);
    const taskId = logRecords().find((r) => r.msg === 'task delivered')?.taskId ?? '';
    expect((await storedTask(taskId))?.delivery?.messageId).toBe(inChannel[0]?.id);
  }, 20_000);

  it('lacking Send Messages: the video arrives as a direct message, with the file, naming the channel', async () => {
    await start({ botPermissions: (VIEW_CHANNEL | EMBED_LINKS | ATTACH_FILES | READ_MESSAGE_HISTORY).toString() });
    h.video.nextTask({ pollsBeforeDone: 2, etaSeconds: 1 });
    const submitted = h.video.waitForSubmission(8_000);
    const { token } = animate();
    await submitted;
    h.discord.expireInteraction(token);

    await waitForLog('task delivered');
    const dm = h.discord.directChannelOf(h.discord.memberUserId) ?? '';
    const direct = h.discord.requests.filter((r) => r.method === 'POST' && r.path === `/channels/${dm}/messages`);
    expect(direct.map((r) => r.status)).toEqual([200]);
    expect(contentOf(direct[0] as RecordedRequest)).toContain('Here is your video');
    expect(contentOf(direct[0] as RecordedRequest)).toContain(`can't post in <#${h.discord.channelId}>`);
    expect(Buffer.compare(direct[0]?.files[0]?.data ?? Buffer.alloc(0), SAMPLE_MP4)).toBe(0);
    // The channel refused the file and then its link; nothing was posted there.
    expect(channelPosts().map((r) => r.status)).toEqual([403, 403]);
    expect(h.discord.messagesIn(h.discord.channelId).filter((m) => m.attachments.length > 0)).toEqual([]);
    const taskId = logRecords().find((r) => r.msg === 'task delivered')?.taskId ?? '';
    expect((await storedTask(taskId))?.delivery).toEqual({ channelId: dm, messageId: h.discord.messagesIn(dm)[0]?.id });
  });

  describe('when the bot may not post in the channel, the member refuses direct messages and the token has expired', () => {
    const cases = [
      // Discord's 50013 does not say which permission is missing: the link is tried too.
      { lacks: 'Send Messages', permissions: VIEW_CHANNEL | EMBED_LINKS | ATTACH_FILES | READ_MESSAGE_HISTORY, channel: [403, 403] },
      { lacks: 'View Channel', permissions: SEND_MESSAGES | EMBED_LINKS | ATTACH_FILES | READ_MESSAGE_HISTORY, channel: [403] },
    ];
    for (const c of cases) {
      it(`lacking ${c.lacks}: the task ends undelivered with one log line, and the next member is served`, async () => {
        await start({ botPermissions: c.permissions.toString() });
        h.discord.refuseDirectMessages(h.discord.memberUserId);
        h.video.nextTask({ pollsBeforeDone: 2, etaSeconds: 1 });
        const submitted = h.video.waitForSubmission(8_000);
        const { token } = animate();
        await submitted;
        h.discord.expireInteraction(token);

        await waitForLog('task undeliverable');
        const refused = channelPosts();
        expect(refused.map((r) => r.status)).toEqual(c.channel);
        expect(refused.at(-1)?.files).toEqual(c.channel.length > 1 ? [] : refused[0]?.files);
        const dm = h.discord.directChannelOf(h.discord.memberUserId) ?? '';
        const direct = h.discord.requests.filter((r) => r.method === 'POST' && r.path === `/channels/${dm}/messages`);
        // 50007: the member refuses direct messages from the bot, file or link alike.
        expect(direct.map((r) => r.status)).toEqual([403]);
        expect(acceptedUploads()).toEqual([]);
        const taskId = logRecords().find((r) => r.msg === 'task undeliverable')?.taskId;
        expect(taskId).toBeDefined();
        expect(logRecords().filter((r) => r.taskId === taskId && (r.level === 'warn' || r.level === 'error'))).toMatchObject([
          { msg: 'task undeliverable', level: 'warn' },
        ]);

        // Still up: another member's video arrives in their reply.
        const next = animate({ userId: OTHER_MEMBER });
        const edit = await h.discord.waitForRequest(
          (r) => r.method === 'PATCH' && r.path.includes(next.token) && r.files.length > 0 && r.status === 200,
          8_000,
        );
        expect(edit.files[0]?.filename).toMatch(/\.mp4$/);
        expect(logRecords().filter((r) => r.level === 'error')).toEqual([]);

        // The store says so too: the first task is final as undelivered, not failed and not open.
        await h.app?.stop();
        h.app = undefined;
        const store = await openStore(`sqlite://${join(h.dir, 'animate.sqlite')}`);
        try {
          const tasks = new TaskStore(store, silentLogger);
          expect((await tasks.get(taskId ?? ''))?.state).toBe('undelivered');
          expect(await tasks.listOpen()).toEqual([]);
        } finally {
          await store.close();
        }
      });
    }
  });

  it('lacking Attach Files only: the late video is posted as its link, pinging only the member', async () => {
    await start({ botPermissions: (VIEW_CHANNEL | SEND_MESSAGES | EMBED_LINKS | READ_MESSAGE_HISTORY).toString() });
    h.video.nextTask({ pollsBeforeDone: 2, etaSeconds: 1 });
    const submitted = h.video.waitForSubmission(8_000);
    const { token } = animate();
    await submitted;
    h.discord.expireInteraction(token);

    const linkPost = await h.discord.waitForRequest(
      (r) => r.method === 'POST' && r.path.includes('/channels/') && r.status === 200,
      10_000,
    );
    expect(linkPost.files).toEqual([]);
    expect(contentOf(linkPost)).toContain("isn't allowed to attach files in this channel");
    expect(contentOf(linkPost)).toMatch(/\/files\/.+\.mp4/);
    expect(linkPost.body).toMatchObject({ allowed_mentions: { parse: [], users: [h.discord.memberUserId] } });
    const posts = channelPosts();
    expect(posts.map((p) => p.status)).toEqual([403, 200]);
    expect(logRecords().some((r) => r.msg === 'task undeliverable')).toBe(false);
  });

  describe('a refused picture is told once, privately, even when its placeholder cannot be removed', () => {
    const cases = [
      { name: 'the member already deleted it (10008)', error: { status: 404, code: 10008, message: 'Unknown Message' }, times: 1 },
      // Four 500s outlast discord.js's own three retries, so the error reaches the bot.
      { name: 'Discord fails the delete (500)', error: { status: 500, code: 0, message: '500: Internal Server Error' }, times: 4 },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        await start();
        const { token } = animate({ picture: makePng(200, 200) });
        h.discord.failNext((r) => r.method === 'DELETE' && r.path.includes(token) && r.path.endsWith('/@original'), c.error, c.times);

        await h.discord.waitForRequest((r) => r.method === 'DELETE' && r.path.includes(token) && r.status === c.error.status, 8_000);
        await waitForLog('task failed');
        // Give a wrongly scheduled retry time to show itself (the tracker's first back-off is at most 500 ms).
        await new Promise((resolve) => setTimeout(resolve, 800));
        const followUps = h.discord.requests.filter((r) => r.method === 'POST' && r.path.endsWith(token));
        expect(followUps).toHaveLength(1);
        expect(followUps[0]?.body).toMatchObject({ flags: 64, allowed_mentions: { parse: [] } });
        expect(contentOf(followUps[0] as RecordedRequest)).toMatch(/at least 300x300/);
        expect(logRecords().some((r) => r.msg === 'task undeliverable')).toBe(false);
        expect(channelPosts()).toEqual([]);
        expect(h.video.submissions).toEqual([]);
      });
    }
  });

  it('a picture from a host other than ATTACHMENT_HOSTS is never fetched, and the member is told privately', async () => {
    await start();
    // The same stand-in server under another name: only the name tells it apart from the attachment host.
    const { token } = animate({ host: 'localhost' });

    await waitForLog('task failed');
    const followUps = h.discord.requests.filter((r) => r.method === 'POST' && r.path.endsWith(token));
    expect(followUps).toHaveLength(1);
    expect(followUps[0]?.body).toMatchObject({ flags: 64 });
    expect(contentOf(followUps[0] as RecordedRequest)).toContain('The bot only fetches pictures uploaded to Discord');
    expect(contentOf(followUps[0] as RecordedRequest)).toContain('1 unit was refunded');
    expect(h.discord.cdnRequests).toEqual([]);
    expect(h.video.submissions).toEqual([]);
  });

  it('delivers once when Discord answers the final edit with 500s and 429s', async () => {
    await start();
    const { token } = animate();
    const finalEdit = (r: { method: string; path: string }) =>
      r.method === 'PATCH' && r.path.includes(token) && r.path.endsWith('/@original') && h.video.videoDownloads > 0;
    // Five 500s outlast discord.js's own three retries, so the tracker's back-off has to try again.
    h.discord.failNext(finalEdit, { status: 500, code: 0, message: '500: Internal Server Error' }, 5);
    h.discord.failNext(finalEdit, { status: 429, code: 0, message: 'You are being rate limited.', retryAfter: 0.2 }, 2);

    const edit = await h.discord.waitForRequest(
      (r) => r.method === 'PATCH' && r.path.includes(token) && r.files.length > 0 && r.status === 200,
      8_000,
    );
    await waitForLog('task delivered');
    expect(edit.files[0]?.filename).toMatch(/\.mp4$/);
    expect(Buffer.compare(edit.files[0]?.data ?? Buffer.alloc(0), SAMPLE_MP4)).toBe(0);

    const attempts = h.discord.requests.filter((r) => r.method === 'PATCH' && r.path.includes(token) && r.files.length > 0);
    expect(attempts.map((r) => r.status)).toEqual([500, 500, 500, 500, 500, 429, 429, 200]);
    expect(acceptedUploads()).toEqual([edit]);
    expect(channelPosts()).toEqual([]);
    expect(logRecords().some((r) => r.msg === 'delivery failed, will retry')).toBe(true);
    expect(h.video.submissions).toHaveLength(1);
  });

  it('killed with SIGKILL while the submission is in flight: tells the member after a restart, refunds, and never submits twice', async () => {
    h = await BotHarness.start();
    const first = BotProcess.start('src/index.ts', h.env());
    processes.push(first);
    await h.discord.waitForIdentify(10_000);

    h.video.delaySubmit(3_000);
    const submitted = h.video.waitForSubmission(10_000);
    const { token } = animate();
    await submitted;
    first.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');

    const identifies = h.discord.identifyCount;
    const second = BotProcess.start('src/index.ts', h.env());
    processes.push(second);
    await h.discord.waitForIdentify(10_000, identifies + 1);
    const told = await h.discord
      .waitForRequest(
        (r) => r.method === 'PATCH' && r.path.includes(token) && r.path.endsWith('/@original') && contentOf(r).startsWith('❌'),
        10_000,
      )
      .catch((error: unknown) => {
        throw new Error(
          `${String(error)}\n--- first run ---\n${first.stdout}${first.stderr}\n--- second run ---\n${second.stdout}${second.stderr}`,
        );
      });
    expect(told.status).toBe(200);
    const text = contentOf(told);
    expect(text).toMatch(/can't tell whether it started/);
    expect(text).toMatch(/wasn't sent again/);
    expect(text).toMatch(/1 unit was refunded/);
    expect((told.body as { allowed_mentions?: unknown }).allowed_mentions).toEqual({ parse: [] });

    // The refund is real: the member has the whole default allowance (3 units) again.
    const quota = h.discord.dispatchCommand({ commandName: 'animate-quota' });
    const answer = await h.discord.waitForRequest(
      (r) => r.method === 'POST' && r.path.includes(quota.token) && r.path.endsWith('/callback'),
      8_000,
    );
    expect(String((answer.body as { data?: { content?: string } }).data?.content)).toContain('You have **3 units** left');

    expect(h.video.submissions).toHaveLength(1);
    expect(h.discord.requests.filter((r) => r.files.length > 0)).toEqual([]);
    expect(channelPosts()).toEqual([]);
  }, 30_000);

  describe("the provider's reason for a failed generation", () => {
    /** The final edit of the reply that tells the member the generation failed. */
    const isFailureEdit = (token: string) => (r: { method: string; path: string; body?: unknown }) =>
      r.method === 'PATCH' && r.path.includes(token) && ((r.body as { content?: string } | undefined)?.content ?? '').startsWith('❌');

    it('of 2585 characters reaches the member tidied and cut short, in one edit, and the record stays readable', async () => {
      await start();
      const reason = 'The image violates the content policy.\n\n\t  '.concat('Details follow. '.repeat(200)).slice(0, 2585);
      h.video.nextTask({ pollsBeforeDone: 1, outcome: { kind: 'fail', reason } });
      const { token } = animate();

      const told = await h.discord.waitForRequest(isFailureEdit(token), 8_000);
      await waitForLog('task failed');
      expect(told.status).toBe(200);
      const text = contentOf(told);
      expect(text.length).toBeLessThanOrEqual(2000);
      expect(text).toContain('The video service could not make this video: The image violates the content policy. Details follow. Details');
      expect(text).toContain('… Your 1 unit was refunded.');
      expect(h.discord.requests.filter(isFailureEdit(token))).toEqual([told]);
      expect(h.discord.originalMessage(token)?.content).toBe(text);

      const taskId = logRecords().find((r) => r.msg === 'task failed')?.taskId ?? '';
      const stored = await storedTask(taskId);
      expect(stored).toMatchObject({ state: 'failed', failure: { kind: 'generation_failed' } });
      expect(stored && 'failure' in stored && stored.failure.kind === 'generation_failed' ? stored.failure.reason?.length : 0).toBe(2000);
    });

    it('that Discord refuses as invalid (50035) is replaced once by the generic text, and not sent again', async () => {
      await start();
      h.video.nextTask({ pollsBeforeDone: 1, outcome: { kind: 'fail', reason: 'The image violates the content policy' } });
      const { token } = animate();
      h.discord.failNext(isFailureEdit(token), { status: 400, code: 50035, message: 'Invalid Form Body' });

      await waitForLog('task failed');
      const edits = h.discord.requests.filter(isFailureEdit(token));
      expect(edits.map((r) => r.status)).toEqual([400, 200]);
      expect(contentOf(edits[0] as RecordedRequest)).toContain('content policy');
      expect(contentOf(edits[1] as RecordedRequest)).toContain('The video service could not make this video: no reason given.');
      expect(contentOf(edits[1] as RecordedRequest)).not.toContain('content policy');
      expect(h.discord.originalMessage(token)?.content).toBe(contentOf(edits[1] as RecordedRequest));
      // Give a wrongly scheduled retry time to show itself.
      await new Promise((resolve) => setTimeout(resolve, 800));
      expect(h.discord.requests.filter(isFailureEdit(token))).toHaveLength(2);
      expect(channelPosts()).toEqual([]);
    });
  });

  it('a late delivery in the channel pings only the member, whatever mentions the prompt holds', async () => {
    await start();
    const role = '123456789012345678';
    const stranger = '223456789012345678';
    h.video.nextTask({ pollsBeforeDone: 3, etaSeconds: 1 });
    const submitted = h.video.waitForSubmission(8_000);
    const { token } = animate({ prompt: `<@&${role}> @everyone @here look <@${stranger}> <@!${stranger}> at this` });
    await submitted;
    h.discord.expireInteraction(token);

    const post = await expectDeliveredInChannel(h.discord.memberUserId);
    const content = contentOf(post);
    expect(content).not.toMatch(/@everyone|@here/);
    expect(content).not.toMatch(/<@&\d/);
    expect(content.match(/<@!?\d+>/g)).toEqual([`<@${h.discord.memberUserId}>`]);
    expect(content).toContain('look');
    // Every other message the bot sent for this task pinged no one.
    for (const { request, body } of h.messageBodies()) {
      if (request !== post) expect(body.allowed_mentions).toEqual({ parse: [] });
    }
  });
});
