/**
 * discord.js's REST with the bot's transport, against the Discord stand-in: JSON requests, uploads and
 * Discord's errors all arrive as they would through discord.js's own transport.
 */
import { DiscordAPIError, REST, Routes } from 'discord.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { discordRestOptions } from '../../src/discord/rest-options.ts';
import { DiscordStandIn } from '../support/discord-stand-in.ts';

describe('the REST transport', () => {
  let discord: DiscordStandIn;
  let rest: REST;

  beforeEach(async () => {
    discord = await DiscordStandIn.start();
    rest = new REST(discordRestOptions(discord.restUrl)).setToken(discord.token);
  });

  afterEach(async () => {
    await discord.close();
  });

  it('sends a JSON request and reads the JSON answer', async () => {
    const answer = (await rest.post(Routes.channelMessages(discord.channelId), { body: { content: 'hello' } })) as { content: string };
    expect(answer.content).toBe('hello');
    const sent = discord.requests.find((r) => r.method === 'POST');
    expect(sent?.headers.authorization).toBe(`Bot ${discord.token}`);
    expect(sent?.headers['content-type']).toBe('application/json');
  });

  it('uploads a file as multipart', async () => {
    const data = Buffer.from('not really a video');
    await rest.post(Routes.channelMessages(discord.channelId), {
      body: { content: 'here', attachments: [{ id: 0, filename: 'a.mp4' }] },
      files: [{ name: 'a.mp4', data, contentType: 'video/mp4' }],
    });
    const sent = discord.requests.find((r) => r.method === 'POST');
    expect(sent?.files.map((f) => f.data.toString())).toEqual([data.toString()]);
    expect(sent?.body).toMatchObject({ content: 'here' });
  });

  it("turns Discord's error into a DiscordAPIError with its code", async () => {
    const error: unknown = await rest
      .patch(Routes.webhookMessage(discord.applicationId, 'no-such-token', '@original'), { auth: false, body: { content: 'x' } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiscordAPIError);
    expect((error as DiscordAPIError).code).toBe(50027);
  });

  it('waits out a 429 and sends again', async () => {
    discord.failNext((r) => r.method === 'POST', { status: 429, code: 0, message: 'You are being rate limited.', retryAfter: 0.05 });
    await rest.post(Routes.channelMessages(discord.channelId), { body: { content: 'again' } });
    expect(discord.requests.filter((r) => r.method === 'POST').map((r) => r.status)).toEqual([429, 200]);
  });
});
