/**
 * Moderators set quotas, members spend them: end to end through the Discord stand-in, with the real bot.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { BotHarness } from '../support/bot-harness.ts';
import { MEMBER_PERMISSIONS, type RecordedRequest } from '../support/discord-stand-in.ts';
import { makePng } from '../support/image-fixtures.ts';

const MANAGE_GUILD = 1n << 5n;
const MODERATOR = (MEMBER_PERMISSIONS | MANAGE_GUILD).toString();
const MEMBER = '710000000000000001';
const ARTISTS_ROLE = '720000000000000001';

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

interface Option {
  name: string;
  type: number;
  value?: string | number | boolean;
  options?: Option[];
}

describe('quotas end to end', () => {
  let h: BotHarness;

  afterEach(async () => {
    await h.stop();
  });

  async function start(env: Record<string, string> = {}) {
    h = await BotHarness.start({ discord: { roles: [{ id: ARTISTS_ROLE, name: 'artists' }] }, env });
    await h.startBot();
  }

  function animate(userId = MEMBER, extra: Option[] = [], memberRoles: string[] = []) {
    const picture = makePng(400, 400);
    const url = h.discord.hostAttachment(`${Math.random().toString(36).slice(2)}.png`, picture, 'image/png');
    return h.discord.dispatchCommand({
      commandName: 'animate',
      userId,
      memberRoles,
      options: [
        { name: 'image', type: 11, value: '900000000000000001' },
        { name: 'prompt', type: 3, value: 'leaves drift down' },
        ...extra,
      ],
      attachments: [{ id: '900000000000000001', filename: 'p.png', size: picture.length, url, proxy_url: url, content_type: 'image/png' }],
    });
  }

  function admin(
    sub: string,
    options: Option[],
    permissions = MODERATOR,
    resolved: { users?: string[]; roles?: string[]; channels?: string[] } = {},
  ) {
    return h.discord.dispatchCommand({
      commandName: 'animate-admin',
      userId: '730000000000000001',
      permissions,
      options: [{ name: sub, type: 1, options }],
      ...(resolved.users ? { resolvedUsers: resolved.users } : {}),
      ...(resolved.roles ? { resolvedRoles: resolved.roles } : {}),
      ...(resolved.channels ? { resolvedChannels: resolved.channels } : {}),
    });
  }

  const callbackOf = (token: string) =>
    h.discord.waitForRequest((r) => r.method === 'POST' && r.path.includes(token) && r.path.endsWith('/callback'));
  const contentOf = (r: RecordedRequest) => {
    const body = r.body as { data?: { content?: string }; content?: string };
    return body.data?.content ?? body.content ?? '';
  };
  const flagsOf = (r: RecordedRequest) => (r.body as { data?: { flags?: number } }).data?.flags ?? 0;
  const videoFor = (token: string) =>
    h.discord.waitForRequest((r) => r.method === 'PATCH' && r.path.includes(token) && r.files.length > 0, 20_000);

  it('a moderator sets an allowance, the member spends it, and the next command is refused with the renewal time', async () => {
    await start();
    const set = await callbackOf(
      admin(
        'member',
        [
          { name: 'member', type: 6, value: MEMBER },
          { name: 'units', type: 4, value: 2 },
        ],
        MODERATOR,
        { users: [MEMBER] },
      ).token,
    );
    expect(flagsOf(set)).toBe(64);
    expect(contentOf(set)).toContain(`<@${MEMBER}>: not set → **2 units** per day`);

    await videoFor(animate().token);
    await videoFor(animate().token);
    const refused = animate();
    const answer = await callbackOf(refused.token);
    expect((answer.body as { type: number }).type).toBe(4);
    expect(flagsOf(answer)).toBe(64);
    expect(contentOf(answer)).toMatch(/you have 0 units left this day.*renew <t:\d+:R>/);
    // No public trace: no deferral, no edit of a public reply.
    expect(h.discord.requests.filter((r) => r.path.includes(refused.token))).toHaveLength(1);
    expect(h.video.submissions).toHaveLength(2);

    const quota = await callbackOf(h.discord.dispatchCommand({ commandName: 'animate-quota', userId: MEMBER }).token);
    expect(flagsOf(quota)).toBe(64);
    expect(contentOf(quota)).toContain('**0 units** left this day');
    expect(contentOf(quota)).toContain('your own allowance');
  });

  it('a provider failure refunds the units and says so', async () => {
    await start({ QUOTA_MEMBER_UNITS: '1' });
    h.video.nextTask({ outcome: { kind: 'fail', reason: 'content policy' } });
    const failed = animate();
    const edit = await h.discord.waitForRequest(
      (r) => r.method === 'PATCH' && r.path.includes(failed.token) && contentOf(r).startsWith('❌'),
    );
    expect(contentOf(edit)).toContain('content policy');
    expect(contentOf(edit)).toContain('Your 1 unit was refunded.');
    await videoFor(animate().token);
    expect(h.video.submissions).toHaveLength(2);
  });

  it('a refused picture refunds the units', async () => {
    await start({ QUOTA_MEMBER_UNITS: '1' });
    const url = h.discord.hostAttachment('small.png', makePng(100, 100), 'image/png');
    const { token } = h.discord.dispatchCommand({
      commandName: 'animate',
      userId: MEMBER,
      options: [
        { name: 'image', type: 11, value: '9' },
        { name: 'prompt', type: 3, value: 'x' },
      ],
      attachments: [{ id: '9', filename: 'small.png', size: 10, url, proxy_url: url, content_type: 'image/png' }],
    });
    const followUp = await h.discord.waitForRequest((r) => r.method === 'POST' && r.path.endsWith(token));
    expect(contentOf(followUp)).toContain('Your 1 unit was refunded.');
    await videoFor(animate().token);
  });

  it('a member without Manage Server cannot change anything', async () => {
    await start({ QUOTA_MEMBER_UNITS: '1' });
    const attempt = await callbackOf(admin('default', [{ name: 'units', type: 4, value: 50 }], MEMBER_PERMISSIONS.toString()).token);
    expect(flagsOf(attempt)).toBe(64);
    expect(contentOf(attempt)).toContain('Manage Server');
    await videoFor(animate().token);
    const refused = await callbackOf(animate().token);
    expect(contentOf(refused)).toContain('Not enough units');
  });

  it("an unlimited budget is capped by the operator's ceiling per server, and the moderator is told so", async () => {
    await start({ QUOTA_SERVER_MAX_UNITS: '1', QUOTA_MEMBER_UNITS: 'off' });
    const set = await callbackOf(admin('budget', [{ name: 'unlimited', type: 5, value: true }]).token);
    expect(contentOf(set)).toContain('caps every server at 1 unit a day');
    const within = await callbackOf(admin('default', [{ name: 'units', type: 4, value: 1 }]).token);
    expect(contentOf(within)).not.toContain('caps every server');

    await videoFor(animate().token);
    const refused = await callbackOf(animate('770000000000000001').token);
    expect(flagsOf(refused)).toBe(64);
    expect(contentOf(refused)).toContain("reached the bot's daily limit of 1 unit per server");
    expect(h.video.submissions).toHaveLength(1);
  });

  it("a role's allowance beats the default, and a 10-second video costs two units", async () => {
    await start({ QUOTA_MEMBER_UNITS: '1' });
    const set = await callbackOf(
      admin(
        'role',
        [
          { name: 'role', type: 8, value: ARTISTS_ROLE },
          { name: 'units', type: 4, value: 2 },
        ],
        MODERATOR,
        { roles: [ARTISTS_ROLE] },
      ).token,
    );
    expect(contentOf(set)).toContain(`<@&${ARTISTS_ROLE}>: not set → **2 units**`);
    await videoFor(animate(MEMBER, [{ name: 'duration', type: 3, value: '10' }], [ARTISTS_ROLE]).token);
    expect(h.video.submissions[0]?.body).toMatchObject({ duration: '10' });
    const refused = await callbackOf(animate(MEMBER, [], [ARTISTS_ROLE]).token);
    expect(contentOf(refused)).toContain(`the allowance of your role <@&${ARTISTS_ROLE}>`);
  });

  it('twenty commands at once with 3 units left give exactly 3 generations and 17 private refusals', async () => {
    await start();
    const tokens = Array.from({ length: 20 }, () => animate().token);
    const callbacks = await Promise.all(tokens.map((token) => callbackOf(token)));
    const deferred = callbacks.filter((c) => (c.body as { type: number }).type === 5);
    const refused = callbacks.filter((c) => (c.body as { type: number }).type === 4);
    expect(deferred).toHaveLength(3);
    expect(refused).toHaveLength(17);
    for (const r of refused) {
      expect(flagsOf(r)).toBe(64);
      expect(contentOf(r)).toMatch(/Not enough units|as many videos in progress/);
    }
    const accepted = tokens.filter((t) => deferred.some((d) => d.path.includes(t)));
    // One runs while two wait their turn, holding their units.
    await h.discord.waitForRequest((r) => r.method === 'PATCH' && contentOf(r).includes('in line'));
    await Promise.all(accepted.map((t) => videoFor(t)));
    expect(h.video.submissions).toHaveLength(3);
  });

  it('out of credit: the member is told and refunded, one log line alerts the operator, and the next member is refused privately', async () => {
    await start();
    h.video.failNextSubmit(403, { code: 403, reason: 'NOT_ENOUGH_BALANCE', message: 'insufficient balance', metadata: {} });
    const first = animate();
    const edit = await h.discord.waitForRequest(
      (r) => r.method === 'PATCH' && r.path.includes(first.token) && contentOf(r).startsWith('❌'),
    );
    expect(contentOf(edit)).toContain('unavailable right now');
    expect(contentOf(edit)).toContain('Your 1 unit was refunded.');
    expect(h.logs.filter((l) => l.includes('out of credit'))).toHaveLength(1);

    const next = await callbackOf(animate('770000000000000001').token);
    expect(flagsOf(next)).toBe(64);
    expect(contentOf(next)).toMatch(/unavailable right now\. Please try again <t:\d+:R>\. No units were used\./);
    // Only the refused attempt reached the provider.
    expect(h.video.submissions).toHaveLength(1);
  });

  it("the operator's daily cap counts a paid generation that failed, while the member is refunded", async () => {
    await start({ QUOTA_GLOBAL_UNITS: '1' });
    // The provider took the task (and may have charged), then every poll is refused.
    h.video.failNextPoll(400, { code: 400, reason: 'INVALID_REQUEST_BODY', message: 'task lookup refused' }, 50);
    const first = animate();
    const edit = await h.discord.waitForRequest(
      (r) => r.method === 'PATCH' && r.path.includes(first.token) && contentOf(r).startsWith('❌'),
      15_000,
    );
    expect(contentOf(edit)).toContain('Your 1 unit was refunded.');

    const next = await callbackOf(animate('770000000000000001').token);
    expect(flagsOf(next)).toBe(64);
    expect(contentOf(next)).toContain('daily limit across all servers');
    expect(h.video.submissions).toHaveLength(1);
  });

  it('in a server not in ALLOWED_GUILDS the bot says it is not enabled there and spends nothing', async () => {
    await start({ ALLOWED_GUILDS: '390000000000000009' });
    const answer = await callbackOf(animate().token);
    expect(flagsOf(answer)).toBe(64);
    expect(contentOf(answer)).toContain('not enabled in this server');
    const quota = await callbackOf(h.discord.dispatchCommand({ commandName: 'animate-quota', userId: MEMBER, options: [] }).token);
    expect(contentOf(quota)).toContain('not enabled in this server');
    expect(h.video.submissions).toEqual([]);
  });

  it('channels: /animate is refused outside the allowed channels', async () => {
    await start();
    const allowed = '740000000000000001';
    const set = await callbackOf(
      admin(
        'channels',
        [
          { name: 'action', type: 3, value: 'add' },
          { name: 'channel', type: 7, value: allowed },
        ],
        MODERATOR,
        { channels: [allowed] },
      ).token,
    );
    expect(contentOf(set)).toContain(`<#${allowed}>`);
    const refused = await callbackOf(animate().token);
    expect(contentOf(refused)).toContain(`can't be used in this channel. Try <#${allowed}>`);
    expect(h.video.submissions).toEqual([]);
  });

  it('removing the last allowed channel is refused: only clear allows every channel again', async () => {
    await start();
    const allowed = '740000000000000001';
    const channel = (action: string) =>
      admin(
        'channels',
        [
          { name: 'action', type: 3, value: action },
          { name: 'channel', type: 7, value: allowed },
        ],
        MODERATOR,
        { channels: [allowed] },
      ).token;
    await callbackOf(channel('add'));
    const removed = await callbackOf(channel('remove'));
    expect(contentOf(removed)).toContain('only channel');
    expect(contentOf(removed)).toContain('allow everywhere');
    const refused = await callbackOf(animate().token);
    expect(contentOf(refused)).toContain("can't be used in this channel");
    const cleared = await callbackOf(admin('channels', [{ name: 'action', type: 3, value: 'clear' }]).token);
    expect(contentOf(cleared)).toContain('every channel');
  });

  it('units together with unlimited is refused as a conflict, and limits can be lifted', async () => {
    await start();
    const conflict = await callbackOf(
      admin('default', [
        { name: 'units', type: 4, value: 5 },
        { name: 'unlimited', type: 5, value: true },
      ]).token,
    );
    expect(flagsOf(conflict)).toBe(64);
    expect(contentOf(conflict)).toContain('not both');
    const lifted = await callbackOf(admin('limits', [{ name: 'running_unlimited', type: 5, value: true }]).token);
    expect(contentOf(lifted)).toMatch(/Running per member: 1 → \*\*no limit\*\*/);
  });

  it('usage shows the spend, the top members and the settings, privately', async () => {
    await start();
    await videoFor(animate().token);
    const usage = await callbackOf(admin('usage', []).token);
    expect(flagsOf(usage)).toBe(64);
    expect(contentOf(usage)).toContain('1 unit used of 30 units');
    expect(contentOf(usage)).toContain(`<@${MEMBER}> 1`);
  });

  it('a grant gives extra units for this period, and a reset gives back what was spent', async () => {
    await start({ QUOTA_MEMBER_UNITS: '1' });
    await videoFor(animate().token);
    const grant = await callbackOf(
      admin(
        'grant',
        [
          { name: 'member', type: 6, value: MEMBER },
          { name: 'units', type: 4, value: 1 },
        ],
        MODERATOR,
        { users: [MEMBER] },
      ).token,
    );
    expect(contentOf(grant)).toContain('They now have 1 unit left');
    await videoFor(animate().token);
    // The video reaches Discord before the task is recorded as finished; until then its unit is still in
    // progress, which a reset leaves out. Once both are finished, both units were spent and are given back.
    const delivered = () => h.logs.filter((line) => (JSON.parse(line) as { msg: string }).msg === 'task delivered').length;
    await until(() => delivered() === 2, 8_000);
    const reset = await callbackOf(admin('reset', [{ name: 'member', type: 6, value: MEMBER }], MODERATOR, { users: [MEMBER] }).token);
    expect(contentOf(reset)).toContain('Gave 2 units back');
    await videoFor(animate().token);
    expect(h.video.submissions).toHaveLength(3);
  });
});

describe('waiting generations', () => {
  let h: BotHarness;

  afterEach(async () => {
    await h.stop();
  });

  it('show their place in line and can be cancelled by the member, with a refund; others cannot cancel them', async () => {
    h = await BotHarness.start();
    await h.startBot();
    h.video.nextTask({ pollsBeforeDone: 8, etaSeconds: 1 });
    const send = () => {
      const picture = makePng(400, 400);
      const url = h.discord.hostAttachment(`${Math.random().toString(36).slice(2)}.png`, picture, 'image/png');
      return h.discord.dispatchCommand({
        commandName: 'animate',
        userId: MEMBER,
        options: [
          { name: 'image', type: 11, value: '1' },
          { name: 'prompt', type: 3, value: 'rain' },
        ],
        attachments: [{ id: '1', filename: 'p.png', size: picture.length, url, proxy_url: url, content_type: 'image/png' }],
      });
    };
    const first = send();
    await h.video.waitForSubmission(10_000);
    const second = send();
    const waiting = await h.discord.waitForRequest(
      (r) =>
        r.method === 'PATCH' && r.path.includes(second.token) && String((r.body as { content?: string }).content).includes('1st in line'),
    );
    const row = (waiting.body as { components: { components: { custom_id: string }[] }[] }).components[0];
    const customId = row?.components[0]?.custom_id ?? '';
    expect(customId).toMatch(/^animate-cancel:/);

    const stranger = h.discord.dispatchButton({ customId, onToken: second.token, userId: '790000000000000001' });
    const refusal = await h.discord.waitForRequest((r) => r.method === 'POST' && r.path.endsWith(stranger.token));
    expect((refusal.body as { content: string; flags: number }).flags).toBe(64);
    expect((refusal.body as { content: string }).content).toContain('Only the member who asked');

    h.discord.dispatchButton({ customId, onToken: second.token, userId: MEMBER });
    const cancelled = await h.discord.waitForRequest(
      (r) => r.method === 'PATCH' && r.path.includes(second.token) && String((r.body as { content?: string }).content).startsWith('❌'),
    );
    expect((cancelled.body as { content: string }).content).toContain('Cancelled before it started. Your 1 unit was refunded.');
    expect((cancelled.body as { components: unknown[] }).components).toEqual([]);

    await h.discord.waitForRequest((r) => r.method === 'PATCH' && r.path.includes(first.token) && r.files.length > 0, 20_000);
    expect(h.video.submissions).toHaveLength(1);
  });
});
