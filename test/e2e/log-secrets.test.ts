/**
 * No secret reaches the logs: the real bot at LOG_LEVEL=debug, driven through a delivered task, a 401 from the
 * provider, a 50027 from Discord, a configuration error and a store URL whose password holds an `@`. Every
 * line it wrote is searched for the bot token, the API key, each interaction token it was given, and the
 * signature of the video link.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { BotHarness, TEST_API_KEY } from '../support/bot-harness.ts';
import { BotProcess } from '../support/bot-process.ts';
import { dispatchAnimate, until } from '../support/e2e-requests.ts';

// Shaped like a real one: base64 of the bot's id, a timestamp, an HMAC.
const BOT_TOKEN = `${Buffer.from('1086478963456673800').toString('base64url')}.${randomBytes(6).toString('base64url').slice(0, 6)}.${randomBytes(28).toString('base64url')}`;
// What a presigned S3 link carries: the access key id in the credential, and the signature.
const ACCESS_KEY_ID = `AKIA${randomBytes(8).toString('hex').toUpperCase()}`;
const VIDEO_SIGNATURE = randomBytes(32).toString('hex');
const SIGNING = `X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${ACCESS_KEY_ID}%2F20260101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-SignedHeaders=host&X-Amz-Signature=${VIDEO_SIGNATURE}`;
const REDIS_PASSWORD = 'p@ss-w0rd@x';

/** Asserts that no secret, nor any 16-character piece of one, appears in what the bot wrote. */
function expectNoSecret(output: string, secrets: Record<string, string>): void {
  expect(output.length).toBeGreaterThan(0);
  for (const [what, secret] of Object.entries(secrets)) {
    for (let start = 0; start + 16 <= secret.length; start++) {
      const piece = secret.slice(start, start + 16);
      expect(output.includes(piece), `${what}: "${piece}" is in the output`).toBe(false);
    }
  }
}

/**
 * Sits between the bot and the video-API stand-in and signs the video links of finished tasks, as a real
 * provider's storage does (the stand-in's own links carry only an expiry). The file server ignores the query.
 */
class SigningProxy {
  readonly url: string;
  target = '';
  readonly #server: Server;

  private constructor(server: Server) {
    this.#server = server;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  static async start(): Promise<SigningProxy> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const proxy = new SigningProxy(server);
    server.on('request', (req, res) => {
      proxy.#forward(req).then(
        ({ status, headers, body }) => {
          res.writeHead(status, headers);
          res.end(body);
        },
        () => res.destroy(),
      );
    });
    return proxy;
  }

  async #forward(req: IncomingMessage): Promise<{ status: number; headers: Record<string, string>; body: string }> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers: Record<string, string> = {};
    for (const name of ['authorization', 'content-type', 'accept']) {
      const value = req.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const response = await fetch(`${this.target}${req.url ?? '/'}`, {
      method: req.method ?? 'GET',
      headers,
      ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}),
    });
    let body = await response.text();
    if (response.ok && req.url?.startsWith('/v3/async/task-result')) {
      const json = JSON.parse(body) as { videos?: { video_url: string }[] };
      for (const video of json.videos ?? []) video.video_url = `${video.video_url}&${SIGNING}`;
      body = JSON.stringify(json);
    }
    const out: Record<string, string> = { 'content-type': response.headers.get('content-type') ?? 'application/json' };
    const retryAfter = response.headers.get('retry-after');
    if (retryAfter !== null) out['retry-after'] = retryAfter;
    return { status: response.status, headers: out, body };
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
    await closed;
  }
}

describe('no secret reaches the logs at debug level', () => {
  let h: BotHarness | undefined;
  let proxy: SigningProxy | undefined;
  const processes: BotProcess[] = [];
  const interactionTokens: string[] = [];

  afterEach(async () => {
    await Promise.all(processes.splice(0).map((p) => p.dispose()));
    await h?.stop();
    await proxy?.close();
    h = undefined;
    proxy = undefined;
    interactionTokens.length = 0;
  });

  async function start(): Promise<BotHarness> {
    proxy = await SigningProxy.start();
    h = await BotHarness.start({ discord: { token: BOT_TOKEN }, env: { HIGHWAY_API_URL: proxy.url } });
    proxy.target = h.video.baseUrl;
    await h.startBot();
    return h;
  }

  function animate(harness: BotHarness): string {
    const { token } = dispatchAnimate(harness.discord, { hostedName: `${randomBytes(6).toString('hex')}.png` });
    interactionTokens.push(token);
    return token;
  }

  const messages = (harness: BotHarness) => harness.logs.map((line) => (JSON.parse(line) as { msg: string }).msg);
  const waitForLog = (harness: BotHarness, msg: string, timeoutMs = 10_000) =>
    until(() => messages(harness).includes(msg), timeoutMs, `log "${msg}"`);

  function expectCleanLogs(harness: BotHarness): void {
    const output = harness.logs.join('\n');
    // The run really was at debug level, so the most talkative lines are part of what was searched.
    expect(harness.logs.some((line) => (JSON.parse(line) as { level: string }).level === 'debug')).toBe(true);
    expectNoSecret(output, {
      'the bot token': BOT_TOKEN,
      'the API key': TEST_API_KEY,
      'the video signature': VIDEO_SIGNATURE,
      'the access key id of the video link': ACCESS_KEY_ID,
      ...Object.fromEntries(interactionTokens.map((token, i) => [`interaction token ${i + 1}`, token])),
    });
  }

  it('a full /animate task, from the command to the video in the reply', async () => {
    const harness = await start();
    const token = animate(harness);
    const edit = await harness.waitForVideoEdit();
    await waitForLog(harness, 'task delivered');
    expect(edit.path).toContain(token);
    // The signed link did reach the bot: the proxy is in the path.
    expect(harness.video.videoDownloads).toBe(1);
    expectCleanLogs(harness);
  });

  it('a 401 from the provider, on the submit and on a poll, with the key echoed in its message', async () => {
    const harness = await start();
    const envelope = { code: 401, reason: 'INVALID_API_KEY', message: `invalid api key: Bearer ${TEST_API_KEY}`, metadata: {} };
    harness.video.failNextSubmit(401, envelope);
    animate(harness);
    await waitForLog(harness, 'video API refused the API key; check HIGHWAY_API_KEY');
    await waitForLog(harness, 'task failed');

    // The second task is polled once successfully (a debug line), then the provider refuses the key.
    harness.video.nextTask({ pollsBeforeDone: 5, etaSeconds: 1 });
    animate(harness);
    await until(() => harness.video.polls.length >= 1, 8_000, 'a first poll');
    harness.video.failNextPoll(401, envelope, 3);
    await until(
      () => messages(harness).filter((m) => m === 'video API refused the API key; check HIGHWAY_API_KEY').length >= 2,
      10_000,
      'a second refusal',
    );
    expectCleanLogs(harness);
  });

  it('a 50027 from Discord: the token expired during the generation, then the final edit refused', async () => {
    const harness = await start();
    harness.video.nextTask({ pollsBeforeDone: 3, etaSeconds: 1 });
    const submitted = harness.video.waitForSubmission(8_000);
    const expired = animate(harness);
    await submitted;
    harness.discord.expireInteraction(expired);
    await waitForLog(harness, 'task delivered');
    expect(harness.discord.requests.some((r) => r.path.includes(expired) && r.status === 401)).toBe(true);

    const refused = animate(harness);
    harness.discord.failNext(
      (r) => r.method === 'PATCH' && r.path.includes(refused) && r.path.endsWith('/@original') && harness.video.videoDownloads > 1,
      { status: 401, code: 50027, message: 'Invalid Webhook Token' },
    );
    await until(() => messages(harness).filter((m) => m === 'task delivered').length >= 2, 15_000, 'the second delivery');
    expect(harness.discord.requests.some((r) => r.path.includes(refused) && r.status === 401)).toBe(true);
    expectCleanLogs(harness);
  });

  it('a configuration error while the token is set, from the process and as a logged error', async () => {
    const harness = await start();
    const badEnv = {
      ...harness.env(),
      POLL_INTERVAL_MS: 'often',
      // An operator pasting the token into the wrong variable: the message names the variable only.
      DISCORD_API_URL: BOT_TOKEN,
    };
    const bot = BotProcess.start('src/index.ts', badEnv);
    processes.push(bot);
    expect((await bot.exited).code).toBe(1);
    expect(bot.stderr).toContain('POLL_INTERVAL_MS');
    expect(bot.stderr).toContain('DISCORD_API_URL');

    let error: unknown;
    try {
      loadConfig(badEnv);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const lines: string[] = [];
    createLogger({ level: 'debug', secrets: [BOT_TOKEN, TEST_API_KEY], write: (line) => lines.push(line) }).error('bad configuration', {
      error,
      env: badEnv,
    });

    expectNoSecret([bot.stdout, bot.stderr, ...lines].join('\n'), { 'the bot token': BOT_TOKEN, 'the API key': TEST_API_KEY });
  });

  it('a store URL whose Redis password holds an @, when the bot cannot start', async () => {
    const harness = await start();
    // Nothing listens on port 1: the Redis client fails at once, with the whole URL in its error.
    const bot = BotProcess.start('src/index.ts', { ...harness.env(), STORE_URL: `redis://animate:${REDIS_PASSWORD}@127.0.0.1:1` });
    processes.push(bot);
    expect((await bot.exited).code).toBe(1);
    expect(bot.stdout).toContain('could not start');
    expect(bot.stdout).toContain('redis://animate:[redacted]@127.0.0.1:1');
    expectNoSecret(`${bot.stdout}\n${bot.stderr}`, { 'the bot token': BOT_TOKEN, 'the API key': TEST_API_KEY });
    for (const piece of ['p@ss', 'ss-w0rd', 'w0rd@x', '@x@']) expect(`${bot.stdout}${bot.stderr}`).not.toContain(piece);
  });
});
