/**
 * Delivery once the interaction's reply is out of reach, against the Discord stand-in: the channel message
 * (with a nonce, so a repeat within minutes posts nothing new), the id kept so the task is never posted
 * again, the direct message when the channel is closed to the bot, and the answer Discord refuses as
 * invalid (50035). Every assertion is on what the stand-in received.
 */
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Events, GatewayIntentBits, REST, type Interaction } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { deliveryNonce, DiscordReplies } from '../../src/discord/discord-replies.ts';
import type { FinalView } from '../../src/tasks/reply-port.ts';
import type { TaskRecord } from '../../src/tasks/task-record.ts';
import { DiscordStandIn, type DiscordStandInOptions, type RecordedRequest } from '../support/discord-stand-in.ts';
import { ManualClock } from '../support/manual-clock.ts';
import { makeTaskRecord } from '../support/task-fixtures.ts';

/** Past the interaction token's 15 minutes: the reply can no longer be edited. */
const LATE = 20 * 60_000;
const MP4 = Buffer.from('mp4 bytes of the finished video');
/** The video is uploaded from its file on disk, as the bot does. */
const MP4_FILE = join(mkdtempSync(join(tmpdir(), 'animate-replies-')), 'video.mp4');
writeFileSync(MP4_FILE, MP4);

let discord: DiscordStandIn;
let logs: { level: string; msg: string; taskId?: string }[];

afterEach(async () => {
  await discord.close();
});

async function start(options: DiscordStandInOptions = {}): Promise<DiscordReplies> {
  discord = await DiscordStandIn.start(options);
  logs = [];
  const rest = new REST({ api: discord.restUrl }).setToken(discord.token);
  const logger = createLogger({ level: 'debug', write: (line) => logs.push(JSON.parse(line) as (typeof logs)[number]) });
  return new DiscordReplies(rest, logger, new ManualClock(LATE));
}

function lateTask(overrides: Partial<TaskRecord> = {}): TaskRecord {
  return makeTaskRecord({
    id: 'd5f1c0de-0000-4000-8000-00000000beef',
    state: 'delivering',
    requester: { userId: discord.memberUserId, guildId: discord.guildId, channelId: discord.channelId },
    interaction: { ...makeTaskRecord().interaction, applicationId: discord.applicationId, createdAt: 0 },
    ...overrides,
  });
}

const video: FinalView = {
  kind: 'video',
  video: { path: MP4_FILE, sizeBytes: MP4.length },
  filename: 'animate-d5f1c0de.mp4',
  link: { url: 'https://cdn.provider.example/v.mp4', expiresAt: LATE + 3_600_000, limitBytes: 10 * 1024 * 1024 },
};

const posts = (channelId: string) => discord.requests.filter((r) => r.method === 'POST' && r.path === `/channels/${channelId}/messages`);
const bodyOf = (r: RecordedRequest | undefined) => (r?.body ?? {}) as { content?: string; nonce?: string; enforce_nonce?: boolean };

describe('a late delivery in the channel', () => {
  it('is posted once with a nonce of at most 25 characters made from the task id, and reports the message it made', async () => {
    const replies = await start();
    const task = lateTask();

    const delivery = await replies.deliver(task, video);

    const [post] = posts(discord.channelId);
    const message = discord.messagesIn(discord.channelId)[0];
    expect(delivery).toEqual({ outcome: 'delivered', posted: { channelId: discord.channelId, messageId: message?.id } });
    expect(bodyOf(post).nonce).toBe(deliveryNonce(task.id));
    expect(bodyOf(post).enforce_nonce).toBe(true);
    expect(deliveryNonce(task.id).length).toBeLessThanOrEqual(25);
    expect(deliveryNonce(task.id)).toBe(deliveryNonce(task.id));
    expect(deliveryNonce('another-task')).not.toBe(deliveryNonce(task.id));
    expect(post?.files[0]?.data.equals(MP4)).toBe(true);
  });

  it('sent again within minutes (the answer was lost, the bot restarted), gets back the message already posted', async () => {
    const replies = await start();
    const task = lateTask();

    const first = await replies.deliver(task, video);
    const again = await replies.deliver(task, video);

    expect(again).toEqual(first);
    expect(posts(discord.channelId)).toHaveLength(2);
    expect(discord.messagesIn(discord.channelId)).toHaveLength(1);
  });

  it('is never posted again once the record holds its message, even after Discord has forgotten the nonce', async () => {
    const replies = await start();
    const first = await replies.deliver(lateTask(), video);
    const requestsBefore = discord.requests.length;
    discord.forgetNonces();

    const again = await replies.deliver(lateTask({ ...(first.posted ? { delivery: first.posted } : {}) }), video);

    expect(again).toEqual(first);
    expect(discord.requests).toHaveLength(requestsBefore);
    expect(discord.messagesIn(discord.channelId)).toHaveLength(1);
  });
});

describe('when the channel is closed to the bot', () => {
  it('sends the video as a direct message that names the channel, pinging no one', async () => {
    const replies = await start({ botPermissions: '0' });

    const delivery = await replies.deliver(lateTask(), video);

    const dm = discord.directChannelOf(discord.memberUserId);
    expect(dm).toBeDefined();
    const [direct] = posts(dm ?? '');
    expect(delivery).toEqual({ outcome: 'delivered', posted: { channelId: dm, messageId: discord.messagesIn(dm ?? '')[0]?.id } });
    expect(posts(discord.channelId).map((r) => r.status)).toEqual([403]);
    expect(discord.requests.find((r) => r.path === '/users/@me/channels')?.body).toEqual({ recipient_id: discord.memberUserId });
    expect(bodyOf(direct).content).toContain('Here is your video');
    expect(bodyOf(direct).content).toContain(`can't post in <#${discord.channelId}>`);
    expect(bodyOf(direct).nonce).toBe(deliveryNonce(lateTask().id));
    expect(direct?.body).toMatchObject({ allowed_mentions: { parse: [] } });
    expect(direct?.files[0]?.data.equals(MP4)).toBe(true);
  });

  it('and the member refuses direct messages: undeliverable after three requests, with no retry', async () => {
    const replies = await start({ botPermissions: '0' });
    discord.refuseDirectMessages(discord.memberUserId);

    const delivery = await replies.deliver(lateTask(), video);

    expect(delivery).toEqual({ outcome: 'undeliverable' });
    expect(discord.requests.map((r) => `${r.method} ${r.path.replace(/\d{17,20}/g, 'ID')} ${r.status}`)).toEqual([
      'POST /channels/ID/messages 403',
      'POST /users/@me/channels 200',
      'POST /channels/ID/messages 403',
    ]);
    // The tracker writes the one warning ("task undeliverable"); the way here is told at info level.
    expect(logs.filter((l) => l.level === 'warn' || l.level === 'error')).toEqual([]);
  });
});

describe('an answer Discord refuses as invalid (50035)', () => {
  const reason = 'The image violates the content policy: '.concat('because '.repeat(300)).slice(0, 2000);
  const failed: FinalView = { kind: 'failed', failure: { kind: 'generation_failed', reason }, refundedUnits: 1 };
  const invalid = { status: 400, code: 50035, message: 'Invalid Form Body' };

  it("is told once more without the provider's words", async () => {
    const replies = await start();
    discord.failNext((r) => r.method === 'POST' && r.path.startsWith('/channels/'), invalid);

    const delivery = await replies.deliver(lateTask(), failed);

    expect(delivery.outcome).toBe('delivered');
    const [refused, generic] = posts(discord.channelId);
    expect(refused?.status).toBe(400);
    expect(bodyOf(refused).content).toContain('The image violates the content policy: because because');
    expect(generic?.status).toBe(200);
    expect(bodyOf(generic).content).toContain('The video service could not make this video: no reason given.');
    expect(bodyOf(generic).content).toContain('Your 1 unit was refunded.');
    expect(bodyOf(generic).content).not.toContain('content policy');
  });

  it('is not sent for ever: when the generic text is refused too, it is undeliverable with one error line', async () => {
    const replies = await start();
    discord.failNext((r) => r.method === 'POST' && r.path.startsWith('/channels/'), invalid, 10);

    expect(await replies.deliver(lateTask(), failed)).toEqual({ outcome: 'undeliverable' });
    expect(posts(discord.channelId)).toHaveLength(2);
    expect(logs.filter((l) => l.level === 'error').map((l) => l.msg)).toEqual([
      'Discord refuses the final answer as invalid; it cannot be shown',
    ]);
  });
});

describe("a late delivery, in the language kept on the task's record", () => {
  // Discord permission bits (https://discord.com/developers/docs/topics/permissions): all but Attach Files.
  const VIEW_AND_SEND = (1n << 10n) | (1n << 11n) | (1n << 16n);
  const EMBED_LINKS = 1n << 14n;

  it('posts in the channel in Japanese for a member who asked from a ja client', async () => {
    const replies = await start();
    await replies.deliver(lateTask({ locale: 'ja' }), video);
    expect(bodyOf(posts(discord.channelId)[0]).content).toBe(`<@${discord.memberUserId}> 🎬 動画ができました！\n> the waves roll in`);
  });

  it('sends the direct message in Spanish, naming the channel, for a member who asked from an es-419 client', async () => {
    const replies = await start({ botPermissions: '0' });
    await replies.deliver(lateTask({ locale: 'es-419' }), video);
    const [direct] = posts(discord.directChannelOf(discord.memberUserId) ?? '');
    expect(bodyOf(direct).content).toBe(
      `🎬 ¡Aquí tienes tu vídeo!\n> the waves roll in\n-# Enviado aquí porque el bot no puede publicar en <#${discord.channelId}>.`,
    );
  });

  it('gives the link and its expiry in French when the channel refuses the file', async () => {
    const replies = await start({ botPermissions: (VIEW_AND_SEND | EMBED_LINKS).toString() });
    await replies.deliver(lateTask({ locale: 'fr' }), video);
    const content = bodyOf(posts(discord.channelId).at(-1)).content ?? '';
    expect(content).toMatch(/^<@\d+> 🎬 Ta vidéo est prête, mais le bot n'a pas le droit de joindre des fichiers dans ce salon\./);
    expect(content).toMatch(/\(le lien expire <t:\d+:R>\) : https:\/\/cdn\.provider\.example\/v\.mp4/);
  });
});

describe("the 13-minute notice, in the language kept on the task's record", () => {
  let client: Client | undefined;

  afterEach(async () => {
    await client?.destroy();
    client = undefined;
  });

  it('tells a member who asked from a ja client, in Japanese, that the video will come in the channel', async () => {
    const replies = await start();
    // A real deferred interaction, whose reply the notice edits.
    client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: discord.restUrl } });
    const ready = once(client, Events.ClientReady);
    await client.login(discord.token);
    await ready;
    await discord.waitForIdentify(1000);
    const received = new Promise<Interaction>((resolve) => client?.once(Events.InteractionCreate, resolve));
    const { interactionId, token } = discord.dispatchCommand({ commandName: 'animate', locale: 'ja' });
    const interaction = await received;
    if (!interaction.isChatInputCommand()) throw new Error('expected a chat-input command');
    await interaction.deferReply();

    // The replies' clock reads LATE: the interaction was created 13 minutes before it.
    const createdAt = LATE - 13 * 60_000;
    const task = makeTaskRecord({
      id: 'd5f1c0de-0000-4000-8000-00000000cafe',
      state: 'processing',
      locale: 'ja',
      requester: { userId: discord.memberUserId, guildId: discord.guildId, channelId: discord.channelId },
      interaction: { ...makeTaskRecord().interaction, id: interactionId, applicationId: discord.applicationId, token, createdAt },
    });
    await replies.showProgress(task, { kind: 'still_working' });

    const edit = discord.requests.find((r) => r.method === 'PATCH' && r.path.endsWith(`/${token}/messages/@original`));
    expect(edit?.status).toBe(200);
    expect(bodyOf(edit).content).toBe(
      '⏳ まだ動画を作成中です。完成したら、このチャンネルにメンション付きで投稿します。\n> the waves roll in',
    );
  });
});
