/**
 * /animate-settings end to end: a member's own defaults, shown, set and reset privately, and applied by
 * /animate, the Animate form and Remix to whatever the member leaves out. Assertions are on what Discord and
 * the provider received.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BotHarness } from '../support/bot-harness.ts';
import type { RecordedRequest } from '../support/discord-stand-in.ts';
import { dispatchAnimate, initialResponse as initialResponseTo, videoEdit as videoEditOf } from '../support/e2e-requests.ts';
import { makePng } from '../support/image-fixtures.ts';

const OTHER_MEMBER = '740000000000000001';

interface Body {
  content?: string;
  flags?: number;
  components?: { type: number; components: { label: string; custom_id: string }[] }[];
}
const callbackOf = (r: RecordedRequest) => (r.body ?? {}) as { type: number; data?: Body };

interface Option {
  name: string;
  type: number;
  value: string | number | boolean;
}

describe('/animate-settings and the defaults it sets', () => {
  let h: BotHarness;

  beforeEach(async () => {
    h = await BotHarness.start({ env: { QUOTA_MEMBER_UNITS: 'off', QUOTA_MEMBER_RUNNING: 'off', QUOTA_MEMBER_WAITING: 'off' } });
    await h.startBot();
  });

  afterEach(async () => {
    await h.stop();
  });

  const initialResponse = (token: string) => initialResponseTo(h.discord, token);
  const videoEdit = (token: string) => videoEditOf(h.discord, token);

  /** Runs /animate-settings; resolves with its private answer. */
  async function settings(options: Option[] = [], userId?: string, guildId?: string): Promise<string> {
    const run = h.discord.dispatchCommand({
      commandName: 'animate-settings',
      options,
      ...(userId !== undefined ? { userId } : {}),
      ...(guildId !== undefined ? { guildId } : {}),
    });
    const answer = callbackOf(await initialResponse(run.token));
    expect(answer).toMatchObject({ type: 4, data: { flags: 64, allowed_mentions: { parse: [] } } });
    return answer.data?.content ?? '';
  }

  function animate(options: Option[] = [], userId?: string, guildId?: string) {
    return dispatchAnimate(h.discord, {
      options,
      ...(userId !== undefined ? { userId } : {}),
      ...(guildId !== undefined ? { guildId } : {}),
    });
  }

  const submission = (index: number) => h.video.submissions[index]?.body;

  it('shows, sets and resets the defaults, privately', async () => {
    expect(await settings()).toBe(
      [
        '⚙️ Your defaults in this server:',
        '• Length: 5 s (bot default)',
        '• cfg_scale: 0.5 (bot default)',
        '• Avoid: nothing (bot default)',
        'They apply whenever you leave an option out of /animate, Apps → Animate or Remix.',
      ].join('\n'),
    );
    expect(
      await settings([
        { name: 'duration', type: 3, value: '10' },
        { name: 'negative_prompt', type: 3, value: 'blurry, @everyone' },
      ]),
    ).toBe(
      [
        '✅ Saved. Your defaults in this server:',
        '• Length: 10 s',
        '• cfg_scale: 0.5 (bot default)',
        '• Avoid: blurry, @\u200beveryone',
        'They apply whenever you leave an option out of /animate, Apps → Animate or Remix.',
      ].join('\n'),
    );
    // A change keeps what was set before.
    expect(await settings([{ name: 'cfg_scale', type: 10, value: 0.8 }])).toContain('• Length: 10 s\n• cfg_scale: 0.8\n• Avoid: blurry');
    expect(await settings()).toContain('• Length: 10 s\n• cfg_scale: 0.8\n• Avoid: blurry');
    // Another member's defaults are their own.
    expect(await settings([], OTHER_MEMBER)).toContain('• Length: 5 s (bot default)');

    expect(await settings([{ name: 'reset', type: 5, value: true }])).toBe('✅ Your defaults are cleared: the bot’s own apply again.');
    expect(await settings()).toContain('• Length: 5 s (bot default)\n• cfg_scale: 0.5 (bot default)\n• Avoid: nothing (bot default)');
  });

  it('/animate takes the member’s defaults for the options left out, and what they type over them', async () => {
    await settings([
      { name: 'duration', type: 3, value: '10' },
      { name: 'cfg_scale', type: 10, value: 0.8 },
      { name: 'negative_prompt', type: 3, value: 'blurry' },
    ]);
    await videoEdit(animate().token);
    expect(submission(0)).toMatchObject({ duration: '10', cfg_scale: 0.8, negative_prompt: 'blurry' });

    await videoEdit(
      animate([
        { name: 'duration', type: 3, value: '5' },
        { name: 'negative_prompt', type: 3, value: 'people' },
      ]).token,
    );
    expect(submission(1)).toMatchObject({ duration: '5', cfg_scale: 0.8, negative_prompt: 'people' });

    // Another member's /animate is not affected.
    await videoEdit(animate([], OTHER_MEMBER).token);
    expect(submission(2)).toMatchObject({ duration: '5', cfg_scale: 0.5 });
    expect(submission(2)).not.toHaveProperty('negative_prompt');

    // Reset: the bot's defaults again.
    await settings([{ name: 'reset', type: 5, value: true }]);
    await videoEdit(animate().token);
    expect(submission(3)).toMatchObject({ duration: '5', cfg_scale: 0.5 });
    expect(submission(3)).not.toHaveProperty('negative_prompt');
  });

  it('the Animate form opens prefilled with the defaults, and its empty fields take them', async () => {
    await settings([
      { name: 'duration', type: 3, value: '10' },
      { name: 'cfg_scale', type: 10, value: 0.25 },
      { name: 'negative_prompt', type: 3, value: 'blurry' },
    ]);
    const picture = makePng(500, 500);
    const url = h.discord.hostAttachment('menu.png', picture, 'image/png');
    const menu = h.discord.dispatchMessageCommand({
      commandName: 'Animate',
      target: {
        content: 'look',
        attachments: [
          { id: '900000000000000009', filename: 'menu.png', size: picture.length, url, proxy_url: url, content_type: 'image/png' },
        ],
      },
    });
    expect(callbackOf(await initialResponse(menu.token))).toMatchObject({ type: 9 });
    expect(h.discord.modalShown(menu.token)?.fields.map((f) => [f.customId, f.value])).toEqual([
      ['prompt', undefined],
      ['duration', '10'],
      ['negative_prompt', 'blurry'],
    ]);
    // The member empties both optional fields: an empty field means their default.
    const sent = h.discord.dispatchModalSubmit({
      onToken: menu.token,
      values: { prompt: 'the leaves sway', duration: '', negative_prompt: '' },
    });
    await videoEdit(sent.token);
    expect(submission(0)).toMatchObject({ prompt: 'the leaves sway', duration: '10', cfg_scale: 0.25, negative_prompt: 'blurry' });
  });

  it('Remix prefills the presser’s default negative prompt when the video had none, and an emptied field takes it', async () => {
    const { token } = animate();
    const video = await videoEdit(token);
    const remix = ((video.body as Body).components ?? []).flatMap((row) => row.components).find((b) => b.label === 'Remix');
    await settings([{ name: 'negative_prompt', type: 3, value: 'blurry' }], OTHER_MEMBER);

    const press = h.discord.dispatchButton({ customId: remix?.custom_id ?? '', onToken: token, userId: OTHER_MEMBER });
    expect(callbackOf(await initialResponse(press.token))).toMatchObject({ type: 9 });
    expect(h.discord.modalShown(press.token)?.fields.map((f) => f.value)).toEqual(['the waves roll in slowly', 'blurry']);
    const sent = h.discord.dispatchModalSubmit({
      onToken: press.token,
      userId: OTHER_MEMBER,
      values: { prompt: 'the waves freeze', negative_prompt: '' },
    });
    await videoEdit(sent.token);
    expect(submission(1)).toMatchObject({ prompt: 'the waves freeze', duration: '5', cfg_scale: 0.5, negative_prompt: 'blurry' });
  });

  it('are per member per server: defaults set in one server do not apply in another', async () => {
    await h.stop();
    const [here, there] = ['500000000000000001', '500000000000000002'];
    h = await BotHarness.start({
      discord: { guildIds: [here, there] },
      env: { QUOTA_MEMBER_UNITS: 'off', QUOTA_MEMBER_RUNNING: 'off', QUOTA_MEMBER_WAITING: 'off' },
    });
    await h.startBot();
    await settings([{ name: 'duration', type: 3, value: '10' }], undefined, here);
    expect(await settings([], undefined, there)).toContain('• Length: 5 s (bot default)');
    await videoEdit(animate([], undefined, there).token);
    expect(submission(0)).toMatchObject({ duration: '5' });
    await videoEdit(animate([], undefined, here).token);
    expect(submission(1)).toMatchObject({ duration: '10' });
  });
});
