/**
 * A real bot process killed with SIGKILL in each phase of a task's life, then started again on the same
 * SQLite file and the same stand-ins. Each test asserts on what the stand-ins received (submissions to the
 * video API, what the member's reply shows) and on both quota ledgers as the restarted bot left them:
 * nothing lost, nothing sent twice, nothing charged twice, a refund exactly when the member got nothing.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { renderFailure } from '../../src/catalogue/render-failure.ts';
import { interruptedRequestText } from '../../src/catalogue/render-reply.ts';
import { RETRY_BUTTON_PREFIX } from '../../src/discord/retry-button.ts';
import { periodWindow } from '../../src/quota/period.ts';
import { quotaKeys } from '../../src/quota/quota-keys.ts';
import { openStore } from '../../src/store/open-store.ts';
import { BotHarness } from '../support/bot-harness.ts';
import { BotProcess } from '../support/bot-process.ts';
import type { RecordedRequest } from '../support/discord-stand-in.ts';
import { dispatchAnimate, until } from '../support/e2e-requests.ts';
import { makePng } from '../support/image-fixtures.ts';

const PICTURE_NAME = 'crash.png';
/** Longer than any test here: an answer held this long is one the killed bot never gets. */
const HELD_MS = 30_000;

const contentOf = (r: { body?: unknown }): string => {
  const content = (r.body as { content?: unknown } | undefined)?.content;
  return typeof content === 'string' ? content : '';
};

/** What the restarted bot left in the store for the member and the operator. */
interface Ledgers {
  /** Units the member has spent this period (the default period is the UTC day). */
  memberUsed: number;
  /** The operator's spend today across all servers. */
  operatorSpent: number;
  /** Generations the member has running or waiting: 0 once the task is over. */
  memberActive: number;
  memberRunning: number;
  /** Reservations not yet settled: none once the task is over. */
  openReservations: number;
}

describe('a bot killed with SIGKILL in each phase of a task, then restarted', () => {
  let h: BotHarness;
  const processes: BotProcess[] = [];

  beforeEach(async () => {
    h = await BotHarness.start();
  });

  afterEach(async () => {
    await Promise.all(processes.splice(0).map((p) => p.dispose()));
    await h.stop();
  });

  const output = () => processes.map((p, i) => `--- run ${i + 1} ---\n${p.stdout}${p.stderr}`).join('\n');

  /** Starts a bot process and waits until it is connected to the gateway. */
  async function startBot(): Promise<BotProcess> {
    const identifies = h.discord.identifyCount;
    const bot = BotProcess.start('src/index.ts', h.env());
    processes.push(bot);
    await h.discord.waitForIdentify(15_000, identifies + 1).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${output()}`);
    });
    return bot;
  }

  async function kill(bot: BotProcess): Promise<void> {
    bot.kill('SIGKILL');
    expect((await bot.exited).signal).toBe('SIGKILL');
  }

  /** Waits for the task's last log line in this run, then stops the bot cleanly (which frees the SQLite file). */
  async function finish(bot: BotProcess, msg: 'task delivered' | 'task failed'): Promise<void> {
    await until(() => bot.stdout.includes(`"msg":"${msg}"`), 15_000, `log "${msg}"`).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${output()}`);
    });
    bot.kill('SIGTERM');
    expect((await bot.exited).code).toBe(0);
  }

  function animate(locale?: string): string {
    const { token } = dispatchAnimate(h.discord, {
      ...(locale === undefined ? {} : { locale }),
      prompt: 'the candle flame sways',
      picture: makePng(512, 512),
      filename: PICTURE_NAME,
      hostedName: PICTURE_NAME,
      attachmentId: '900000000000000003',
    });
    return token;
  }

  async function ledgers(): Promise<Ledgers> {
    const store = await openStore(`sqlite://${join(h.dir, 'animate.sqlite')}`);
    try {
      const day = periodWindow('day', Date.now()).id;
      const { guildId, memberUserId: userId } = h.discord;
      return {
        memberUsed: await store.counter(quotaKeys.memberUsed(guildId, day, userId)),
        operatorSpent: await store.counter(quotaKeys.globalUsed(day)),
        memberActive: await store.counter(quotaKeys.memberActive(guildId, userId)),
        memberRunning: await store.counter(quotaKeys.memberRunning(guildId, userId)),
        openReservations: (await store.listReservations()).length,
      };
    } finally {
      await store.close();
    }
  }

  const isVideoEdit = (token: string) => (r: RecordedRequest) =>
    r.method === 'PATCH' && r.path.includes(token) && r.path.endsWith('/messages/@original') && r.files.length > 0;

  /** The member sees one reply holding one video, and nothing else was posted anywhere. */
  function expectOneVideo(token: string): void {
    const reply = h.discord.originalMessage(token);
    expect(reply?.attachments.map((a) => a.filename)).toHaveLength(1);
    expect(reply?.attachments[0]?.filename).toMatch(/\.mp4$/);
    expect(h.discord.followUps(token)).toEqual([]);
    expect(h.discord.requests.filter((r) => r.method === 'POST' && r.path.startsWith('/channels/'))).toEqual([]);
  }

  const charged: Ledgers = { memberUsed: 1, operatorSpent: 1, memberActive: 0, memberRunning: 0, openReservations: 0 };

  it('after the acknowledgement, while the picture is checked: checks it again, submits once, delivers once, charges once', async () => {
    const first = await startBot();
    const pictureHeld = h.discord.holdNextAnswer((r) => r.method === 'GET' && r.path.endsWith(`/${PICTURE_NAME}`));
    const token = animate();
    await pictureHeld.arrived;
    // The member has seen the deferral: the request is public and must end in a video or a clear report.
    const deferral = h.discord.requests.find((r) => r.path.includes(token) && r.path.endsWith('/callback'));
    expect(deferral?.body).toMatchObject({ type: 5 });
    expect(deferral?.status).toBeLessThan(300);
    await kill(first);
    expect(h.video.submissions).toHaveLength(0);

    const second = await startBot();
    await h.discord.waitForRequest(isVideoEdit(token), 15_000);
    await finish(second, 'task delivered');

    expect(h.video.submissions).toHaveLength(1);
    expectOneVideo(token);
    expect(await ledgers()).toEqual(charged);
  }, 30_000);

  it('after Discord took the deferral, before the task was recorded: the restarted bot refunds both ledgers and tells the member once, in their language; nothing submitted', async () => {
    const first = await startBot();
    // Discord makes the deferral ("thinking…") and its answer never reaches the bot, which is killed while
    // it still awaits the acknowledgement: units reserved, the request public, no task recorded.
    const deferralHeld = h.discord.holdNextAnswer((r) => r.method === 'POST' && r.path.endsWith('/callback'));
    const token = animate('de');
    await deferralHeld.arrived;
    const deferral = h.discord.requests.find((r) => r.path.includes(token) && r.path.endsWith('/callback'));
    expect(deferral?.body).toMatchObject({ type: 5 });
    await kill(first);
    expect(await ledgers()).toEqual({ memberUsed: 1, operatorSpent: 1, memberActive: 1, memberRunning: 0, openReservations: 2 });

    const second = await startBot();
    const isEdit = (r: RecordedRequest) => r.method === 'PATCH' && r.path.includes(token) && r.path.endsWith('/messages/@original');
    await h.discord.waitForRequest(isEdit, 15_000).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${output()}`);
    });
    second.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);

    // A third start finds nothing left to refund or tell.
    const third = await startBot();
    await until(() => third.stdout.includes('"msg":"reconciled reservations"'), 15_000, 'a first reconcile');
    third.kill('SIGTERM');
    expect((await third.exited).code).toBe(0);

    expect(h.discord.originalMessage(token)?.content).toBe(interruptedRequestText(1, 'de'));
    expect(h.discord.requests.filter(isEdit)).toHaveLength(1);
    expect(h.discord.followUps(token)).toEqual([]);
    expect(h.discord.requests.filter((r) => r.method === 'POST' && r.path.startsWith('/channels/'))).toEqual([]);
    expect(h.video.submissions).toHaveLength(0);
    expect(await ledgers()).toEqual({ memberUsed: 0, operatorSpent: 0, memberActive: 0, memberRunning: 0, openReservations: 0 });
  }, 45_000);

  it('during the submit (the answer never came): reports the unknown outcome once, never submits again, refunds the member, keeps the operator’s unit', async () => {
    const first = await startBot();
    h.video.delaySubmit(HELD_MS);
    const submitted = h.video.waitForSubmission(10_000);
    const token = animate();
    await submitted;
    await kill(first);

    const second = await startBot();
    await finish(second, 'task failed');

    // The provider may be making (and charging for) the first one: sending it again could pay twice.
    expect(h.video.submissions).toHaveLength(1);
    const reply = h.discord.originalMessage(token);
    expect(reply?.content).toContain(renderFailure({ kind: 'submit_unknown' }, 'en-US'));
    expect(reply?.attachments).toEqual([]);
    expect(JSON.stringify(reply?.components)).toContain(RETRY_BUTTON_PREFIX);
    expect(h.discord.followUps(token)).toEqual([]);
    expect(await ledgers()).toEqual({ ...charged, memberUsed: 0 });
  }, 30_000);

  it('while a poll is in flight: polls again, delivers once, with one submission, charged once', async () => {
    const first = await startBot();
    h.video.delayPoll(HELD_MS);
    const token = animate();
    await until(() => h.video.polls.length > 0, 10_000, 'a first poll');
    await kill(first);
    const pollsBefore = h.video.polls.length;

    const second = await startBot();
    await h.discord.waitForRequest(isVideoEdit(token), 15_000);
    await finish(second, 'task delivered');

    expect(h.video.polls.length).toBeGreaterThan(pollsBefore);
    expect(h.video.submissions).toHaveLength(1);
    expectOneVideo(token);
    expect(await ledgers()).toEqual(charged);
  }, 30_000);

  it('while polling a generation that then fails: tells the member once, refunds them, and the operator keeps the unit', async () => {
    h.video.nextTask({ pollsBeforeDone: 2, etaSeconds: 1, outcome: { kind: 'fail', reason: 'the picture could not be animated' } });
    const first = await startBot();
    h.video.delayPoll(HELD_MS);
    const token = animate();
    await until(() => h.video.polls.length > 0, 10_000, 'a first poll');
    await kill(first);

    const second = await startBot();
    await finish(second, 'task failed');

    expect(h.video.submissions).toHaveLength(1);
    const reply = h.discord.originalMessage(token);
    expect(reply?.content).toContain('the picture could not be animated');
    expect(reply?.attachments).toEqual([]);
    expect(h.discord.followUps(token)).toEqual([]);
    expect(await ledgers()).toEqual({ ...charged, memberUsed: 0 });
  }, 30_000);

  it('during delivery (Discord made the edit, its answer never came): sends the same edit again, so the reply holds one video, charged once', async () => {
    const first = await startBot();
    const editHeld = h.discord.holdNextAnswer((r) => r.method === 'PATCH' && r.path.endsWith('/messages/@original') && hasFiles(r.body));
    const token = animate();
    await editHeld.arrived;
    expect(h.discord.originalMessage(token)?.attachments).toHaveLength(1);
    await kill(first);

    const second = await startBot();
    await finish(second, 'task delivered');

    expect(h.video.submissions).toHaveLength(1);
    // The restarted bot cannot know the edit was made, so it makes it again: the same reply, still one video.
    expect(h.discord.requests.filter(isVideoEdit(token))).toHaveLength(2);
    expectOneVideo(token);
    expect(await ledgers()).toEqual(charged);
  }, 30_000);

  it('while the video is being downloaded from the provider: downloads it again, delivers once, charged once', async () => {
    const first = await startBot();
    h.video.delayVideoDownload(HELD_MS);
    const token = animate();
    await until(() => h.video.videoDownloads > 0, 10_000, 'a video download');
    await kill(first);

    const second = await startBot();
    await h.discord.waitForRequest(isVideoEdit(token), 15_000);
    await finish(second, 'task delivered');

    expect(h.video.videoDownloads).toBe(2);
    expect(h.video.submissions).toHaveLength(1);
    expectOneVideo(token);
    expect(await ledgers()).toEqual(charged);
  }, 30_000);

  it('while telling the member of a failure (the edit made, its answer lost): tells them again in the same reply, refunds once', async () => {
    h.video.nextTask({ pollsBeforeDone: 1, etaSeconds: 1, outcome: { kind: 'fail', reason: 'the picture could not be animated' } });
    const first = await startBot();
    const reportHeld = h.discord.holdNextAnswer(
      (r) => r.method === 'PATCH' && r.path.endsWith('/messages/@original') && contentOf(r).includes('could not be animated'),
    );
    const token = animate();
    await reportHeld.arrived;
    await kill(first);

    const second = await startBot();
    await finish(second, 'task failed');

    expect(h.video.submissions).toHaveLength(1);
    const reports = h.discord.requests.filter((r) => r.path.includes(token) && contentOf(r).includes('could not be animated'));
    expect(reports).toHaveLength(2);
    expect(h.discord.originalMessage(token)?.content).toContain('the picture could not be animated');
    expect(h.discord.followUps(token)).toEqual([]);
    // Settling is idempotent: the second telling gives nothing back twice.
    expect(await ledgers()).toEqual({ ...charged, memberUsed: 0 });
  }, 30_000);

  it('during a late delivery in the channel (the post made, its answer lost): the restarted bot gets the same message back, one video', async () => {
    const first = await startBot();
    const postHeld = h.discord.holdNextAnswer((r) => r.method === 'POST' && r.path === `/channels/${h.discord.channelId}/messages`);
    h.video.delayPoll(1_000);
    const token = animate();
    // The reply's 15 minutes are over before the video is ready: it goes to the channel, with a mention.
    await until(() => h.video.polls.length > 0, 10_000, 'a first poll');
    h.discord.expireInteraction(token);
    await postHeld.arrived;
    expect(h.discord.messagesIn(h.discord.channelId).filter((m) => m.attachments.length > 0)).toHaveLength(1);
    await kill(first);

    const second = await startBot();
    await finish(second, 'task delivered');

    expect(h.video.submissions).toHaveLength(1);
    // Sent again with the same nonce: Discord answers with the message it made the first time.
    expect(h.discord.requests.filter((r) => r.method === 'POST' && r.path === `/channels/${h.discord.channelId}/messages`)).toHaveLength(2);
    expect(h.discord.messagesIn(h.discord.channelId).filter((m) => m.attachments.length > 0)).toHaveLength(1);
    expect(h.discord.originalMessage(token)?.attachments ?? []).toEqual([]);
    expect(await ledgers()).toEqual(charged);
  }, 30_000);
});

/** Whether an edit's JSON describes an upload (the held request's files are not in what the predicate sees). */
function hasFiles(body: unknown): boolean {
  const attachments = (body as { attachments?: unknown } | undefined)?.attachments;
  return Array.isArray(attachments) && attachments.length > 0;
}
