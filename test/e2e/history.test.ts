/**
 * What a member who waited still needs, end to end with the real bot against the stand-ins: a "Try again"
 * button after an unknown submission outcome, /animate-history, and sending a finished video again with a
 * fresh link from the provider. Every assertion is on what Discord or the provider actually received.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { BotHarness } from '../support/bot-harness.ts';
import { MEMBER_PERMISSIONS } from '../support/discord-stand-in.ts';
import {
  bodyOf,
  buttonsOf,
  callbackOf,
  contentOf,
  dispatchAnimate,
  initialResponse as initialResponseTo,
  until,
  videoEdit as videoEditOf,
} from '../support/e2e-requests.ts';
import { makePng } from '../support/image-fixtures.ts';

const SAMPLE_MP4 = readFileSync(new URL('../fixtures/sample.mp4', import.meta.url));
const OTHER_MEMBER = '740000000000000001';
const MODERATOR = (MEMBER_PERMISSIONS | (1n << 5n)).toString();
/** A gateway's 502 without the provider's envelope: a task may exist behind it, so the outcome is unknown. */
const GATEWAY_502 = '<html><body>502 Bad Gateway</body></html>';

describe('what a member who waited still needs', () => {
  let h: BotHarness;

  afterEach(async () => {
    await h.stop();
  });

  async function start(env: Record<string, string> = {}) {
    h = await BotHarness.start({ env });
    await h.startBot();
  }

  function animate(input: { prompt?: string; userId?: string; picture?: Buffer } = {}) {
    return dispatchAnimate(h.discord, input);
  }

  const logged = (msg: string) => h.logs.filter((line) => (JSON.parse(line) as { msg: string }).msg === msg).length;
  /** Waits until `count` tasks have ended, whichever way. */
  const tasksEnded = (count: number) =>
    until(() => logged('task delivered') + logged('task failed') + logged('task undeliverable') >= count, 15_000, `${count} tasks ended`);

  const initialResponse = (token: string) => initialResponseTo(h.discord, token);
  /** The final edit of a reply that failed: it starts with ❌. */
  const failureEdit = (token: string) =>
    h.discord.waitForRequest(
      (r) => r.method === 'PATCH' && r.path.includes(token) && r.path.endsWith('/@original') && contentOf(r).startsWith('❌'),
      10_000,
    );
  const videoEdit = (token: string) => videoEditOf(h.discord, token);

  /** A generation whose submission outcome is unknown; resolves with its token and its Try again button. */
  async function lostSubmission(userId?: string) {
    h.video.failNextSubmit(502, GATEWAY_502);
    const { token } = animate(userId !== undefined ? { userId } : {});
    const told = await failureEdit(token);
    const [button] = buttonsOf(bodyOf(told));
    if (!button) throw new Error('the failure carries no button');
    return { token, told, button };
  }

  describe('"Try again" after an unknown submission outcome', () => {
    it('is on the refunded failure, and makes a new generation of the same picture and options for the member', async () => {
      await start();
      const { told, button, token } = await lostSubmission();
      expect(contentOf(told)).toMatch(/can't tell whether it started/);
      expect(contentOf(told)).toMatch(/1 unit was refunded/);
      expect(button.label).toBe('Try again');
      expect(button.custom_id).toMatch(/^animate-retry:[0-9a-f-]{36}$/);
      expect(button.custom_id.length).toBeLessThanOrEqual(100);

      const press = h.discord.dispatchButton({ customId: button.custom_id, onToken: token });
      // A new public message: the press's deferred reply, which the new generation then edits.
      expect(callbackOf(await initialResponse(press.token))).toMatchObject({ type: 5 });
      const edit = await videoEdit(press.token);
      expect(Buffer.compare(edit.files[0]?.data ?? Buffer.alloc(0), SAMPLE_MP4)).toBe(0);
      expect(contentOf(edit)).toContain('the waves roll in slowly');
      expect(bodyOf(edit).allowed_mentions).toEqual({ parse: [] });

      expect(h.video.submissions).toHaveLength(2);
      expect(h.video.submissions[1]?.body).toEqual(h.video.submissions[0]?.body);
      // The member's original reply stays as it was: the failure with its button.
      expect(h.discord.requests.filter((r) => r.method === 'PATCH' && r.path.includes(token) && r.at > told.at)).toEqual([]);

      // Pressed again: asked once.
      const again = h.discord.dispatchButton({ customId: button.custom_id, onToken: token });
      const answer = callbackOf(await initialResponse(again.token));
      expect(answer).toMatchObject({ type: 4, data: { flags: 64, allowed_mentions: { parse: [] } } });
      expect(answer.data?.content).toContain('already been tried again');
      await tasksEnded(2);
      expect(h.video.submissions).toHaveLength(2);
    });

    it('is refused, privately, to another member, and asks for nothing', async () => {
      await start();
      const { button, token } = await lostSubmission();
      const stranger = h.discord.dispatchButton({ customId: button.custom_id, onToken: token, userId: OTHER_MEMBER });
      const answer = callbackOf(await initialResponse(stranger.token));
      expect(answer).toMatchObject({ type: 4, data: { flags: 64 } });
      expect(answer.data?.content).toContain('Only the member who asked for this video can try it again');
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(h.video.submissions).toHaveLength(1);
      // The member who asked still can.
      const own = h.discord.dispatchButton({ customId: button.custom_id, onToken: token });
      await videoEdit(own.token);
      expect(h.video.submissions).toHaveLength(2);
    });

    it('still works after the bot restarts', async () => {
      await start();
      const { button, token } = await lostSubmission();
      await h.app?.stop();
      h.app = undefined;
      const identifies = h.discord.identifyCount;
      await h.startBot();
      await h.discord.waitForIdentify(10_000, identifies + 1);

      const press = h.discord.dispatchButton({ customId: button.custom_id, onToken: token });
      const edit = await videoEdit(press.token);
      expect(Buffer.compare(edit.files[0]?.data ?? Buffer.alloc(0), SAMPLE_MP4)).toBe(0);
      expect(h.video.submissions).toHaveLength(2);
      expect(h.video.submissions[1]?.body).toEqual(h.video.submissions[0]?.body);
    });

    it('is refused privately, like /animate, when the member has no units left, and works once they have', async () => {
      await start({ QUOTA_MEMBER_UNITS: '1' });
      const { button, token } = await lostSubmission();
      // The refund gave the unit back; another video spends it.
      await videoEdit(animate({ prompt: 'another one' }).token);

      const press = h.discord.dispatchButton({ customId: button.custom_id, onToken: token });
      const answer = callbackOf(await initialResponse(press.token));
      expect(answer).toMatchObject({ type: 4, data: { flags: 64, allowed_mentions: { parse: [] } } });
      expect(answer.data?.content).toMatch(/^🚫 Not enough units: you have 0 units left this day and this video needs 1 unit/);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(h.video.submissions).toHaveLength(2);
      expect(h.discord.requests.filter((r) => r.path.includes(press.token) && r.method === 'PATCH')).toEqual([]);

      // A moderator grants a unit: the same button now works, once.
      const grant = h.discord.dispatchCommand({
        commandName: 'animate-admin',
        userId: '730000000000000001',
        permissions: MODERATOR,
        options: [
          {
            name: 'grant',
            type: 1,
            options: [
              { name: 'member', type: 6, value: h.discord.memberUserId },
              { name: 'units', type: 4, value: 1 },
            ],
          },
        ],
        resolvedUsers: [h.discord.memberUserId],
      });
      expect(callbackOf(await initialResponse(grant.token)).data?.content).toContain('They now have 1 unit left');
      const paid = h.discord.dispatchButton({ customId: button.custom_id, onToken: token });
      await videoEdit(paid.token);
      expect(h.video.submissions).toHaveLength(3);
    });
  });

  describe('/animate-history', () => {
    const history = async (userId?: string) => {
      const { token } = h.discord.dispatchCommand({ commandName: 'animate-history', ...(userId !== undefined ? { userId } : {}) });
      return { token, answer: callbackOf(await initialResponse(token)) };
    };

    it("lists the member's generations in this server, newest first, with their states and when, privately", async () => {
      await start();
      await videoEdit(animate({ prompt: '**first** @everyone <@123456789012345678> waves' }).token);
      h.video.nextTask({ outcome: { kind: 'fail', reason: 'content policy' } });
      await failureEdit(animate({ prompt: 'second: the provider says no' }).token);
      await lostSubmission();
      animate({ prompt: 'fourth: too small', picture: makePng(200, 200) });
      await tasksEnded(4);
      await videoEdit(animate({ prompt: 'not mine', userId: OTHER_MEMBER }).token);
      h.video.nextTask({ pollsBeforeDone: 1000, etaSeconds: 600 });
      const submitted = h.video.waitForSubmission(8_000);
      animate({ prompt: 'sixth: still being made' });
      await submitted;

      const { answer } = await history();
      expect(answer).toMatchObject({ type: 4, data: { flags: 64, allowed_mentions: { parse: [] } } });
      const lines = (answer.data?.content ?? '').split('\n');
      expect(lines[0]).toBe('Your last 5 video requests in this server, newest first:');
      expect(lines.slice(1, 11)).toEqual([
        expect.stringMatching(/^\*\*1\.\*\* 🎬 being made · <t:\d+:R>$/),
        '> sixth: still being made',
        expect.stringMatching(/^\*\*2\.\*\* 🖼️ picture refused, refunded · <t:\d+:R>$/),
        '> fourth: too small',
        expect.stringMatching(/^\*\*3\.\*\* ❓ unknown whether it started, refunded · <t:\d+:R>$/),
        '> the waves roll in slowly',
        expect.stringMatching(/^\*\*4\.\*\* ❌ not made, refunded · <t:\d+:R>$/),
        '> second: the provider says no',
        expect.stringMatching(/^\*\*5\.\*\* ✅ delivered · <t:\d+:R>$/),
        expect.stringContaining('first'),
      ]);
      // The prompt is quoted escaped, its mentions defused.
      expect(lines[10]).not.toMatch(/@everyone|<@\d|\*\*first/);
      expect(lines[11]).toBe('Press a number below to have that video sent to you again.');
      expect(answer.data?.content).not.toContain('not mine');
      // Only the delivered one can be sent again.
      const buttons = buttonsOf(answer.data ?? {});
      expect(buttons.map((b) => b.label)).toEqual(['Send 5 again']);
      expect(buttons[0]?.custom_id).toMatch(/^animate-resend:[0-9a-f-]{36}$/);

      const theirs = await history(OTHER_MEMBER);
      expect(theirs.answer.data?.content).toContain('not mine');
      expect(theirs.answer.data?.content).not.toContain('waves');
    });

    it('says when there is nothing yet', async () => {
      await start();
      const { answer } = await history();
      expect(answer).toMatchObject({ type: 4, data: { flags: 64 } });
      expect(answer.data?.content).toContain("You haven't asked for a video in this server in the last 30 days.");
      expect(answer.data?.components).toEqual([]);
    });

    describe('sending a finished video again', () => {
      async function delivered() {
        await start();
        const { token } = animate({ prompt: 'the cat turns its head' });
        await videoEdit(token);
        await tasksEnded(1);
        const listed = await history();
        const [button] = buttonsOf(listed.answer.data ?? {});
        if (!button) throw new Error('no re-send button');
        return { button, historyToken: listed.token };
      }

      it('fetches a fresh link from the provider and sends the video privately', async () => {
        const { button, historyToken } = await delivered();
        const providerTask = h.video.taskIds[0] ?? '';
        const pollsBefore = h.video.polls.length;
        const press = h.discord.dispatchButton({ customId: button.custom_id, onToken: historyToken });
        expect(callbackOf(await initialResponse(press.token))).toMatchObject({ type: 5, data: { flags: 64 } });
        const edit = await h.discord.waitForRequest(
          (r) => r.method === 'PATCH' && r.path.includes(press.token) && r.path.endsWith('/@original') && r.status === 200,
          8_000,
        );
        expect(edit.files).toHaveLength(1);
        expect(edit.files[0]?.filename).toMatch(/\.mp4$/);
        expect(Buffer.compare(edit.files[0]?.data ?? Buffer.alloc(0), SAMPLE_MP4)).toBe(0);
        expect(contentOf(edit)).toBe('🎬 Here is your video again.\n> the cat turns its head');
        expect(bodyOf(edit).allowed_mentions).toEqual({ parse: [] });
        // The provider was asked again for that task, so the link the video came from was fresh.
        expect(h.video.polls.slice(pollsBefore).map((p) => p.taskId)).toEqual([providerTask]);
        expect(h.video.videoDownloads).toBe(2);
        expect(h.video.submissions).toHaveLength(1);
        // The ephemeral answer stays private: the response was created ephemeral.
        expect(h.discord.originalMessage(press.token)?.flags ?? 0).toBe(64);
      });

      it('does not hold back the requests that arrive while it is sent: its deferral counts as the answer', async () => {
        const { button, historyToken } = await delivered();
        // Under the 2 s that "acknowledgements first" waits at most, so only a missed answer would show.
        h.video.delayVideoDownload(1_500);
        const press = h.discord.dispatchButton({ customId: button.custom_id, onToken: historyToken });
        await initialResponse(press.token);
        const submitted = h.video.waitForSubmission(8_000);
        animate({ prompt: 'asked while the first one is sent again' });

        await submitted;
        const resent = h.discord.requests.find((r) => r.method === 'PATCH' && r.path.includes(press.token) && r.files.length > 0);
        expect(resent, 'the new request was submitted before the re-sent video was uploaded').toBeUndefined();
        await h.discord.waitForRequest((r) => r.method === 'PATCH' && r.path.includes(press.token) && r.files.length > 0, 8_000);
      });

      it('gives the link when the video is over the upload limit where it is asked', async () => {
        const { button, historyToken } = await delivered();
        const press = h.discord.dispatchButton({ customId: button.custom_id, onToken: historyToken, attachmentSizeLimit: 1_000 });
        const edit = await h.discord.waitForRequest(
          (r) => r.method === 'PATCH' && r.path.includes(press.token) && r.path.endsWith('/@original') && r.status === 200,
          8_000,
        );
        expect(edit.files).toEqual([]);
        expect(contentOf(edit)).toMatch(/at 0\.0 MB it is larger than this server's 0\.0 MB upload limit/);
        expect(contentOf(edit)).toMatch(/Download it here \(the link expires <t:\d+:R>\): http:\/\/127\.0\.0\.1:\d+\/files\/.+\.mp4/);
      });

      it('says so when the provider no longer has it', async () => {
        const { button, historyToken } = await delivered();
        h.video.failNextPoll(404, { code: 404, reason: 'TASK_NOT_FOUND', message: 'task not found', metadata: {} });
        const press = h.discord.dispatchButton({ customId: button.custom_id, onToken: historyToken });
        const edit = await h.discord.waitForRequest(
          (r) => r.method === 'PATCH' && r.path.includes(press.token) && r.path.endsWith('/@original') && r.status === 200,
          8_000,
        );
        expect(contentOf(edit)).toBe('The video service no longer has that video, so it cannot be sent again.');
        expect(edit.files).toEqual([]);
        expect(h.video.videoDownloads).toBe(1);
      });

      it("is refused to another member pressing a forged button, who gets nothing of the member's", async () => {
        const { button, historyToken } = await delivered();
        const pollsBefore = h.video.polls.length;
        const press = h.discord.dispatchButton({ customId: button.custom_id, onToken: historyToken, userId: OTHER_MEMBER });
        const edit = await h.discord.waitForRequest(
          (r) => r.method === 'PATCH' && r.path.includes(press.token) && r.path.endsWith('/@original') && r.status === 200,
          8_000,
        );
        expect(contentOf(edit)).toBe('Only the member who asked for this video can have it sent again.');
        expect(edit.files).toEqual([]);
        expect(h.video.polls.length).toBe(pollsBefore);
      });
    });
  });
});
