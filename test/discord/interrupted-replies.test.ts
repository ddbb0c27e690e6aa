/**
 * A request the bot acknowledged but never recorded (it died in between), refunded by reconciling: the
 * member's deferred reply is edited once, in their language, while the token lives; otherwise nothing is
 * sent and the operator gets one line. Against the Discord stand-in, asserting on what it received.
 */
import { once } from 'node:events';
import { Client, Events, GatewayIntentBits, REST, Routes } from 'discord.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InterruptedRequests, interruptedAnswerOf } from '../../src/animation/interrupted-request.ts';
import { interruptedRequestText } from '../../src/catalogue/render-reply.ts';
import { DiscordInterruptedReplies } from '../../src/discord/interrupted-replies.ts';
import { createLogger } from '../../src/logger.ts';
import type { RefundedOrphan } from '../../src/quota/quota-service.ts';
import { DiscordStandIn, type RecordedRequest } from '../support/discord-stand-in.ts';
import { ManualClock } from '../support/manual-clock.ts';
import { makeTaskRecord } from '../support/task-fixtures.ts';

const CREATED_AT = 1_800_000_000_000;

let discord: DiscordStandIn;
let rest: REST;
let clock: ManualClock;
let lines: string[];
let orphans: InterruptedRequests;
/** Connected so the stand-in can dispatch the member's command; the test defers it over REST. */
let client: Client;

beforeEach(async () => {
  discord = await DiscordStandIn.start();
  client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: discord.restUrl } });
  const ready = once(client, Events.ClientReady);
  await client.login(discord.token);
  await ready;
  rest = new REST({ api: discord.restUrl }).setToken(discord.token);
  clock = new ManualClock(CREATED_AT);
  lines = [];
  const logger = createLogger({ level: 'debug', write: (line) => lines.push(line) });
  orphans = new InterruptedRequests(new DiscordInterruptedReplies(rest, clock), logger);
});

afterEach(async () => {
  await client.destroy();
  await discord.close();
});

/** A deferred /animate ("thinking…") from a member, and the refunded orphan its request left. */
async function deferredOrphan(locale: string, units = 1): Promise<{ token: string; orphan: RefundedOrphan }> {
  const { interactionId, token } = discord.dispatchCommand({ commandName: 'animate', locale });
  await rest.post(Routes.interactionCallback(interactionId, token), { body: { type: 5 }, auth: false });
  const reply = { ...makeTaskRecord().interaction, id: interactionId, applicationId: discord.applicationId, token, createdAt: CREATED_AT };
  const orphan = {
    taskId: 'd5f1c0de-0000-4000-8000-00000000f00d',
    guildId: discord.guildId,
    userId: discord.memberUserId,
    units,
    caller: interruptedAnswerOf(reply, locale),
  };
  return { token, orphan };
}

const editsOf = (token: string) => (r: RecordedRequest) =>
  r.method === 'PATCH' && r.path.includes(token) && r.path.endsWith('/messages/@original');
const logged = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);

describe('a request refunded because the bot died before recording it', () => {
  it("edits the member's deferred reply once, in their language, pinging no one; one log line without the token", async () => {
    const { token, orphan } = await deferredOrphan('fr', 2);
    clock.advance(40_000);
    await orphans.refunded(orphan);

    const edits = discord.requests.filter(editsOf(token));
    expect(edits).toHaveLength(1);
    expect(edits[0]?.body).toMatchObject({ allowed_mentions: { parse: [] }, components: [] });
    expect(discord.originalMessage(token)?.content).toBe(interruptedRequestText(2, 'fr'));
    expect(discord.originalMessage(token)?.content).toMatch(/^🔄 Le bot a redémarré .* 2 unités t'ont été rendues\./);
    expect(logged()).toMatchObject([
      { msg: 'refunded a request that was never recorded', taskId: orphan.taskId, units: 2, member: 'told' },
    ]);
    expect(lines.join('\n')).not.toContain(token);
  });

  it("past the token's life: edits nothing, and says so in one line", async () => {
    const { token, orphan } = await deferredOrphan('en-US');
    clock.advance(15 * 60_000);
    await orphans.refunded(orphan);

    expect(discord.requests.filter(editsOf(token))).toEqual([]);
    expect(logged()).toMatchObject([{ msg: 'refunded a request that was never recorded', member: 'token_expired' }]);
  });

  it('a reply Discord no longer lets the bot edit (50027): one line, no retry', async () => {
    const { token, orphan } = await deferredOrphan('en-US');
    discord.expireInteraction(token);
    await orphans.refunded(orphan);

    expect(discord.requests.filter(editsOf(token))).toHaveLength(1);
    expect(logged()).toMatchObject([{ msg: 'refunded a request that was never recorded', member: 'reply_gone' }]);
  });

  it('a reservation without a reply handle (made before this version): refunded, one line, nothing sent', async () => {
    const { token, orphan } = await deferredOrphan('en-US');
    await orphans.refunded({ ...orphan, caller: undefined });

    expect(discord.requests.filter(editsOf(token))).toEqual([]);
    expect(logged()).toMatchObject([{ msg: 'refunded a request that was never recorded; no reply to tell it in', taskId: orphan.taskId }]);
  });
});
