/**
 * The buttons under a delivered video, end to end with the real bot against the stand-ins: Re-roll, Remix,
 * 10 s version and Delete, pressed by the member who asked and by others, before and after a restart, and
 * once the picture has expired. Every assertion is on what Discord or the provider actually received.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock, type Clock } from '../../src/clock.ts';
import { BotHarness } from '../support/bot-harness.ts';
import { MEMBER_PERMISSIONS, type DiscordStandInOptions } from '../support/discord-stand-in.ts';
import {
  bodyOf,
  buttonsOf,
  callbackOf,
  contentOf,
  dispatchAnimate,
  expiredDuringGeneration,
  initialResponse as initialResponseTo,
  until,
  videoEdit as videoEditOf,
  type Button,
} from '../support/e2e-requests.ts';

const SAMPLE_MP4 = readFileSync(new URL('../fixtures/sample.mp4', import.meta.url));
const OTHER_MEMBER = '740000000000000001';
const MANAGE_MESSAGES = 1n << 13n;
const MESSAGE_MODERATOR = (MEMBER_PERMISSIONS | MANAGE_MESSAGES).toString();
const HOUR_MS = 3_600_000;
const VIEW_CHANNEL = 1n << 10n;
const EMBED_LINKS = 1n << 14n;
const ATTACH_FILES = 1n << 15n;
const READ_MESSAGE_HISTORY = 1n << 16n;

const labelled = (buttons: Button[], label: string): Button => {
  const found = buttons.find((b) => b.label === label);
  if (!found) throw new Error(`no "${label}" button among ${buttons.map((b) => b.label).join(', ')}`);
  return found;
};

/** The system's clock, moved forward by hand: what a day passing looks like to the bot. */
class LaterClock implements Clock {
  offsetMs = 0;
  now(): number {
    return Date.now() + this.offsetMs;
  }
  setTimer(callback: () => void, delayMs: number): unknown {
    return systemClock.setTimer(callback, delayMs);
  }
  clearTimer(handle: unknown): void {
    systemClock.clearTimer(handle);
  }
}

describe('the buttons under a delivered video', () => {
  let h: BotHarness;
  const clock = new LaterClock();

  afterEach(async () => {
    clock.offsetMs = 0;
    await h.stop();
  });

  async function start(env: Record<string, string> = {}, discord: DiscordStandInOptions = {}) {
    // Enough units for a member who presses every button, unless a test says otherwise.
    h = await BotHarness.start({
      discord,
      env: { QUOTA_MEMBER_UNITS: 'off', QUOTA_MEMBER_RUNNING: 'off', QUOTA_MEMBER_WAITING: 'off', ...env },
    });
    await h.startBot({ clock });
  }

  async function restart() {
    await h.app?.stop();
    h.app = undefined;
    const identifies = h.discord.identifyCount;
    await h.startBot({ clock });
    await h.discord.waitForIdentify(10_000, identifies + 1);
  }

  function animate(input: { prompt?: string; userId?: string; duration?: '5' | '10'; negativePrompt?: string } = {}) {
    const { duration, negativePrompt, ...rest } = input;
    return dispatchAnimate(h.discord, {
      ...rest,
      options: [
        ...(duration !== undefined ? [{ name: 'duration', type: 3, value: duration }] : []),
        ...(negativePrompt !== undefined ? [{ name: 'negative_prompt', type: 3, value: negativePrompt }] : []),
      ],
    });
  }

  const initialResponse = (token: string) => initialResponseTo(h.discord, token);
  const videoEdit = (token: string) => videoEditOf(h.discord, token);
  /** A video delivered in answer to `token`, and its buttons. */
  async function delivered(token: string) {
    const edit = await videoEdit(token);
    return { edit, buttons: buttonsOf(bodyOf(edit)) };
  }
  /** The private answer to a press: a type 4 response with the ephemeral flag. */
  async function privateAnswer(token: string): Promise<string> {
    const answer = callbackOf(await initialResponse(token));
    expect(answer).toMatchObject({ type: 4, data: { flags: 64, allowed_mentions: { parse: [] } } });
    return answer.data?.content ?? '';
  }
  const submissionBodies = () => h.video.submissions.map((s) => s.body);
  const noNewSubmission = async (count: number) => {
    // Give a wrongly made request time to show itself.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(h.video.submissions).toHaveLength(count);
  };

  it('are Re-roll, Remix, 10 s version and Delete, each carrying a key within 100 characters', async () => {
    await start();
    const { buttons } = await delivered(animate().token);
    expect(buttons.map((b) => b.label)).toEqual(['Re-roll', 'Remix', '10 s version', 'Delete']);
    for (const button of buttons) {
      expect(button.custom_id).toMatch(/^animate-(reroll|remix|ten|delete):[0-9a-f-]{36}$/);
      expect(button.custom_id.length).toBeLessThanOrEqual(100);
    }
    // A 10 s video has no 10 s version.
    const long = await delivered(animate({ duration: '10' }).token);
    expect(long.buttons.map((b) => b.label)).toEqual(['Re-roll', 'Remix', 'Delete']);
  });

  it('Re-roll makes a new video of the same picture and options, in a new message, leaving the first as it was', async () => {
    await start();
    const { token } = animate({ negativePrompt: 'blurry' });
    const first = await delivered(token);
    const press = h.discord.dispatchButton({ customId: labelled(first.buttons, 'Re-roll').custom_id, onToken: token });
    expect(callbackOf(await initialResponse(press.token))).toMatchObject({ type: 5 });
    const again = await delivered(press.token);
    expect(Buffer.compare(again.edit.files[0]?.data ?? Buffer.alloc(0), SAMPLE_MP4)).toBe(0);
    expect(contentOf(again.edit)).toContain('the waves roll in slowly');
    expect(submissionBodies()).toHaveLength(2);
    expect(submissionBodies()[1]).toEqual(submissionBodies()[0]);
    // The new video has buttons of its own; the first one's message was not touched.
    expect(again.buttons.map((b) => b.label)).toEqual(['Re-roll', 'Remix', '10 s version', 'Delete']);
    expect(again.buttons[0]?.custom_id).not.toBe(first.buttons[0]?.custom_id);
    expect(h.discord.requests.filter((r) => r.method === 'PATCH' && r.path.includes(token) && r.at > first.edit.at)).toEqual([]);

    // A re-roll of the re-roll still has the picture.
    const third = h.discord.dispatchButton({ customId: labelled(again.buttons, 'Re-roll').custom_id, onToken: press.token });
    await delivered(third.token);
    expect(submissionBodies()[2]).toEqual(submissionBodies()[0]);
  });

  it('10 s version asks for the same picture and prompt at 10 seconds', async () => {
    await start();
    const { token } = animate();
    const first = await delivered(token);
    const press = h.discord.dispatchButton({ customId: labelled(first.buttons, '10 s version').custom_id, onToken: token });
    const longer = await delivered(press.token);
    expect(submissionBodies()[1]).toEqual({ ...submissionBodies()[0], duration: '10' });
    expect(longer.buttons.map((b) => b.label)).toEqual(['Re-roll', 'Remix', 'Delete']);
  });

  it('Remix opens a form with the prompt and negative prompt; the edited prompt reaches the provider', async () => {
    await start();
    const { token } = animate({ negativePrompt: 'blurry' });
    const first = await delivered(token);
    const press = h.discord.dispatchButton({ customId: labelled(first.buttons, 'Remix').custom_id, onToken: token });
    expect(callbackOf(await initialResponse(press.token))).toMatchObject({ type: 9 });
    const form = h.discord.modalShown(press.token);
    expect(form?.title).toBe('Remix this video');
    expect(form?.customId.length).toBeLessThanOrEqual(100);
    expect(form?.fields.map((f) => [f.customId, f.value])).toEqual([
      ['prompt', 'the waves roll in slowly'],
      ['negative_prompt', 'blurry'],
    ]);

    const sent = h.discord.dispatchModalSubmit({
      onToken: press.token,
      values: { prompt: 'the waves crash, the camera pulls back', negative_prompt: 'people' },
    });
    const remixed = await delivered(sent.token);
    expect(contentOf(remixed.edit)).toContain('the waves crash, the camera pulls back');
    expect(submissionBodies()[1]).toEqual({
      ...submissionBodies()[0],
      prompt: 'the waves crash, the camera pulls back',
      negative_prompt: 'people',
    });
  });

  it('any member may press them: the presser pays from their own units and owns the new video', async () => {
    await start({ QUOTA_MEMBER_UNITS: '1' });
    const { token } = animate();
    const first = await delivered(token);
    const reroll = labelled(first.buttons, 'Re-roll').custom_id;

    // The member who asked has spent their only unit: their own press is refused privately, like /animate.
    const own = h.discord.dispatchButton({ customId: reroll, onToken: token });
    expect(await privateAnswer(own.token)).toMatch(/^🚫 Not enough units: you have 0 units left this day/);
    await noNewSubmission(1);

    // Another member pays with their own unit, and the new video is theirs.
    const other = h.discord.dispatchButton({ customId: reroll, onToken: token, userId: OTHER_MEMBER });
    const theirs = await delivered(other.token);
    expect(submissionBodies()[1]).toEqual(submissionBodies()[0]);
    const again = h.discord.dispatchButton({ customId: reroll, onToken: token, userId: OTHER_MEMBER });
    expect(await privateAnswer(again.token)).toMatch(/^🚫 Not enough units: you have 0 units left this day/);
    await noNewSubmission(2);

    // Owned: the member who asked for the first video may not delete the new one; its presser may.
    const deleteTheirs = labelled(theirs.buttons, 'Delete').custom_id;
    const refused = h.discord.dispatchButton({ customId: deleteTheirs, onToken: other.token });
    expect(await privateAnswer(refused.token)).toContain('Only the member who asked for this video');
    const message = h.discord.originalMessage(other.token);
    const deleted = h.discord.dispatchButton({ customId: deleteTheirs, onToken: other.token, userId: OTHER_MEMBER });
    expect(callbackOf(await initialResponse(deleted.token))).toMatchObject({ type: 6 });
    await until(() => h.discord.messagesIn(h.discord.channelId).every((m) => m.id !== message?.id), 5_000, 'the video deleted');
  });

  it('Delete is refused privately to another member, allowed to one who can manage messages, never refunds, and erases the picture', async () => {
    await start({ QUOTA_MEMBER_UNITS: '2' });
    const { token } = animate();
    const first = await delivered(token);
    const message = h.discord.originalMessage(token);
    const deleteButton = labelled(first.buttons, 'Delete').custom_id;

    const stranger = h.discord.dispatchButton({ customId: deleteButton, onToken: token, userId: OTHER_MEMBER });
    expect(await privateAnswer(stranger.token)).toBe(
      'Only the member who asked for this video, or someone who can manage messages, can delete it.',
    );
    expect(h.discord.originalMessage(token)).toBeDefined();

    const moderator = h.discord.dispatchButton({
      customId: deleteButton,
      onToken: token,
      userId: OTHER_MEMBER,
      permissions: MESSAGE_MODERATOR,
    });
    expect(callbackOf(await initialResponse(moderator.token))).toMatchObject({ type: 6 });
    await until(() => h.discord.messagesIn(h.discord.channelId).every((m) => m.id !== message?.id), 5_000, 'the video deleted');

    // The member's /animate-history no longer sends it again.
    const taskId = deleteButton.slice('animate-delete:'.length);
    const history = h.discord.dispatchCommand({ commandName: 'animate-history' });
    await initialResponse(history.token);
    const resend = h.discord.dispatchButton({ customId: `animate-resend:${taskId}`, onToken: history.token });
    await h.discord.waitForRequest(
      (r) => r.path.includes(resend.token) && JSON.stringify(r.body ?? {}).includes('That video was deleted, so it cannot be sent again.'),
      8_000,
    );

    // The picture went with it: its Re-roll, pressed from anywhere it was copied, says so and asks nothing.
    const second = animate({ prompt: 'another one' });
    await delivered(second.token);
    const orphan = h.discord.dispatchButton({ customId: labelled(first.buttons, 'Re-roll').custom_id, onToken: second.token });
    expect(await privateAnswer(orphan.token)).toMatch(/^⌛ The picture of this video has expired/);
    await noNewSubmission(2);
    // No refund: both units are spent.
    const third = animate({ prompt: 'a third one' });
    expect(await privateAnswer(third.token)).toMatch(/^🚫 Not enough units: you have 0 units left this day/);
  });

  it('Delete pressed twice at once deletes once, and answers neither press with an apology', async () => {
    await start();
    const { token } = animate();
    const first = await delivered(token);
    const deleteButton = labelled(first.buttons, 'Delete').custom_id;
    const presses = [
      h.discord.dispatchButton({ customId: deleteButton, onToken: token }),
      h.discord.dispatchButton({ customId: deleteButton, onToken: token }),
    ];
    for (const press of presses) expect(callbackOf(await initialResponse(press.token))).toMatchObject({ type: 6 });
    await until(
      () => h.discord.requests.filter((r) => r.method === 'DELETE' && r.status !== undefined).length === 2,
      5_000,
      'both deletions answered',
    );
    expect(h.discord.originalMessage(token)).toBeUndefined();
    // Give a wrongly sent apology time to show itself.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(presses.flatMap((press) => h.discord.followUps(press.token))).toEqual([]);
    expect(h.logs.filter((line) => line.includes('command failed'))).toEqual([]);
  });

  it('each button still works after the bot restarts', async () => {
    await start();
    const { token } = animate({ negativePrompt: 'blurry' });
    const first = await delivered(token);
    await restart();

    const reroll = h.discord.dispatchButton({ customId: labelled(first.buttons, 'Re-roll').custom_id, onToken: token });
    await delivered(reroll.token);
    expect(submissionBodies()[1]).toEqual(submissionBodies()[0]);

    const ten = h.discord.dispatchButton({ customId: labelled(first.buttons, '10 s version').custom_id, onToken: token });
    await delivered(ten.token);
    expect(submissionBodies()[2]).toEqual({ ...submissionBodies()[0], duration: '10' });

    // A form opened before a restart is sent after it.
    const remix = h.discord.dispatchButton({ customId: labelled(first.buttons, 'Remix').custom_id, onToken: token });
    expect(callbackOf(await initialResponse(remix.token))).toMatchObject({ type: 9 });
    await restart();
    const sent = h.discord.dispatchModalSubmit({ onToken: remix.token, values: { prompt: 'slow zoom out', negative_prompt: '' } });
    await delivered(sent.token);
    const { negative_prompt: _none, ...withoutNegative } = submissionBodies()[0] ?? {};
    expect(submissionBodies()[3]).toEqual({ ...withoutNegative, prompt: 'slow zoom out' });

    const message = h.discord.originalMessage(token);
    const remove = h.discord.dispatchButton({ customId: labelled(first.buttons, 'Delete').custom_id, onToken: token });
    expect(callbackOf(await initialResponse(remove.token))).toMatchObject({ type: 6 });
    await until(() => h.discord.messagesIn(h.discord.channelId).every((m) => m.id !== message?.id), 5_000, 'the video deleted');
  });

  it('after IMAGE_RETENTION_HOURS the buttons say the picture has expired, privately, and ask nothing', async () => {
    await start({ IMAGE_RETENTION_HOURS: '2' });
    const { token } = animate();
    const first = await delivered(token);
    clock.offsetMs = 2 * HOUR_MS + 60_000;

    for (const label of ['Re-roll', 'Remix', '10 s version']) {
      const press = h.discord.dispatchButton({ customId: labelled(first.buttons, label).custom_id, onToken: token });
      expect(await privateAnswer(press.token)).toBe(
        '⌛ The picture of this video has expired. Send it again with /animate, or long-press it → Apps → Animate.',
      );
    }
    await noNewSubmission(1);
  });

  it('are on a video posted in the channel when the reply could no longer be edited, and work there', async () => {
    await start();
    await expiredDuringGeneration(h, animate);
    const post = await h.discord.waitForRequest(
      (r) => r.method === 'POST' && r.path === `/channels/${h.discord.channelId}/messages` && r.status === 200,
      15_000,
    );
    const buttons = buttonsOf(bodyOf(post));
    expect(buttons.map((b) => b.label)).toEqual(['Re-roll', 'Remix', '10 s version', 'Delete']);
    const posted = h.discord.messagesIn(h.discord.channelId).find((m) => m.attachments.length > 0);
    const press = h.discord.dispatchButton({ customId: labelled(buttons, 'Re-roll').custom_id, onMessage: posted?.id ?? '' });
    await delivered(press.token);
    expect(submissionBodies()[1]).toEqual(submissionBodies()[0]);
  });

  it('a video sent as a direct message carries Delete only: a new generation belongs in the server', async () => {
    await start({}, { botPermissions: (VIEW_CHANNEL | EMBED_LINKS | ATTACH_FILES | READ_MESSAGE_HISTORY).toString() });
    await expiredDuringGeneration(h, animate);
    await until(() => h.discord.directChannelOf(h.discord.memberUserId) !== undefined, 15_000, 'a direct message channel');
    const dm = h.discord.directChannelOf(h.discord.memberUserId) ?? '';
    const post = await h.discord.waitForRequest(
      (r) => r.method === 'POST' && r.path === `/channels/${dm}/messages` && r.status === 200,
      15_000,
    );
    expect(buttonsOf(bodyOf(post)).map((b) => b.label)).toEqual(['Delete']);
    expect(buttonsOf(bodyOf(post))[0]?.custom_id).toMatch(/^animate-delete:[0-9a-f-]{36}$/);
  });
});
