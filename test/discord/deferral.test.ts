/**
 * deferPublicly against a local HTTP server that answers each callback as the test says: what is sent, what is
 * tried again and what becomes the same DiscordAPIError discord.js's deferReply would throw.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DiscordAPIError } from 'discord.js';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFERRAL_CONNECTIONS, deferPublicly, type DeferrableInteraction } from '../../src/discord/deferral.ts';

type Reply = { status: number; body?: string } | 'drop';

describe('deferPublicly', () => {
  let server: Server;
  let api: string;
  let replies: Reply[];
  /** Answers wait for this: a test holds them to see what is on its way at once. */
  let answersHeld: Promise<void>;
  const received: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[] = [];

  beforeEach(async () => {
    replies = [];
    answersHeld = Promise.resolve();
    received.length = 0;
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
        const reply = replies.shift() ?? { status: 204 };
        void answersHeld.then(() => {
          if (reply === 'drop') {
            req.socket.destroy();
            return;
          }
          res.writeHead(reply.status, reply.body === undefined ? {} : { 'content-type': 'application/json' });
          res.end(reply.body);
        });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    api = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
  });

  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  function interaction(): DeferrableInteraction {
    return {
      id: '1187203491855130999',
      token: 'aW50ZXJhY3Rpb246MTE4NzIwMzQ5MTg1NTEzMDk5OTpzZWNyZXQ',
      client: { rest: { options: { api, version: '10' } } },
      deferred: false,
      replied: false,
      ephemeral: null,
    };
  }

  it("posts a public deferral to the interaction's callback and marks the interaction deferred, as discord.js does", async () => {
    const i = interaction();
    await deferPublicly(i);

    expect(received).toHaveLength(1);
    expect(received[0]?.method).toBe('POST');
    expect(received[0]?.url).toBe(`/api/v10/interactions/${i.id}/${i.token}/callback?with_response=false`);
    expect(JSON.parse(received[0]?.body ?? '')).toEqual({ type: 5, data: { flags: 0 } });
    expect(received[0]?.headers['content-type']).toBe('application/json');
    expect(received[0]?.headers.authorization).toBeUndefined();
    expect(i).toMatchObject({ deferred: true, ephemeral: false });
  });

  it('tries once more after a dropped connection or a 5xx', async () => {
    replies = ['drop'];
    await deferPublicly(interaction());
    replies = [{ status: 502, body: '<html>Bad gateway</html>' }];
    await deferPublicly(interaction());

    expect(received).toHaveLength(4);
  });

  it('takes "already acknowledged" on the second try to mean the first one arrived', async () => {
    replies = [
      { status: 500 },
      { status: 400, body: JSON.stringify({ code: 40060, message: 'Interaction has already been acknowledged.' }) },
    ];
    const i = interaction();
    await deferPublicly(i);
    expect(i.deferred).toBe(true);
  });

  it("rejects with discord.js's DiscordAPIError when Discord refuses, and is not sent again", async () => {
    replies = [{ status: 404, body: JSON.stringify({ code: 10062, message: 'Unknown interaction' }) }];
    const i = interaction();

    const error: unknown = await deferPublicly(i).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(DiscordAPIError);
    expect(error).toMatchObject({ code: 10062, status: 404, method: 'POST', message: 'Unknown interaction' });
    expect(received).toHaveLength(1);
    expect(i.deferred).toBe(false);
  });

  it('rejects with the status when two 5xx in a row come back without a Discord error body', async () => {
    replies = [{ status: 503 }, { status: 503, body: 'upstream unavailable' }];
    await expect(deferPublicly(interaction())).rejects.toMatchObject({ status: 503, code: 503 });
  });

  it("a burst's deferrals share a bounded pool of connections, kept open between bursts", async () => {
    const sockets = new Set<unknown>();
    server.on('connection', (socket) => sockets.add(socket));

    const burst = Array.from({ length: 300 }, (_, i) => ({ ...interaction(), id: String(1187203491855131000n + BigInt(i)) }));
    await Promise.all(burst.map((i) => deferPublicly(i)));

    expect(received).toHaveLength(300);
    expect(burst.every((i) => i.deferred)).toBe(true);
    expect(sockets.size).toBeLessThanOrEqual(DEFERRAL_CONNECTIONS);
    await deferPublicly(interaction());
    expect(sockets.size).toBeLessThanOrEqual(DEFERRAL_CONNECTIONS);
  });

  it('a burst of 100 is on its way at once: no deferral waits for a connection another one holds', async () => {
    let release = () => {};
    answersHeld = new Promise((resolve) => (release = resolve));

    const burst = Array.from({ length: 100 }, (_, i) => ({ ...interaction(), id: String(1187203491855131000n + BigInt(i)) }));
    const deferred = Promise.all(burst.map((i) => deferPublicly(i)));
    // Each waiting deferral would be a member's wait for another's round trip to Discord.
    try {
      await vi.waitFor(() => expect(received).toHaveLength(100), { timeout: 2_000, interval: 20 });
    } finally {
      release();
    }
    await deferred;

    expect(burst.every((i) => i.deferred)).toBe(true);
  });

  it('sends nothing for an interaction already answered', async () => {
    const i = { ...interaction(), replied: true };
    await expect(deferPublicly(i)).rejects.toThrow(/already been answered/);
    expect(received).toHaveLength(0);
  });
});
