/**
 * Properties of the video API client (video-api-client.ts) against whatever a provider, a gateway or a
 * broken connection can send back: random and truncated JSON, documented bodies with fields of the wrong
 * type, error envelopes, HTML, random statuses, content types and Retry-After values, bodies cut off mid-way.
 * Every call ends in a typed result or a typed error, a submit is sent again only when no task can exist,
 * and the API key never comes back out, even when a gateway echoes it.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { MAX_ETA_SECONDS, MAX_FAILURE_REASON_CHARS, MAX_LINK_TTL_SECONDS, parseErrorBody } from '../../src/video-api/schemas.ts';
import { VideoApiClient, type TaskStatus } from '../../src/video-api/video-api-client.ts';
import { VideoApiError } from '../../src/video-api/video-api-errors.ts';

const API_KEY = 'sk-live-property-secret-0123456789';
const MAX_ATTEMPTS = 3;
const STATUSES: ReadonlySet<TaskStatus> = new Set(['queued', 'processing', 'succeeded', 'failed', 'unknown']);

/** One answer of the scripted server. */
interface Answer {
  status: number;
  contentType?: string;
  body: string;
  retryAfter?: string;
  /** Announce the whole body, send only the first `cut` characters, then drop the connection. */
  cut?: number;
}

/** Answers each request with the next scripted answer (the last one again when the script runs out). */
class ScriptedServer {
  readonly #server: Server;
  #script: Answer[] = [];
  requests = 0;

  private constructor(server: Server) {
    this.#server = server;
    server.on('request', (req, res) => this.#answer(req, res));
  }

  static async start(): Promise<ScriptedServer> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new ScriptedServer(server);
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  play(script: Answer[]): void {
    this.#script = script;
    this.requests = 0;
  }

  #answer(req: IncomingMessage, res: ServerResponse): void {
    req.resume();
    req.once('end', () => {
      const answer = this.#script[Math.min(this.requests, this.#script.length - 1)] ?? { status: 500, body: '' };
      this.requests++;
      const headers: Record<string, string> = { 'content-length': String(Buffer.byteLength(answer.body)) };
      if (answer.contentType !== undefined) headers['content-type'] = answer.contentType;
      if (answer.retryAfter !== undefined) headers['retry-after'] = answer.retryAfter;
      res.writeHead(answer.status, headers);
      if (answer.cut === undefined) {
        res.end(answer.body);
        return;
      }
      res.write(Buffer.from(answer.body).subarray(0, answer.cut));
      res.socket?.destroy();
    });
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise((resolve) => this.#server.close(resolve));
  }
}

// --- what can come back --------------------------------------------------------------------------------

/** Values of any type, for fields the docs give one type to. */
const anyValue = fc.oneof(
  fc.string(),
  fc.double(),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom('1e306', '-5', 'NaN', 'Infinity', ' 42 ', ''),
  fc.array(fc.integer(), { maxLength: 2 }),
  fc.constant(API_KEY),
);

/** The documented task-result body, each field either right, of a wrong type, or missing. */
const taskResultBody = fc.record(
  {
    task: fc.record(
      {
        task_id: fc.oneof(fc.string({ minLength: 1 }), anyValue),
        task_type: fc.constant('KLING_V2_5_TURBO_I2V'),
        status: fc.oneof(
          fc.constantFrom(
            'TASK_STATUS_QUEUED',
            'TASK_STATUS_PROCESSING',
            'TASK_STATUS_SUCCEED',
            'TASK_STATUS_FAILED',
            'task_status_succeed',
          ),
          anyValue,
        ),
        reason: fc.oneof(fc.string({ maxLength: 3_000 }), anyValue),
        eta: fc.oneof(fc.integer({ min: -10, max: 1_000 }), anyValue),
        progress_percent: fc.oneof(fc.integer({ min: -10, max: 200 }), anyValue),
      },
      { requiredKeys: [] },
    ),
    videos: fc.oneof(
      fc.array(
        fc.oneof(
          fc.record(
            {
              video_url: fc.oneof(fc.webUrl(), anyValue),
              video_url_ttl: fc.oneof(fc.constantFrom('3600', 3600, '1e306', -1), anyValue),
              video_type: fc.oneof(fc.constant('mp4'), anyValue),
            },
            { requiredKeys: [] },
          ),
          anyValue,
        ),
        { maxLength: 3 },
      ),
      anyValue,
    ),
    extra: fc.jsonValue(),
  },
  { requiredKeys: [] },
);

const submitBody = fc.record({ task_id: fc.oneof(fc.string(), fc.integer(), fc.double(), anyValue) }, { requiredKeys: [] });

/** The documented error envelope, sometimes echoing the key (a gateway that repeats the request's header). */
const errorEnvelope = fc.record(
  {
    code: anyValue,
    reason: fc.oneof(
      fc.constantFrom(
        'INVALID_REQUEST_BODY',
        'NOT_ENOUGH_BALANCE',
        'FAILED_TO_AUTH',
        'INVALID_API_KEY',
        'SERVICE_NOT_AVAILABLE',
        'TASK_NOT_FOUND',
      ),
      fc.string().map((s) => `${s} Bearer ${API_KEY}`),
      anyValue,
    ),
    message: fc.oneof(
      fc.string({ maxLength: 500 }),
      fc.string().map((s) => `key ${API_KEY} ${s}`),
      anyValue,
    ),
    metadata: fc.jsonValue(),
  },
  { requiredKeys: [] },
);

/** A body as text: mostly the documented shape (so that answers get parsed), else anything else seen. */
const bodyText = (documented: fc.Arbitrary<unknown>) =>
  fc.oneof(
    { arbitrary: documented.map((value) => JSON.stringify(value)), weight: 4 },
    { arbitrary: errorEnvelope.map((value) => JSON.stringify(value)), weight: 2 },
    { arbitrary: fc.jsonValue().map((value) => JSON.stringify(value)), weight: 1 },
    { arbitrary: fc.constantFrom('', '<html><body>502 Bad Gateway</body></html>', 'upstream connect error', 'null', '[]', '{'), weight: 1 },
    { arbitrary: fc.string(), weight: 1 },
  );

const status = fc.oneof(
  { arbitrary: fc.constant(200), weight: 3 },
  { arbitrary: fc.constantFrom(201, 204, 400, 401, 402, 403, 404, 422, 429, 500, 502, 503, 504), weight: 2 },
  { arbitrary: fc.integer({ min: 200, max: 599 }), weight: 1 },
);

/** One answer: any status, content type and Retry-After; its body now and then truncated (as text, or on the wire). */
const answer = (documented: fc.Arbitrary<unknown>): fc.Arbitrary<Answer> =>
  fc
    .record(
      {
        status,
        contentType: fc.constantFrom(
          'application/json',
          'application/json; charset=utf-8',
          'text/plain',
          'text/html',
          'application/octet-stream',
        ),
        body: bodyText(documented),
        retryAfter: fc.oneof(fc.constantFrom('0', '1', '0.5', '120', '99999999999', 'soon', 'Wed, 21 Oct 2015 07:28:00 GMT'), fc.string()),
        truncateAt: fc.oneof({ arbitrary: fc.constant(undefined), weight: 3 }, { arbitrary: fc.nat(), weight: 1 }),
        cutOnTheWire: fc.boolean(),
      },
      { requiredKeys: ['status', 'body', 'truncateAt'] },
    )
    .map(({ status, contentType, body, retryAfter, truncateAt, cutOnTheWire }) => {
      // 204 and 304 carry no body on the wire.
      const text = status === 204 || status === 304 ? '' : body;
      const cut = truncateAt === undefined || text.length === 0 ? undefined : truncateAt % text.length;
      return {
        status,
        body: cut !== undefined && !cutOnTheWire ? text.slice(0, cut) : text,
        ...(contentType !== undefined ? { contentType } : {}),
        ...(retryAfter !== undefined ? { retryAfter: retryAfter.replace(/[^\t\x20-\x7e]/g, '') } : {}),
        ...(cut !== undefined && cutOnTheWire ? { cut: Buffer.byteLength(text.slice(0, cut)) } : {}),
      };
    });

const script = (documented: fc.Arbitrary<unknown>) => fc.array(answer(documented), { minLength: 1, maxLength: MAX_ATTEMPTS });

// --- the properties ------------------------------------------------------------------------------------

let server: ScriptedServer;
let logLines: string[];

beforeAll(async () => {
  server = await ScriptedServer.start();
});

afterAll(async () => {
  await server.close();
});

function makeClient(): VideoApiClient {
  logLines = [];
  return new VideoApiClient({
    baseUrl: server.baseUrl,
    apiKey: API_KEY,
    // As the bot's logger is made (index.ts): the key is a secret the logger itself redacts, whatever the
    // provider echoes into a field the client logs (a task id, a status).
    logger: createLogger({ level: 'debug', secrets: [API_KEY], write: (line) => logLines.push(line) }),
    maxAttempts: MAX_ATTEMPTS,
    // No real waiting, and no request cap: the properties make hundreds of calls in a few seconds.
    sleep: async () => undefined,
    random: () => 0.5,
    requestsPerMinute: 1_000_000,
    requestTimeoutMs: 5_000,
  });
}

/** The call's outcome: a value, or the error it was rejected with (never an unhandled one). */
async function settle<T>(call: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  try {
    return { ok: true, value: await call };
  } catch (error) {
    return { ok: false, error };
  }
}

/** A rejection is one of the client's typed errors, with a member-facing failure and no key in it. */
function expectTypedError(error: unknown): void {
  expect(error).toBeInstanceOf(VideoApiError);
  const typed = error as VideoApiError;
  expect(typeof typed.failure.kind).toBe('string');
  expect(`${typed.message} ${JSON.stringify(typed.failure)} ${typed.reason ?? ''}`).not.toContain(API_KEY);
}

describe('video API client, random answers', () => {
  it('getResult resolves to a usable result or rejects with a typed error, and never repeats the key', async () => {
    await fc.assert(
      fc.asyncProperty(script(taskResultBody), async (answers) => {
        server.play(answers);
        const outcome = await settle(makeClient().getResult('task-1'));
        if (outcome.ok) {
          const result = outcome.value;
          expect(STATUSES.has(result.status)).toBe(true);
          if (result.etaSeconds !== undefined) expect(result.etaSeconds >= 0 && result.etaSeconds <= MAX_ETA_SECONDS).toBe(true);
          if (result.progressPercent !== undefined) expect(result.progressPercent >= 0 && result.progressPercent <= 100).toBe(true);
          if (result.reason !== undefined) {
            expect(result.reason.length).toBeLessThanOrEqual(MAX_FAILURE_REASON_CHARS);
            // The member reads the reason: a gateway echoing the key must not show it to them.
            expect(result.reason).not.toContain(API_KEY);
          }
          if (result.video) {
            expect(result.video.url.trim()).not.toBe('');
            const ttl = result.video.ttlSeconds;
            if (ttl !== undefined) expect(ttl >= 0 && ttl <= MAX_LINK_TTL_SECONDS).toBe(true);
          }
        } else {
          expectTypedError(outcome.error);
        }
        expect(server.requests).toBeLessThanOrEqual(MAX_ATTEMPTS);
        expect(logLines.join('\n')).not.toContain(API_KEY);
      }),
      { numRuns: 200 },
    );
  }, 30_000);

  it('submit resolves to a task id or rejects with a typed error, and is sent again only after an answer that proves no task exists', async () => {
    await fc.assert(
      fc.asyncProperty(script(submitBody), async (answers) => {
        server.play(answers);
        const outcome = await settle(makeClient().submit({ image: 'aW1hZ2U=', prompt: 'the cat waves', duration: '5', cfgScale: 0.5 }));
        if (outcome.ok) expect(outcome.value.taskId.trim()).not.toBe('');
        else expectTypedError(outcome.error);
        // Every answer before the last one sent must be one after which no paid task can exist.
        for (const earlier of answers.slice(0, server.requests - 1)) {
          const noTask =
            earlier.cut === undefined &&
            (earlier.status === 429 || (earlier.status >= 500 && parseErrorBody(earlier.body).reason !== undefined));
          expect(noTask, `sent again after ${earlier.status} ${earlier.body.slice(0, 80)}`).toBe(true);
        }
        expect(logLines.join('\n')).not.toContain(API_KEY);
      }),
      { numRuns: 200 },
    );
  }, 30_000);
});
