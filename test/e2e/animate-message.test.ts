/**
 * The "Animate" message menu end to end, as a member uses it on a phone: long-press a message with a picture,
 * Apps → Animate, fill in the form, get the video. The real bot and discord.js client against the Discord and
 * video-API stand-ins; every assertion is on what Discord or the provider actually received.
 */
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BotHarness } from '../support/bot-harness.ts';
import type { RecordedRequest, ResolvedAttachmentInput } from '../support/discord-stand-in.ts';
import { makeHeicHeader, makePng } from '../support/image-fixtures.ts';
import { exifRotatedJpeg, webpOf } from '../support/phone-pictures.ts';

const SAMPLE_MP4 = readFileSync(new URL('../fixtures/sample.mp4', import.meta.url));

interface Callback {
  type: number;
  data?: { content?: string; flags?: number; custom_id?: string };
}

describe('the Animate message menu end to end', () => {
  let h: BotHarness;

  beforeEach(async () => {
    h = await BotHarness.start();
    await h.startBot();
  });

  afterEach(async () => {
    await h.stop();
  });

  let attachmentIds = 0;
  /** A member's message holding `picture`, as Discord resolves it in the menu interaction. */
  function attached(picture: Buffer, filename: string, contentType: string): ResolvedAttachmentInput {
    const url = h.discord.hostAttachment(`${Math.random().toString(36).slice(2)}-${filename}`, picture, contentType);
    return {
      id: `90000000000000${String(++attachmentIds).padStart(4, '0')}`,
      filename,
      size: picture.length,
      url,
      proxy_url: url,
      content_type: contentType,
    };
  }

  const initialResponse = (token: string): Promise<RecordedRequest> =>
    h.discord.waitForRequest((r) => r.method === 'POST' && r.path.includes(token) && r.path.endsWith('/callback'));
  const callbackOf = (request: RecordedRequest) => request.body as Callback;
  const videoEdit = (token: string) =>
    h.discord.waitForRequest(
      (r) => r.method === 'PATCH' && r.path.includes(token) && r.path.endsWith('/messages/@original') && r.files.length > 0,
      20_000,
    );

  /** Long-press → Apps → Animate on a message with `attachments`; resolves once the form is shown. */
  async function openForm(attachments: ResolvedAttachmentInput[], content = 'look at this') {
    const menu = h.discord.dispatchMessageCommand({ commandName: 'Animate', target: { content, attachments } });
    const answer = callbackOf(await initialResponse(menu.token));
    return { menu, answer };
  }

  /** The picture the video API received, decoded from its raw base64. */
  const submitted = (index = 0) => Buffer.from(String((h.video.submissions[index]?.body as { image?: string }).image), 'base64');

  it('opens a form whose first field is the prompt, then makes the video with the options given', async () => {
    const picture = makePng(640, 480);
    const { menu, answer } = await openForm([attached(picture, 'photo.png', 'image/png')]);
    expect(answer.type).toBe(9);
    const form = h.discord.modalShown(menu.token);
    expect(form?.customId.length).toBeLessThanOrEqual(100);
    expect(form?.title).toBe('Animate this picture');
    expect(form?.fields.map((f) => [f.customId, f.required])).toEqual([
      ['prompt', true],
      ['duration', false],
      ['negative_prompt', false],
    ]);
    // Nobody has defaults yet: the optional fields open empty.
    expect(form?.fields.map((f) => f.value)).toEqual([undefined, undefined, undefined]);

    const sent = h.discord.dispatchModalSubmit({
      onToken: menu.token,
      values: { prompt: '  the waves roll in slowly  ', duration: '10', negative_prompt: 'blurry' },
    });
    const edit = await videoEdit(sent.token);
    expect(callbackOf(await initialResponse(sent.token))).toMatchObject({ type: 5 });
    expect(Buffer.compare(edit.files[0]?.data ?? Buffer.alloc(0), SAMPLE_MP4)).toBe(0);
    expect(edit.body).toMatchObject({ allowed_mentions: { parse: [] } });
    expect((edit.body as { content: string }).content).toContain('the waves roll in slowly');
    expect(h.video.submissions).toHaveLength(1);
    expect(h.video.submissions[0]?.body).toEqual({
      image: picture.toString('base64'),
      prompt: 'the waves roll in slowly',
      duration: '10',
      cfg_scale: 0.5,
      mode: 'pro',
      negative_prompt: 'blurry',
    });
  });

  it('takes the defaults for the optional fields left empty', async () => {
    const { menu } = await openForm([attached(makePng(400, 400), 'photo.png', 'image/png')]);
    const sent = h.discord.dispatchModalSubmit({ onToken: menu.token, values: { prompt: 'a cat turns its head' } });
    await videoEdit(sent.token);
    expect(h.video.submissions[0]?.body).toMatchObject({ prompt: 'a cat turns its head', duration: '5', cfg_scale: 0.5 });
    expect(h.video.submissions[0]?.body).not.toHaveProperty('negative_prompt');
  });

  it("uses the message's first picture, skipping files that are not pictures", async () => {
    const text = attached(Buffer.from('shopping list'), 'notes.txt', 'text/plain');
    const first = attached(makePng(500, 400), 'first.png', 'image/png');
    const second = attached(makePng(300, 300), 'second.png', 'image/png');
    const { menu } = await openForm([text, first, second]);
    await videoEdit(h.discord.dispatchModalSubmit({ onToken: menu.token, values: { prompt: 'zoom in' } }).token);
    expect(await sharp(submitted()).metadata()).toMatchObject({ width: 500, height: 400 });
  });

  it('converts a phone WebP, and turns a sideways portrait photo upright, before the provider sees them', async () => {
    const webp = await openForm([attached(await webpOf(640, 480), 'IMG_1.webp', 'image/webp')]);
    await videoEdit(h.discord.dispatchModalSubmit({ onToken: webp.menu.token, values: { prompt: 'the leaves sway' } }).token);
    expect(await sharp(submitted(0)).metadata()).toMatchObject({ format: 'jpeg', width: 640, height: 480 });

    const portrait = await openForm([attached(await exifRotatedJpeg(640, 480), 'IMG_2.jpg', 'image/jpeg')]);
    await videoEdit(h.discord.dispatchModalSubmit({ onToken: portrait.menu.token, values: { prompt: 'she smiles' } }).token);
    const sent = await sharp(submitted(1)).metadata();
    expect(sent).toMatchObject({ format: 'jpeg', width: 480, height: 640 });
    expect(sent.orientation ?? 1).toBe(1);
  });

  it('answers privately, and asks nothing, on a message without a picture', async () => {
    const { answer } = await openForm([attached(Buffer.from('shopping list'), 'notes.txt', 'text/plain')], 'no picture here');
    expect(answer).toMatchObject({ type: 4, data: { flags: 64 } });
    expect(answer.data?.content).toBe('That message has no picture. Long-press a message with a photo, then Apps → Animate.');
    expect(h.video.submissions).toEqual([]);
  });

  it('says how to send an iPhone HEIC photo instead, privately, and charges nothing', async () => {
    const { menu } = await openForm([attached(makeHeicHeader(), 'IMG_0001.HEIC', 'image/heic')]);
    const sent = h.discord.dispatchModalSubmit({ onToken: menu.token, values: { prompt: 'the sea moves' } });
    const followUp = await h.discord.waitForRequest((r) => r.method === 'POST' && r.path.endsWith(sent.token));
    expect(followUp.body).toMatchObject({ flags: 64, allowed_mentions: { parse: [] } });
    expect((followUp.body as { content: string }).content).toMatch(/HEIC.*JPEG.*Most Compatible/);
    expect(h.video.submissions).toEqual([]);
  });

  it('refuses a length other than 5 or 10 privately, before anything is reserved', async () => {
    const { menu } = await openForm([attached(makePng(400, 400), 'photo.png', 'image/png')]);
    const sent = h.discord.dispatchModalSubmit({ onToken: menu.token, values: { prompt: 'zoom in', duration: '7' } });
    const answer = callbackOf(await initialResponse(sent.token));
    expect(answer).toMatchObject({ type: 4, data: { flags: 64 } });
    expect(answer.data?.content).toBe('❌ The length is 5 or 10 seconds (or leave it empty).');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(h.video.submissions).toEqual([]);
  });

  it('is refused privately, like /animate, when the member has no units left', async () => {
    h = await restartWith(h, { QUOTA_MEMBER_UNITS: '0' });
    const { menu } = await openForm([attached(makePng(400, 400), 'photo.png', 'image/png')]);
    const sent = h.discord.dispatchModalSubmit({ onToken: menu.token, values: { prompt: 'zoom in' } });
    const answer = callbackOf(await initialResponse(sent.token));
    expect(answer).toMatchObject({ type: 4, data: { flags: 64 } });
    expect(answer.data?.content).toMatch(/^🚫/);
    expect(h.video.submissions).toEqual([]);
  });

  it('still works when the form is sent after the bot restarted', async () => {
    const picture = makePng(640, 360);
    const { menu } = await openForm([attached(picture, 'photo.png', 'image/png')]);
    await h.app?.stop();
    h.app = undefined;
    const identifies = h.discord.identifyCount;
    await h.startBot();
    await h.discord.waitForIdentify(10_000, identifies + 1);

    const sent = h.discord.dispatchModalSubmit({ onToken: menu.token, values: { prompt: 'clouds drift by' } });
    await videoEdit(sent.token);
    expect(h.video.submissions[0]?.body).toMatchObject({ image: picture.toString('base64'), prompt: 'clouds drift by' });
  });

  it("says the form expired when someone else sends it, or it is sent a second time; it stays the opener's", async () => {
    const { menu } = await openForm([attached(makePng(400, 400), 'photo.png', 'image/png')]);
    const other = h.discord.dispatchModalSubmit({ onToken: menu.token, userId: '333333333333333333', values: { prompt: 'mine now' } });
    expect(callbackOf(await initialResponse(other.token)).data?.content).toBe(
      'This form has expired. Long-press the message again and choose Apps → Animate.',
    );
    expect(h.video.submissions).toEqual([]);

    await videoEdit(h.discord.dispatchModalSubmit({ onToken: menu.token, values: { prompt: 'the opener' } }).token);
    const again = h.discord.dispatchModalSubmit({ onToken: menu.token, values: { prompt: 'twice' } });
    expect(callbackOf(await initialResponse(again.token)).data?.content).toMatch(/^This form has expired/);
    expect(h.video.submissions).toHaveLength(1);
  });
});

/** The same stand-ins, a new bot with `env` added (a fresh harness: its environment is fixed at start). */
async function restartWith(previous: BotHarness, env: Record<string, string>): Promise<BotHarness> {
  await previous.stop();
  const next = await BotHarness.start({ env });
  await next.startBot();
  return next;
}
