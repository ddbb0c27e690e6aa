/**
 * /animate end to end: the real bot and discord.js client against the Discord and video-API stand-ins.
 * Every assertion is on what Discord or the provider actually received.
 */
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BotHarness } from '../support/bot-harness.ts';
import sharp from 'sharp';
import { dispatchAnimate } from '../support/e2e-requests.ts';
import { makeGif, makeHeicHeader, makePng } from '../support/image-fixtures.ts';
import { exifRotatedJpeg, webpOf } from '../support/phone-pictures.ts';

const SAMPLE_MP4 = readFileSync(new URL('../fixtures/sample.mp4', import.meta.url));

describe('/animate end to end', () => {
  let h: BotHarness;

  beforeEach(async () => {
    h = await BotHarness.start();
    await h.startBot();
  });

  afterEach(async () => {
    await h.stop();
  });

  function animate(input: {
    prompt?: string;
    picture?: Buffer;
    filename?: string;
    contentType?: string;
    extra?: { name: string; type: number; value: string | number }[];
    attachmentSizeLimit?: number;
  }) {
    const { extra, ...rest } = input;
    return dispatchAnimate(h.discord, {
      ...rest,
      hostedName: `${Math.random().toString(36).slice(2)}-${input.filename ?? 'photo.png'}`,
      options: extra ?? [],
    });
  }

  const requestsFor = (token: string) => h.discord.requests.filter((r) => r.path.includes(token));

  it('defers at once, shows progress, and delivers the mp4 in the original reply', async () => {
    h.video.nextTask({ pollsBeforeDone: 2, etaSeconds: 1 });
    const { token } = animate({});
    const edit = await h.waitForVideoEdit();

    const mine = requestsFor(token);
    const callback = mine[0];
    expect(callback?.method).toBe('POST');
    expect(callback?.path).toMatch(/\/interactions\/\d+\/.+\/callback$/);
    expect(callback?.body).toMatchObject({ type: 5 });

    expect(edit.files).toHaveLength(1);
    expect(edit.files[0]?.filename).toMatch(/\.mp4$/);
    expect(Buffer.compare(edit.files[0]?.data ?? Buffer.alloc(0), SAMPLE_MP4)).toBe(0);
    expect(edit.body).toMatchObject({ allowed_mentions: { parse: [] } });
    expect((edit.body as { content: string }).content).toContain('the waves roll in slowly');

    const progress = mine
      .filter((r) => r.method === 'PATCH' && r.files.length === 0)
      .map((r) => String((r.body as { content?: string }).content));
    expect(progress.some((c) => c.includes('Checking your picture'))).toBe(true);
    expect(progress.some((c) => c.includes('Generating'))).toBe(true);
    expect(h.video.submissions).toHaveLength(1);
  });

  it('sends every option and the checked bytes as raw base64', async () => {
    const picture = makePng(400, 300);
    animate({
      picture,
      prompt: 'a cat turns its head',
      extra: [
        { name: 'duration', type: 3, value: '10' },
        { name: 'cfg_scale', type: 10, value: 0.8 },
        { name: 'negative_prompt', type: 3, value: 'blurry, distorted' },
      ],
    });
    await h.waitForVideoEdit();
    expect(h.video.submissions).toHaveLength(1);
    expect(h.video.submissions[0]?.body).toEqual({
      image: picture.toString('base64'),
      prompt: 'a cat turns its head',
      duration: '10',
      cfg_scale: 0.8,
      mode: 'pro',
      negative_prompt: 'blurry, distorted',
    });
  });

  it('uses the defaults when only the picture and prompt are given', async () => {
    animate({});
    await h.waitForVideoEdit();
    expect(h.video.submissions[0]?.body).toMatchObject({ duration: '5', cfg_scale: 0.5, mode: 'pro' });
    expect(h.video.submissions[0]?.body).not.toHaveProperty('negative_prompt');
  });

  describe('refuses pictures it cannot use, before anything is paid for', () => {
    const cases = [
      {
        name: 'an iPhone HEIC photo',
        picture: () => makeHeicHeader(),
        filename: 'IMG_0001.HEIC',
        contentType: 'image/heic',
        says: /Most Compatible/,
      },
      {
        name: 'a text file named .png',
        picture: () => Buffer.from('this is not a picture at all\n'),
        filename: 'photo.png',
        contentType: 'image/png',
        says: /isn't a picture the bot can read/i,
      },
      {
        name: 'a 200x200 picture',
        picture: () => makePng(200, 200),
        filename: 'small.png',
        contentType: 'image/png',
        says: /That picture is 200x200; it needs to be at least 300x300 pixels/,
      },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        const { token } = animate({ picture: c.picture(), filename: c.filename, contentType: c.contentType });
        const followUp = await h.discord.waitForRequest((r) => r.method === 'POST' && r.path.endsWith(token));
        expect(followUp.body).toMatchObject({ flags: 64, allowed_mentions: { parse: [] } });
        expect((followUp.body as { content: string }).content).toMatch(c.says);
        await h.discord.waitForRequest((r) => r.method === 'DELETE' && r.path.includes(token) && r.path.endsWith('@original'));
        expect(h.video.submissions).toEqual([]);
      });
    }
  });

  describe('converts what a phone sends, and the provider receives a JPEG', () => {
    /** The picture the video API stand-in received, decoded from its raw base64. */
    const submitted = () => Buffer.from(String((h.video.submissions[0]?.body as { image?: string }).image), 'base64');

    it('a GIF (refused before this version), by its first frame', async () => {
      animate({ picture: makeGif(400, 400), filename: 'funny.gif', contentType: 'image/gif' });
      await h.waitForVideoEdit();
      expect(await sharp(submitted()).metadata()).toMatchObject({ format: 'jpeg', width: 400, height: 400 });
    });

    it('a WebP', async () => {
      animate({ picture: await webpOf(640, 480), filename: 'photo.webp', contentType: 'image/webp' });
      await h.waitForVideoEdit();
      expect(await sharp(submitted()).metadata()).toMatchObject({ format: 'jpeg', width: 640, height: 480 });
    });

    it('a portrait photo stored sideways, upright, with no EXIF rotation left', async () => {
      animate({ picture: await exifRotatedJpeg(640, 480), filename: 'IMG_0002.jpg', contentType: 'image/jpeg' });
      await h.waitForVideoEdit();
      const picture = submitted();
      const sent = await sharp(picture).metadata();
      expect(sent).toMatchObject({ format: 'jpeg', width: 480, height: 640 });
      expect(sent.orientation ?? 1).toBe(1);
      // Stored with red on the left, turned a quarter clockwise: red is now at the top.
      const { data } = await sharp(picture).raw().toBuffer({ resolveWithObject: true });
      const top = [data[(10 * 480 + 240) * 3], data[(10 * 480 + 240) * 3 + 2]];
      const bottom = [data[(630 * 480 + 240) * 3], data[(630 * 480 + 240) * 3 + 2]];
      expect(top[0]).toBeGreaterThan(200);
      expect(top[1]).toBeLessThan(60);
      expect(bottom[0]).toBeLessThan(60);
      expect(bottom[1]).toBeGreaterThan(200);
    });
  });

  it("shows the provider's reason when the generation fails", async () => {
    h.video.nextTask({ pollsBeforeDone: 1, outcome: { kind: 'fail', reason: 'The image violates the content policy' } });
    const { token } = animate({});
    const edit = await h.discord.waitForRequest(
      (r) => r.method === 'PATCH' && r.path.includes(token) && String((r.body as { content?: string }).content).startsWith('❌'),
    );
    const content = (edit.body as { content: string }).content;
    expect(content).toContain('The image violates the content policy');
    expect(content).not.toMatch(/Error|at \w+ \(/);
  });

  it('delivers a 2500-character prompt within the message limit', async () => {
    const prompt = 'A lighthouse beam sweeps across a stormy sea while gulls circle. '.repeat(40).slice(0, 2500);
    animate({ prompt });
    const edit = await h.waitForVideoEdit();
    expect(h.video.submissions[0]?.body).toMatchObject({ prompt });
    const content = (edit.body as { content: string }).content;
    expect(content.length).toBeLessThanOrEqual(2000);
    expect(content).toContain('A lighthouse beam');
  });

  it('pings no one, whatever the prompt says', async () => {
    animate({ prompt: '@everyone @here <@&123456789012345678> <@223456789012345678> look at this' });
    await h.waitForVideoEdit();
    const bodies = h.messageBodies();
    expect(bodies.length).toBeGreaterThan(1);
    for (const { body } of bodies) {
      expect(body.allowed_mentions).toEqual({ parse: [] });
      expect(String(body.content)).not.toMatch(/@everyone|@here|<@&\d|<@\d/);
    }
  });

  it('gives a link when the video is over the upload limit, and keeps running', async () => {
    h.video.nextTask({ outcome: { kind: 'succeed', video: Buffer.alloc(3 * 1024 * 1024, 7) } });
    const { token } = animate({ attachmentSizeLimit: 1024 * 1024 });
    const edit = await h.discord.waitForRequest(
      (r) => r.method === 'PATCH' && r.path.includes(token) && String((r.body as { content?: string }).content).includes('upload limit'),
    );
    expect(edit.files).toEqual([]);
    const content = (edit.body as { content: string }).content;
    expect(content).toMatch(new RegExp(`${h.video.baseUrl.replace(/[.:/]/g, '\\$&')}/files/.+\\.mp4`));
    expect(content).toMatch(/expires <t:\d+:R>/);

    // Still up: the next member's video arrives as a file.
    animate({});
    await h.waitForVideoEdit();
  });
});
