/**
 * The member's language end to end: the real bot and discord.js client against the Discord and video-API
 * stand-ins. A member is answered in their Discord client's language, else their server's, else English;
 * what is said later (after a restart, in the channel) is said in the language kept on the task record.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.ts';
import { openStore } from '../../src/store/open-store.ts';
import type { TaskRecord } from '../../src/tasks/task-record.ts';
import { TaskStore } from '../../src/tasks/task-store.ts';
import { BotHarness } from '../support/bot-harness.ts';
import type { RecordedRequest } from '../support/discord-stand-in.ts';
import { dispatchAnimate } from '../support/e2e-requests.ts';

const contentOf = (r: RecordedRequest | undefined) => (r?.body as { content?: string } | undefined)?.content ?? '';

describe("replies in the member's language", () => {
  let h: BotHarness;

  afterEach(async () => {
    await h.stop();
  });

  async function start(env: Record<string, string> = {}) {
    h = await BotHarness.start({ env });
    await h.startBot();
  }

  function animate(input: { locale?: string; guildLocale?: string; prompt?: string } = {}) {
    return dispatchAnimate(h.discord, input);
  }

  /** The private answer to /animate-quota: immediate, so the quickest way to hear which language is spoken. */
  async function quotaAnswer(locale: string, guildLocale?: string): Promise<string> {
    const { token } = h.discord.dispatchCommand({
      commandName: 'animate-quota',
      locale,
      ...(guildLocale !== undefined ? { guildLocale } : {}),
    });
    const callback = await h.discord.waitForRequest((r) => r.method === 'POST' && r.path.includes(token) && r.path.endsWith('/callback'));
    return (callback.body as { data?: { content?: string } }).data?.content ?? '';
  }

  /** Stops the in-process bot and reads the task records as they were left in the store. */
  async function storedTasks(): Promise<TaskRecord[]> {
    await h.app?.stop();
    h.app = undefined;
    const store = await openStore(`sqlite://${join(h.dir, 'animate.sqlite')}`);
    try {
      return await new TaskStore(store, silentLogger).recentOfMember(h.discord.guildId, h.discord.memberUserId, 10);
    } finally {
      await store.close();
    }
  }

  it('answers an /animate from a ja client in Japanese: progress, the video, and the language kept on the record', async () => {
    await start();
    h.video.nextTask({ pollsBeforeDone: 2, etaSeconds: 1 });
    const { token } = animate({ locale: 'ja' });
    const edit = await h.waitForVideoEdit();

    const mine = h.discord.requests.filter((r) => r.path.includes(token));
    expect(mine[0]?.body).toMatchObject({ type: 5 });
    expect(contentOf(edit)).toBe('🎬 動画ができました！\n> the waves roll in slowly');
    const progress = mine.filter((r) => r.method === 'PATCH' && r.files.length === 0).map(contentOf);
    expect(progress).toContain('🔍 画像を確認しています…\n> the waves roll in slowly');
    expect(progress.join('\n')).not.toMatch(/Checking|Generating|Here is your video/);

    const [record] = await storedTasks();
    expect(record?.locale).toBe('ja');
  });

  it('answers a member whose language has a table for another region in it (es-419 in Spanish, pt-PT in Portuguese)', async () => {
    await start();
    expect(await quotaAnswer('es-419')).toMatch(/^🎟️ Disponibles de tu cupo por día: \*\*3 unidades\*\*;/);
    expect(await quotaAnswer('pt-PT')).toMatch(/^🎟️ Você tem \*\*3 unidades\*\* da sua cota por dia;/);
    expect(await quotaAnswer('en-GB')).toMatch(/^🎟️ You have \*\*3 units\*\* left this day;/);
  });

  it("answers in the server's language a member whose own the bot does not speak, and in English when it speaks neither", async () => {
    await start();
    expect(await quotaAnswer('ko', 'de')).toMatch(/^🎟️ Von deinem Kontingent pro Tag hast du noch \*\*3 Einheiten\*\*;/);
    expect(await quotaAnswer('fr', 'de')).toMatch(/^🎟️ Il te reste \*\*3 unités\*\* sur ton allocation par jour ;/);
    expect(await quotaAnswer('ko', 'zh-CN')).toMatch(/^🎟️ You have \*\*3 units\*\* left this day;/);
  });

  it("keeps the server's language on the record of a member whose own the bot does not speak", async () => {
    await start();
    animate({ locale: 'ko', guildLocale: 'fr' });
    const edit = await h.waitForVideoEdit();
    expect(contentOf(edit)).toMatch(/^🎬 Voici ta vidéo !/);
    const [record] = await storedTasks();
    expect(record?.locale).toBe('fr');
  });

  it("finishes a task resumed after a restart in the record's language, in the channel once the token is gone", async () => {
    await start({ QUOTA_MEMBER_UNITS: '3' });
    h.video.nextTask({ pollsBeforeDone: 4, etaSeconds: 1 });
    const submitted = h.video.waitForSubmission(8_000);
    const { token } = animate({ locale: 'ja' });
    await submitted;

    // The bot goes away mid-generation and the interaction expires meanwhile: only the record remembers
    // that this member reads Japanese.
    await h.app?.stop();
    h.app = undefined;
    h.discord.expireInteraction(token);
    const identifies = h.discord.identifyCount;
    await h.startBot();
    await h.discord.waitForIdentify(10_000, identifies + 1);

    const post = await h.discord.waitForRequest(
      (r) => r.method === 'POST' && r.path === `/channels/${h.discord.channelId}/messages` && r.status === 200,
      15_000,
    );
    expect(contentOf(post)).toBe(`<@${h.discord.memberUserId}> 🎬 動画ができました！\n> the waves roll in slowly`);
    expect(post.files).toHaveLength(1);
    expect(h.video.submissions).toHaveLength(1);
  });
});
