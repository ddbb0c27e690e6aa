/**
 * A video delivered by direct message (the bot could not post in the channel and the token had expired)
 * carries a Delete button, pressed in the DM, where there is no server. The member who asked may delete it
 * there whatever ALLOWED_GUILDS says (a delete reserves and spends nothing); everything else that arrives
 * without a server is still refused. The real bot against the stand-ins, which send the press as Discord
 * does from a DM: no guild_id, `user` instead of `member`, context BOT_DM, the DM channel.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { BotHarness } from '../support/bot-harness.ts';
import type { StandInMessage } from '../support/discord-stand-in.ts';
import {
  bodyOf,
  buttonsOf,
  callbackOf,
  dispatchAnimate,
  expiredDuringGeneration,
  initialResponse,
  until,
} from '../support/e2e-requests.ts';

const GUILD = '390000000000000001';
const OTHER_GUILD = '390000000000000009';
// Discord permission bits (https://discord.com/developers/docs/topics/permissions): no Send Messages.
const VIEW_CHANNEL = 1n << 10n;
const EMBED_LINKS = 1n << 14n;
const ATTACH_FILES = 1n << 15n;
const READ_MESSAGE_HISTORY = 1n << 16n;

describe('buttons pressed in a direct message, with ALLOWED_GUILDS set', () => {
  let h: BotHarness;

  afterEach(async () => {
    await h.stop();
  });

  /** A video the bot had to send by direct message, in an allowed server: the DM message and its Delete button. */
  async function videoSentByDirectMessage(): Promise<{ dm: string; message: StandInMessage; deleteId: string }> {
    h = await BotHarness.start({
      discord: { guildIds: [GUILD], botPermissions: (VIEW_CHANNEL | EMBED_LINKS | ATTACH_FILES | READ_MESSAGE_HISTORY).toString() },
      env: { ALLOWED_GUILDS: `${GUILD},${OTHER_GUILD}`, QUOTA_MEMBER_UNITS: 'off' },
    });
    await h.startBot();
    await expiredDuringGeneration(h, () => dispatchAnimate(h.discord, {}));
    await until(() => h.discord.directChannelOf(h.discord.memberUserId) !== undefined, 15_000, 'a direct message channel');
    const dm = h.discord.directChannelOf(h.discord.memberUserId) ?? '';
    const post = await h.discord.waitForRequest(
      (r) => r.method === 'POST' && r.path === `/channels/${dm}/messages` && r.status === 200,
      15_000,
    );
    const deleteId = buttonsOf(bodyOf(post)).find((b) => b.label === 'Delete')?.custom_id ?? '';
    const message = h.discord.messagesIn(dm).find((m) => m.attachments.length > 0);
    if (!message) throw new Error('no video in the direct message');
    return { dm, message, deleteId };
  }

  it('Delete pressed in the DM by the member who asked deletes the video there', async () => {
    const { dm, message, deleteId } = await videoSentByDirectMessage();

    const press = h.discord.dispatchButton({ customId: deleteId, onMessage: message.id, directMessage: true });
    expect(press.payload).not.toHaveProperty('guild_id');
    expect(press.payload).not.toHaveProperty('member');
    expect(press.payload).toMatchObject({ context: 1, user: { id: h.discord.memberUserId }, channel: { id: dm, type: 1 } });

    // Acknowledged as an update of the message it is on, then that message deleted: no "not enabled".
    expect(callbackOf(await initialResponse(h.discord, press.token))).toMatchObject({ type: 6 });
    await until(() => h.discord.messagesIn(dm).every((m) => m.id !== message.id), 5_000, 'the video deleted');
    const deletion = await h.discord.waitForRequest((r) => r.method === 'DELETE' && r.path.includes(press.token));
    expect(deletion.status).toBe(204);
  });

  it('anything else without a server is still refused as not enabled: another button in the DM, and a command', async () => {
    const { dm, message, deleteId } = await videoSentByDirectMessage();
    const taskId = deleteId.slice('animate-delete:'.length);

    const reroll = h.discord.dispatchButton({ customId: `animate-reroll:${taskId}`, onMessage: message.id, directMessage: true });
    const refusal = callbackOf(await initialResponse(h.discord, reroll.token));
    expect(refusal).toMatchObject({ type: 4, data: { flags: 64, allowed_mentions: { parse: [] } } });
    expect(refusal.data?.content).toContain('not enabled');

    const quota = h.discord.dispatchCommand({ commandName: 'animate-quota', directMessage: true });
    const quotaRefusal = callbackOf(await initialResponse(h.discord, quota.token));
    expect(quotaRefusal).toMatchObject({ type: 4, data: { flags: 64 } });
    expect(quotaRefusal.data?.content).toContain('not enabled');

    // Nothing was asked of the provider again, and the video is still there.
    expect(h.video.submissions).toHaveLength(1);
    expect(h.discord.messagesIn(dm).map((m) => m.id)).toContain(message.id);
  });
});
