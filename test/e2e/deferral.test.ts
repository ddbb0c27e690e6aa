/**
 * The deferral, the one answer every member waits for under a burst: sent straight to the interaction's
 * callback endpoint (src/discord/deferral.ts). Every assertion is on what the Discord stand-in received.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunningApp } from '../../src/app.ts';
import { BotHarness } from '../support/bot-harness.ts';
import { dispatchAnimate } from '../support/e2e-requests.ts';

describe('the deferral', () => {
  let h: BotHarness;
  let app: RunningApp;

  beforeEach(async () => {
    h = await BotHarness.start();
    app = await h.startBot();
  });

  afterEach(async () => {
    await h.stop();
  });

  const callbacksFor = (token: string) =>
    h.discord.requests.filter((r) => r.method === 'POST' && r.path.includes(token) && r.path.endsWith('/callback'));

  it("goes to the interaction's callback in one request, without the bot token, and the video follows in that reply", async () => {
    h.video.nextTask({ pollsBeforeDone: 1, etaSeconds: 1 });
    const { token } = dispatchAnimate(h.discord);
    const edit = await h.waitForVideoEdit();

    const callbacks = callbacksFor(token);
    expect(callbacks).toHaveLength(1);
    expect(callbacks[0]?.body).toEqual({ type: 5, data: { flags: 0 } });
    expect(callbacks[0]?.status).toBe(204);
    // The interaction's own token authenticates the callback: the bot token has no business travelling with it.
    expect(callbacks[0]?.headers.authorization).toBeUndefined();
    expect(callbacks[0]?.headers['user-agent']).toMatch(/^DiscordBot \(/);
    expect(edit.path).toContain(token);
    expect(h.video.submissions).toHaveLength(1);
  });

  it('answered 500 by Discord, it is sent once more and the member still gets the video', async () => {
    h.video.nextTask({ pollsBeforeDone: 1, etaSeconds: 1 });
    const { token } = dispatchAnimate(h.discord);
    h.discord.failNext((r) => r.method === 'POST' && r.path.includes(token) && r.path.endsWith('/callback'), {
      status: 500,
      code: 0,
      message: '500: Internal Server Error',
    });

    await h.waitForVideoEdit();

    expect(callbacksFor(token).map((r) => r.status)).toEqual([500, 204]);
    expect(h.video.submissions).toHaveLength(1);
  });

  it('refused as too late (10062), it submits nothing and gives the units back', async () => {
    const { token } = dispatchAnimate(h.discord);
    h.discord.failNext((r) => r.method === 'POST' && r.path.includes(token) && r.path.endsWith('/callback'), {
      status: 404,
      code: 10062,
      message: 'Unknown interaction',
    });

    await h.discord.waitForRequest((r) => r.path.includes(token) && r.status === 404, 5_000);
    await expect.poll(async () => (await app.store.listReservations()).length, { timeout: 5_000 }).toBe(0);
    // Sent once: a refusal is not a failure worth sending the deferral again for.
    expect(callbacksFor(token).filter((r) => (r.body as { type?: number }).type === 5)).toHaveLength(1);
    expect(h.video.submissions).toHaveLength(0);
    expect(h.logs.join('\n')).not.toContain(token);
  });
});
