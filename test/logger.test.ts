import { spawnSync } from 'node:child_process';
import { DiscordAPIError } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { createLogger, LOG_LEVELS, type LoggerOptions } from '../src/logger.ts';

const BOT_TOKEN = 'bot-token-123456';
const API_KEY = 'api-key-abcdef';
const INTERACTION_TOKEN = Buffer.from(`interaction:1318877061418188871:${'q7Z-'.repeat(24)}`).toString('base64url');
const WEBHOOK_URL = `https://discord.com/api/v10/webhooks/1318877061418188800/${INTERACTION_TOKEN}/messages/@original`;
const REDIS_URL = 'redis://animate:p@ss@w0rd@db.internal:6379/0';
const SIGNATURE = 'c0ffee00deadbeef0123456789abcdef0123456789abcdef0123456789abcdef';
const SIGNED_VIDEO_URL = `https://bucket.s3.amazonaws.com/task.mp4?X-Amz-Expires=3600&X-Amz-Signature=${SIGNATURE}`;
const CDN_HM = '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08';
const CDN_URL = `https://cdn.discordapp.com/attachments/1/2/p.png?ex=6790a1b2&is=678f5032&hm=${CDN_HM}&`;

const EVERY_SECRET = [BOT_TOKEN, API_KEY, INTERACTION_TOKEN, 'p@ss@w0rd', 'ss@w0rd', 'w0rd@db', SIGNATURE, CDN_HM];

function capture(options: Partial<LoggerOptions> = {}) {
  const lines: string[] = [];
  const logger = createLogger({
    level: 'debug',
    secrets: [BOT_TOKEN, API_KEY, 'p@ss@w0rd'],
    write: (line) => lines.push(line),
    now: () => new Date('2026-01-02T03:04:05.678Z'),
    ...options,
  });
  const records = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return { logger, lines, records };
}

function expectNoSecret(lines: readonly string[]): void {
  const out = lines.join('\n');
  expect(out.length).toBeGreaterThan(0);
  for (const secret of EVERY_SECRET) expect(out, `"${secret}" was written`).not.toContain(secret);
}

describe('logger', () => {
  it('writes one JSON line per call: time, the level by name, msg, then the fields', () => {
    const { logger, lines } = capture();
    logger.info('task delivered', { taskId: 't1', guildId: 'g1', ms: 1234 });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '')).toEqual({
      time: '2026-01-02T03:04:05.678Z',
      level: 'info',
      msg: 'task delivered',
      taskId: 't1',
      guildId: 'g1',
      ms: 1234,
    });
  });

  it('writes the message as given, without printf-style formatting', () => {
    const { logger, records } = capture();
    logger.warn('100% done, %s left %d');
    expect(records()[0]?.msg).toBe('100% done, %s left %d');
  });

  it('writes each level at or above its threshold and nothing below', () => {
    for (const level of LOG_LEVELS) {
      const { logger, records } = capture({ level });
      for (const l of LOG_LEVELS) logger[l](`${l} line`);
      expect(records().map((r) => r.level)).toEqual(LOG_LEVELS.slice(LOG_LEVELS.indexOf(level)));
    }
  });

  it('drops lines below its level and keeps child fields', () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'warn', write: (l) => lines.push(l) }).child({ taskId: 't1' });
    logger.info('hidden');
    logger.warn('shown', { n: 1 });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ msg: 'shown', taskId: 't1', n: 1 });
  });

  it('a child of a child carries both bindings, and a field set again by the call is written once, with its value', () => {
    const { logger, lines, records } = capture();
    const task = logger.child({ taskId: 't1', step: 'submit' }).child({ guildId: 'g1' });
    task.info('submitted', { step: 'poll' });
    logger.info('unbound');
    expect(records()[0]).toMatchObject({ taskId: 't1', guildId: 'g1', step: 'poll' });
    expect(lines[0]?.match(/"step"/g)).toHaveLength(1);
    expect(records()[1]).not.toHaveProperty('taskId');
  });

  it('spells out an error: name, message, stack, code, status and its causes', () => {
    const { logger, records } = capture();
    const socket = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED', port: 6379 });
    const fetchFailed = new TypeError('fetch failed', { cause: socket });
    const error = Object.assign(new Error('provider unavailable', { cause: fetchFailed }), { status: 503, body: { big: 'x' } });
    logger.error('submit failed', { error });
    const logged = records()[0]?.error as Record<string, unknown>;
    expect(logged).toMatchObject({ name: 'Error', message: 'provider unavailable', status: 503 });
    expect(String(logged.stack)).toContain('provider unavailable\n    at ');
    expect(logged).not.toHaveProperty('body');
    expect(logged.cause).toMatchObject({
      name: 'TypeError',
      message: 'fetch failed',
      cause: { name: 'Error', message: 'connect ECONNREFUSED 127.0.0.1:6379', code: 'ECONNREFUSED', port: 6379 },
    });
  });

  it("spells out an AggregateError's errors and survives a cause that points back at its error", () => {
    const { logger, records } = capture();
    const first = new Error('connect ECONNREFUSED ::1:443');
    const aggregate = new AggregateError([first, new Error('connect ECONNREFUSED 127.0.0.1:443')], 'all attempts failed');
    const looped = new Error('looped');
    looped.cause = looped;
    logger.error('failed', { aggregate, looped });
    const record = records()[0] as { aggregate: { errors: { message: string }[] }; looped: { cause: unknown } };
    expect(record.aggregate.errors.map((e) => e.message)).toEqual(['connect ECONNREFUSED ::1:443', 'connect ECONNREFUSED 127.0.0.1:443']);
    expect(record.looped.cause).toBe('[Circular]');
  });

  it('writes dates, URLs, buffers, maps and sets readably, and cuts cycles', () => {
    const { logger, records } = capture();
    const cyclic: Record<string, unknown> = { name: 'a' };
    cyclic.self = cyclic;
    const shared = { n: 1 };
    logger.info('values', {
      at: new Date('2026-01-01T00:00:00Z'),
      link: new URL(CDN_URL),
      bytes: Buffer.alloc(2048),
      counts: new Map([['a', 1]]),
      ids: new Set(['x']),
      cyclic,
      twice: [shared, shared],
      dropped: () => 1,
    });
    expect(records()[0]).toMatchObject({
      at: '2026-01-01T00:00:00.000Z',
      link: 'https://cdn.discordapp.com/attachments/1/2/p.png?ex=6790a1b2&is=678f5032&hm=[redacted]&',
      bytes: '[Buffer 2048 bytes]',
      counts: { a: 1 },
      ids: ['x'],
      cyclic: { name: 'a', self: '[Circular]' },
      twice: [{ n: 1 }, { n: 1 }],
    });
    expect(records()[0]).not.toHaveProperty('dropped');
  });

  describe('never writes a secret', () => {
    it('in the message', () => {
      const { logger, lines } = capture();
      logger.error(`request failed with ${BOT_TOKEN} and ${API_KEY}`);
      logger.error(`PATCH ${WEBHOOK_URL} answered 401`);
      logger.error(`POST /interactions/1318877061418188871/${INTERACTION_TOKEN}/callback answered 404`);
      logger.error(`store is ${REDIS_URL}`);
      logger.error(`downloading ${SIGNED_VIDEO_URL} and ${CDN_URL}`);
      expectNoSecret(lines);
      expect(lines.join('\n')).toContain('/webhooks/1318877061418188800/[redacted]/messages/@original');
      expect(lines.join('\n')).toContain('redis://animate:[redacted]@db.internal:6379/0');
      expect(lines.join('\n')).toContain('X-Amz-Expires=3600&X-Amz-Signature=[redacted]');
    });

    it('in nested fields, arrays, keys and child bindings', () => {
      const { logger, lines } = capture();
      logger.child({ store: REDIS_URL, [`key-${API_KEY}`]: 1 }).warn('step', {
        request: { urls: [WEBHOOK_URL, SIGNED_VIDEO_URL], note: `retry with ${BOT_TOKEN}` },
        deep: { a: { b: { c: { d: [{ e: CDN_URL }] } } } },
      });
      expectNoSecret(lines);
    });

    it('in fields named like credentials, whatever they hold', () => {
      const { logger, records, lines } = capture();
      logger.info('headers', {
        interactionToken: INTERACTION_TOKEN,
        headers: { authorization: 'Bearer something-unknown', Cookie: 'session=abc' },
        apiKey: 'not-configured-key',
        redisPassword: 'pw',
        clientSecret: { nested: 'value' },
        token: null,
      });
      expect(records()[0]).toMatchObject({
        interactionToken: '[redacted]',
        headers: { authorization: '[redacted]', Cookie: '[redacted]' },
        apiKey: '[redacted]',
        redisPassword: '[redacted]',
        clientSecret: '[redacted]',
        token: null,
      });
      expect(lines[0]).not.toContain('something-unknown');
    });

    it('in error messages, stacks and causes', () => {
      const { logger, lines } = capture();
      const deepest = Object.assign(new Error(`auth failed for ${REDIS_URL}`), { code: 'WRONGPASS' });
      const middle = new Error(`video at ${SIGNED_VIDEO_URL} answered 403 (key ${API_KEY})`, { cause: deepest });
      const error = new Error(`edit ${WEBHOOK_URL} failed`, { cause: middle });
      logger.error('delivery failed', { error });
      expectNoSecret(lines);
      const logged = JSON.parse(lines[0] ?? '{}') as { error: { stack: string; cause: { stack: string; cause: { message: string } } } };
      expect(logged.error.stack).toContain('/webhooks/1318877061418188800/[redacted]/messages/@original failed');
      expect(logged.error.cause.cause.message).toBe('auth failed for redis://animate:[redacted]@db.internal:6379/0');
    });

    it("in discord.js's DiscordAPIError for a 50027, whose URL holds the interaction token", () => {
      const { logger, lines, records } = capture();
      const error = new DiscordAPIError({ code: 50027, message: 'Invalid Webhook Token' }, 50027, 401, 'PATCH', WEBHOOK_URL, {
        body: { content: 'done' },
      });
      logger.warn('progress update not shown', { error });
      expectNoSecret(lines);
      expect(records()[0]?.error).toMatchObject({
        name: 'DiscordAPIError[50027]',
        message: 'Invalid Webhook Token',
        code: 50027,
        status: 401,
        method: 'PATCH',
        url: 'https://discord.com/api/v10/webhooks/1318877061418188800/[redacted]/messages/@original',
      });
    });

    it("in an error that quotes the store URL, such as Node's Invalid URL", () => {
      const { logger, lines, records } = capture({ secrets: [] });
      let error: unknown;
      try {
        new URL('redis://animate:p@ss@w0rd@db.internal:99999');
      } catch (caught) {
        error = caught;
      }
      logger.error('could not start', { error });
      expectNoSecret(lines);
      expect(records()[0]?.error).toMatchObject({ code: 'ERR_INVALID_URL', input: 'redis://animate:[redacted]@db.internal:99999' });
    });
  });

  it('writes to stdout synchronously by default, so a line logged just before exit is not lost', () => {
    const script = [
      `import { createLogger } from ${JSON.stringify(new URL('../src/logger.ts', import.meta.url).href)};`,
      `const logger = createLogger({ level: 'info', secrets: [${JSON.stringify(BOT_TOKEN)}] });`,
      `for (let i = 0; i < 500; i++) logger.info('line ' + i, { token: 'x', note: ${JSON.stringify(BOT_TOKEN)} });`,
      'process.exit(0);',
    ].join('\n');
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(child.stderr).toBe('');
    const lines = child.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(500);
    expect(JSON.parse(lines[499] ?? '{}')).toMatchObject({ level: 'info', msg: 'line 499', token: '[redacted]', note: '[redacted]' });
    expect(child.stdout).not.toContain(BOT_TOKEN);
  });
});
