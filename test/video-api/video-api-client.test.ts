import { inspect } from 'node:util';
import { request } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { VideoApiClient, type SubmitRequest, type VideoApiClientOptions } from '../../src/video-api/video-api-client.ts';
import {
  ProviderMisconfigured,
  ProviderOutOfCredit,
  ProviderRejected,
  ProviderUnavailable,
  SubmitAborted,
  SubmitOutcomeUnknown,
} from '../../src/video-api/video-api-errors.ts';
import { LocalRateWindow, RequestBudget, RequestBudgetStopping } from '../../src/video-api/request-budget.ts';
import { ManualClock } from '../support/manual-clock.ts';
import { renderFailure } from '../../src/catalogue/render-failure.ts';
import { UserFacingError } from '../../src/errors.ts';
import { VideoApiStandIn } from '../support/video-api-stand-in.ts';

const API_KEY = 'sk-live-VERY-secret-0123456789';
const IMAGE = Buffer.from('not really a png, but base64 all the same').toString('base64');

const aRequest: SubmitRequest = { image: IMAGE, prompt: 'the cat waves', duration: '5', cfgScale: 0.5 };

let standIn: VideoApiStandIn;
let logLines: string[];
let sleeps: number[];

beforeEach(async () => {
  standIn = await VideoApiStandIn.start({ apiKey: API_KEY });
  logLines = [];
  sleeps = [];
});

afterEach(async () => {
  await standIn.close();
});

/** A client whose waits are recorded and skipped, with logs captured (and no redaction configured, so any leak shows). */
function makeClient(overrides: Partial<VideoApiClientOptions> = {}): VideoApiClient {
  return new VideoApiClient({
    baseUrl: standIn.baseUrl,
    apiKey: API_KEY,
    logger: createLogger({ level: 'debug', write: (line) => logLines.push(line) }),
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    ...overrides,
  });
}

/** A client on a request budget of `limit` slots a minute, all its time on a manual clock. */
function clientOnManualClock(limit: number, overrides: Partial<VideoApiClientOptions> = {}) {
  const clock = new ManualClock(5_000_000);
  const budget = new RequestBudget({
    window: new LocalRateWindow({ limit, now: () => clock.now() }),
    sleep: (ms) => new Promise<void>((resolve) => clock.setTimer(resolve, ms)),
    now: () => clock.now(),
  });
  const client = makeClient({ budget, now: () => clock.now(), ...overrides });
  return { clock, budget, client };
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

describe('submit', () => {
  it('sends exactly the documented fields with the bearer key and returns the task id', async () => {
    const { taskId } = await makeClient().submit(aRequest);

    expect(standIn.taskIds).toEqual([taskId]);
    expect(standIn.submissions).toHaveLength(1);
    const [submission] = standIn.submissions;
    expect(submission?.body).toEqual({ image: IMAGE, prompt: 'the cat waves', duration: '5', cfg_scale: 0.5, mode: 'pro' });
    expect(Object.keys(submission?.body ?? {})).not.toContain('negative_prompt');
    expect(submission?.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(submission?.headers['content-type']).toBe('application/json');
  });

  it('sends a 10 s duration as a string and the negative prompt when given', async () => {
    await makeClient().submit({ ...aRequest, duration: '10', cfgScale: 0.8, negativePrompt: 'blur' });
    expect(standIn.submissions[0]?.body).toEqual({
      image: IMAGE,
      prompt: 'the cat waves',
      duration: '10',
      cfg_scale: 0.8,
      mode: 'pro',
      negative_prompt: 'blur',
    });
  });

  it('passes on what the provider said about a rejected body, without retrying', async () => {
    standIn.failNextSubmit(400, {
      code: 400,
      reason: 'INVALID_REQUEST_BODY',
      message: 'image resolution must be at least 300x300',
      metadata: {},
    });
    const error = await caught(makeClient().submit(aRequest));

    expect(error).toBeInstanceOf(ProviderRejected);
    expect(error).toBeInstanceOf(UserFacingError);
    const rejected = error as ProviderRejected;
    expect(rejected.kind).toBe('provider_rejected');
    expect(renderFailure(rejected.failure, 'en-US')).toBe(
      'The provider rejected this picture or prompt: image resolution must be at least 300x300',
    );
    expect(rejected.status).toBe(400);
    expect(rejected.reason).toBe('INVALID_REQUEST_BODY');
    expect(standIn.submissions).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('is rejected by the stand-in for a data: prefixed image, like the real API', async () => {
    const error = await caught(makeClient().submit({ ...aRequest, image: `data:image/png;base64,${IMAGE}` }));
    expect(error).toBeInstanceOf(ProviderRejected);
    expect(renderFailure((error as ProviderRejected).failure, 'en-US')).toContain('data: prefix');
  });

  it('uses a bare {message} body', async () => {
    standIn.failNextSubmit(400, { message: 'prompt too long' });
    const error = (await caught(makeClient().submit(aRequest))) as ProviderRejected;
    expect(renderFailure(error.failure, 'en-US')).toBe('The provider rejected this picture or prompt: prompt too long');
    expect(error.reason).toBeUndefined();
  });

  it('uses a plain-text body as the message', async () => {
    standIn.failNextSubmit(400, 'image could not be decoded');
    const error = (await caught(makeClient().submit(aRequest))) as ProviderRejected;
    expect(renderFailure(error.failure, 'en-US')).toBe('The provider rejected this picture or prompt: image could not be decoded');
  });

  it('treats other 4xx answers as a rejection too', async () => {
    standIn.failNextSubmit(422, { code: 422, reason: 'UNPROCESSABLE', message: 'unsupported aspect ratio' });
    const error = (await caught(makeClient().submit(aRequest))) as ProviderRejected;
    expect(error).toBeInstanceOf(ProviderRejected);
    expect(error.status).toBe(422);
    expect(standIn.submissions).toHaveLength(1);
  });

  it('reports a wrong key as misconfiguration, without details for the member, and alerts in the log', async () => {
    const client = makeClient({ apiKey: 'sk-wrong-key-000000' });
    const error = (await caught(client.submit(aRequest))) as ProviderMisconfigured;

    expect(error).toBeInstanceOf(ProviderMisconfigured);
    expect(error.kind).toBe('provider_misconfigured');
    expect(renderFailure(error.failure, 'en-US')).toBe("The video service is misconfigured on the bot's side. An admin has been alerted.");
    expect(error.status).toBe(401);
    expect(error.reason).toBe('INVALID_API_KEY');
    const alert = logLines.map((line) => JSON.parse(line) as Record<string, unknown>).find((entry) => entry.level === 'error');
    expect(alert).toMatchObject({ status: 401, reason: 'INVALID_API_KEY' });
    expect(standIn.submissions).toHaveLength(1);
  });

  it('reports a 403 FAILED_TO_AUTH as misconfiguration', async () => {
    standIn.failNextSubmit(403, { code: 403, reason: 'FAILED_TO_AUTH', message: 'auth failed', metadata: {} });
    const error = (await caught(makeClient().submit(aRequest))) as ProviderMisconfigured;
    expect(error).toBeInstanceOf(ProviderMisconfigured);
    expect(error.status).toBe(403);
    expect(renderFailure(error.failure, 'en-US')).not.toContain('auth failed');
  });

  it('reports a 403 NOT_ENOUGH_BALANCE as out of credit', async () => {
    standIn.failNextSubmit(403, { code: 403, reason: 'NOT_ENOUGH_BALANCE', message: 'balance 0.00', metadata: {} });
    const error = (await caught(makeClient().submit(aRequest))) as ProviderOutOfCredit;
    expect(error).toBeInstanceOf(ProviderOutOfCredit);
    expect(error.kind).toBe('provider_out_of_credit');
    expect(renderFailure(error.failure, 'en-US')).toBe('Video generation is unavailable right now. Please try again later.');
    expect(error.reason).toBe('NOT_ENOUGH_BALANCE');
    expect(standIn.submissions).toHaveLength(1);
  });

  it('waits as long as a 429 Retry-After (seconds) asks, then submits once more', async () => {
    standIn.failNextSubmit(429, { code: 429, reason: 'RATE_LIMIT_EXCEEDED', message: 'slow down' }, 1, { 'retry-after': '7' });
    const { taskId } = await makeClient().submit(aRequest);

    expect(sleeps).toEqual([7_000]);
    expect(standIn.submissions).toHaveLength(2);
    expect(standIn.taskIds).toEqual([taskId]);
  });

  it('honours a Retry-After given as an HTTP date, measured on the injected clock', async () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    standIn.failNextSubmit(429, { code: 429, reason: 'RATE_LIMIT_EXCEEDED' }, 1, { 'retry-after': 'Wed, 01 Jan 2025 00:00:12 GMT' });
    await makeClient({ now: () => now }).submit(aRequest);
    expect(sleeps).toEqual([12_000]);
  });

  it('gives up at once when Retry-After is longer than a member should wait, and says how long', async () => {
    standIn.failNextSubmit(429, { code: 429, reason: 'RATE_LIMIT_EXCEEDED' }, 1, { 'retry-after': '3600' });
    const error = (await caught(makeClient().submit(aRequest))) as ProviderUnavailable;
    expect(error).toBeInstanceOf(ProviderUnavailable);
    expect(error.retryAfterMs).toBe(3_600_000);
    expect(error.status).toBe(429);
    expect(standIn.submissions).toHaveLength(1);
  });

  it('retries 5xx with jittered exponential backoff, then succeeds', async () => {
    standIn.failNextSubmit(503, { code: 503, reason: 'SERVICE_NOT_AVAILABLE', message: 'busy' }, 2);
    const { taskId } = await makeClient({ random: () => 0.5 }).submit(aRequest);

    // Full jitter with random() = 0.5 over ceilings of 1 s and 2 s.
    expect(sleeps).toEqual([500, 1_000]);
    expect(standIn.submissions).toHaveLength(3);
    expect(standIn.taskIds).toEqual([taskId]);
  });

  it("gives up after maxAttempts of 5xx in the provider's own envelope with ProviderUnavailable", async () => {
    standIn.failNextSubmit(503, { code: 503, reason: 'SERVICE_NOT_AVAILABLE', message: 'busy' }, 10);
    const error = (await caught(makeClient({ maxAttempts: 4, random: () => 0.99 }).submit(aRequest))) as ProviderUnavailable;

    expect(error).toBeInstanceOf(ProviderUnavailable);
    expect(error.kind).toBe('provider_unavailable');
    expect(error.status).toBe(503);
    expect(standIn.submissions).toHaveLength(4);
    expect(sleeps).toEqual([990, 1_980, 3_960]);
  });

  // Reversed (issue "Nothing lost, nothing overspent", finding 3): a gateway's 502 or 504 does not prove that
  // no task was created, so a submit is never retried on one; it used to be, up to the attempt limit.
  for (const [status, body] of [
    [502, '<html><body>502 Bad Gateway</body></html>'],
    [504, ''],
    [500, { error: 'upstream' }],
  ] as const) {
    it(`a submit answered ${status} without the provider's envelope is an unknown outcome, never retried`, async () => {
      standIn.failNextSubmit(status, body, 10);
      const error = await caught(makeClient({ maxAttempts: 4 }).submit(aRequest));
      expect(error).toBeInstanceOf(SubmitOutcomeUnknown);
      expect(standIn.submissions).toHaveLength(1);
      expect(sleeps).toEqual([]);
    });
  }

  it('reads are still retried on a gateway 502', async () => {
    const { taskId } = await makeClient().submit(aRequest);
    standIn.failNextPoll(502, '<html>502</html>', 1);
    await expect(makeClient().getResult(taskId)).resolves.toBeDefined();
    expect(sleeps).toHaveLength(1);
  });

  it('stops at the first time-out with SubmitOutcomeUnknown: exactly one request, whose task does exist', async () => {
    standIn.delaySubmit(5_000);
    const started = Date.now();
    const error = (await caught(makeClient({ requestTimeoutMs: 300 }).submit(aRequest))) as SubmitOutcomeUnknown;

    expect(error).toBeInstanceOf(SubmitOutcomeUnknown);
    expect(error.kind).toBe('submit_unknown');
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(standIn.submissions).toHaveLength(1);
    expect(standIn.taskIds).toHaveLength(1);
    expect(sleeps).toEqual([]);
    // Nothing is sent later either.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(standIn.submissions).toHaveLength(1);
  });

  it('stops with SubmitOutcomeUnknown when the connection drops after the body was sent', async () => {
    standIn.dropNextSubmit();
    const error = await caught(makeClient().submit(aRequest));
    expect(error).toBeInstanceOf(SubmitOutcomeUnknown);
    expect(standIn.submissions).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('retries a submit whose connection was refused (it never left), then reports the provider unavailable', async () => {
    const closed = await VideoApiStandIn.start();
    const deadUrl = closed.baseUrl;
    await closed.close();

    const error = await caught(makeClient({ baseUrl: deadUrl, maxAttempts: 3 }).submit(aRequest));
    expect(error).toBeInstanceOf(ProviderUnavailable);
    expect(sleeps).toHaveLength(2);
  });

  it('reports an answer without a task id as unavailable, logging the body shape but not the picture', async () => {
    standIn.failNextSubmit(200, { data: { id: 'x' } });
    const error = await caught(makeClient().submit(aRequest));
    expect(error).toBeInstanceOf(ProviderUnavailable);
    const entry = logLines.map((line) => JSON.parse(line) as Record<string, unknown>).find((e) => 'bodyShape' in e);
    expect(entry?.bodyShape).toEqual({ data: { id: 'string' } });
    expect(logLines.join('\n')).not.toContain(IMAGE);
  });
});

describe('getResult', () => {
  it('follows a task from queued through processing to a downloadable mp4', async () => {
    standIn.nextTask({ pollsBeforeDone: 3, etaSeconds: 150, outcome: { kind: 'succeed', ttlSeconds: 1800 } });
    const client = makeClient();
    const { taskId } = await client.submit(aRequest);

    const first = await client.getResult(taskId);
    expect(first).toEqual({ status: 'queued', rawStatus: 'TASK_STATUS_QUEUED', etaSeconds: 150, progressPercent: 0 });
    const second = await client.getResult(taskId);
    expect(second.status).toBe('processing');
    expect(second.progressPercent).toBeGreaterThan(0);
    expect(second.progressPercent).toBeLessThan(100);
    expect(second.etaSeconds).toBeGreaterThan(0);
    expect((await client.getResult(taskId)).status).toBe('processing');

    const done = await client.getResult(taskId);
    expect(done.status).toBe('succeeded');
    expect(done.video?.ttlSeconds).toBe(1800);
    expect(done.video?.url).toBe(`${standIn.baseUrl}/files/${taskId}.mp4?X-Amz-Expires=1800`);
    expect(standIn.polls.map((p) => p.taskId)).toEqual([taskId, taskId, taskId, taskId]);

    const download = await request(done.video?.url ?? '');
    const bytes = Buffer.from(await download.body.arrayBuffer());
    expect(download.headers['content-type']).toBe('video/mp4');
    expect(Number(download.headers['content-length'])).toBe(bytes.length);
    expect(bytes.subarray(4, 8).toString('latin1')).toBe('ftyp');
    expect(standIn.videoDownloads).toBe(1);
  });

  it('a failed task whose reason echoes the API key is reported without the key (found by the property test)', async () => {
    standIn.nextTask({ pollsBeforeDone: 0, outcome: { kind: 'fail', reason: `upstream refused Bearer ${API_KEY}` } });
    const client = makeClient();
    const { taskId } = await client.submit(aRequest);
    const result = await client.getResult(taskId);
    expect(result.reason).toBe('upstream refused Bearer [redacted]');
    expect(logLines.join('\n')).not.toContain(API_KEY);
  });

  it('a reason quoting a signed link, or the key in a query, reaches the member with neither: the same scrubber as the logs', async () => {
    const echoed = `fetch of https://img.example/p.png?api_key=${encodeURIComponent(API_KEY)} failed; see https://bucket.example/log?X-Amz-Signature=abc123def456`;
    standIn.nextTask({ pollsBeforeDone: 0, outcome: { kind: 'fail', reason: echoed } });
    const client = makeClient();
    const { taskId } = await client.submit(aRequest);
    const result = await client.getResult(taskId);
    expect(result.reason).toBe(
      'fetch of https://img.example/p.png?api_key=[redacted] failed; see https://bucket.example/log?X-Amz-Signature=[redacted]',
    );
  });

  it('reports a failed task with the provider reason', async () => {
    standIn.nextTask({ pollsBeforeDone: 0, outcome: { kind: 'fail', reason: 'content policy violation' } });
    const client = makeClient();
    const { taskId } = await client.submit(aRequest);
    expect(await client.getResult(taskId)).toEqual({
      status: 'failed',
      rawStatus: 'TASK_STATUS_FAILED',
      reason: 'content policy violation',
      etaSeconds: 0,
      progressPercent: 0,
    });
  });

  it('asks for the task id URL-encoded and reports an unknown task as a rejection with status 404', async () => {
    const error = (await caught(makeClient().getResult('a b&c=d/?'))) as ProviderRejected;
    expect(standIn.polls).toEqual([expect.objectContaining({ taskId: 'a b&c=d/?' })]);
    expect(error).toBeInstanceOf(ProviderRejected);
    expect(error.status).toBe(404);
  });

  it('retries a read that timed out, since reads are harmless to repeat', async () => {
    const client = makeClient({ requestTimeoutMs: 300 });
    const { taskId } = await client.submit(aRequest);
    standIn.delayPoll(5_000);
    const result = await client.getResult(taskId);
    expect(result.status).toBe('queued');
    expect(standIn.polls).toHaveLength(2);
    expect(sleeps).toHaveLength(1);
  });

  it('retries a read whose connection dropped', async () => {
    const client = makeClient();
    const { taskId } = await client.submit(aRequest);
    standIn.dropNextPoll();
    expect((await client.getResult(taskId)).status).toBe('queued');
    expect(standIn.polls).toHaveLength(2);
  });

  it('retries 5xx on reads and gives up after maxAttempts', async () => {
    const client = makeClient({ maxAttempts: 3 });
    const { taskId } = await client.submit(aRequest);
    standIn.failNextPoll(500, { code: 500, reason: 'SERVICE_NOT_AVAILABLE', message: 'oops' }, 1);
    expect((await client.getResult(taskId)).status).toBe('queued');

    standIn.failNextPoll(504, { code: 504, reason: 'SERVICE_NOT_AVAILABLE' }, 3);
    const error = (await caught(client.getResult(taskId))) as ProviderUnavailable;
    expect(error).toBeInstanceOf(ProviderUnavailable);
    expect(error.reason).toBe('SERVICE_NOT_AVAILABLE');
    expect(standIn.polls).toHaveLength(5);
  });

  it('reports a 200 that is not a task result as unavailable', async () => {
    standIn.failNextPoll(200, 'OK');
    expect(await caught(makeClient().getResult('anything'))).toBeInstanceOf(ProviderUnavailable);
    standIn.failNextPoll(200, { task: { task_id: 'x' } });
    expect(await caught(makeClient().getResult('anything'))).toBeInstanceOf(ProviderUnavailable);
  });

  it('returns an unknown status as unknown for the caller to log', async () => {
    standIn.failNextPoll(200, { task: { task_id: 'x', status: 'TASK_STATUS_ARCHIVED' }, extra: {} });
    expect(await makeClient().getResult('x')).toEqual({ status: 'unknown', rawStatus: 'TASK_STATUS_ARCHIVED' });
  });
});

describe('secrets', () => {
  it('never puts the API key in an error or a log line, even when the provider echoes it', async () => {
    const client = makeClient({ requestTimeoutMs: 300, maxAttempts: 2 });
    const errors: unknown[] = [];
    const scenarios: (() => void)[] = [
      () => standIn.failNextSubmit(400, { code: 400, reason: 'INVALID_REQUEST_BODY', message: `key ${API_KEY} may not submit this` }),
      () => standIn.failNextSubmit(401, { code: 401, reason: 'INVALID_API_KEY', message: `invalid api key ${API_KEY}` }),
      () => standIn.failNextSubmit(403, { code: 403, reason: 'NOT_ENOUGH_BALANCE', message: `account ${API_KEY} is empty` }),
      () => standIn.failNextSubmit(429, { reason: `RATE_${API_KEY}` }, 2, { 'retry-after': '1' }),
      () => standIn.failNextSubmit(503, `upstream refused ${API_KEY}`, 2),
      () => standIn.failNextSubmit(200, { echoed: API_KEY }),
      () => standIn.delaySubmit(5_000),
      () => standIn.dropNextSubmit(),
    ];
    for (const arrange of scenarios) {
      arrange();
      errors.push(await caught(client.submit(aRequest)));
    }
    standIn.failNextPoll(400, `bad task for ${API_KEY}`);
    errors.push(await caught(client.getResult('t')));

    expect(errors).toHaveLength(9);
    for (const error of errors) {
      expect(error).toBeInstanceOf(UserFacingError);
      expect((error as Error).message).not.toContain(API_KEY);
      expect(inspect(error, { depth: 10, showHidden: true })).not.toContain(API_KEY);
      expect(JSON.stringify(error)).not.toContain(API_KEY);
    }
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.join('\n')).not.toContain(API_KEY);
    expect(logLines.join('\n')).not.toContain(IMAGE);
  });
});

describe('shared rate cap', () => {
  it('counts submits and reads against one per-minute cap', async () => {
    let now = 5_000_000;
    const client = makeClient({
      requestsPerMinute: 2,
      now: () => now,
      sleep: async (ms) => {
        sleeps.push(ms);
        now += ms;
      },
    });
    const { taskId } = await client.submit(aRequest);
    now += 1_000;
    await client.getResult(taskId);
    await client.getResult(taskId);

    // The third request (1 s after the submit) waits until the submit's start is a minute old.
    expect(sleeps).toEqual([59_000]);
    expect(standIn.polls).toHaveLength(2);
  });
});

describe('submit: the last check before sending (beforeSend)', () => {
  it('is asked once, after the budget granted the slot and right before the request leaves', async () => {
    const order: string[] = [];
    let grantedAt = 0;
    let now = 5_000_000;
    const client = makeClient({
      requestsPerMinute: 1,
      now: () => now,
      sleep: async (ms) => {
        now += ms;
      },
    });
    await client.getResult(standIn.createTask());
    const { taskId } = await client.submit(aRequest, undefined, {
      beforeSend: async () => {
        grantedAt = now;
        order.push(`beforeSend with ${standIn.submissions.length} sent`);
        return true;
      },
    });
    // The slot came a minute after the poll; the check ran then, with nothing sent yet, and the task went out.
    expect(grantedAt).toBe(5_060_000);
    expect(order).toEqual(['beforeSend with 0 sent']);
    expect(standIn.taskIds).toEqual([expect.any(String), taskId]);
  });

  it('sends nothing when it answers false: SubmitAborted', async () => {
    const error = await caught(makeClient().submit(aRequest, undefined, { beforeSend: async () => false }));
    expect(error).toBeInstanceOf(SubmitAborted);
    expect(standIn.submissions).toEqual([]);
  });

  it('is not asked again when the same submission is retried after a 429', async () => {
    standIn.failNextSubmit(429, { code: 429, reason: 'RATE_LIMIT_EXCEEDED' }, 1, { 'retry-after': '2' });
    let asked = 0;
    await makeClient().submit(aRequest, undefined, {
      beforeSend: async () => {
        asked++;
        return true;
      },
    });
    expect(asked).toBe(1);
    expect(standIn.submissions).toHaveLength(2);
  });

  it('a submit still waiting in the budget when it stops is abandoned: never checked, never sent', async () => {
    const { clock, budget, client } = clientOnManualClock(1);
    await client.getResult(standIn.createTask());
    let asked = 0;
    const waiting = caught(
      client.submit(aRequest, undefined, {
        beforeSend: async () => {
          asked++;
          return true;
        },
      }),
    );
    const poll = caught(client.getResult('task-waiting'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(budget.waiting).toBe(2);

    budget.stop();
    expect(await waiting).toBeInstanceOf(RequestBudgetStopping);
    expect(await poll).toBeInstanceOf(RequestBudgetStopping);
    clock.advance(120_000);
    expect(asked).toBe(0);
    expect(standIn.submissions).toEqual([]);
    expect(standIn.polls).toHaveLength(1);
  });
});

describe('submit: the picture is read when the request leaves, not while it waits', () => {
  it('submissions waiting for the budget hold no picture: each is read once its slot is granted, after the last check, once (a retry re-uses it)', async () => {
    const { clock, budget, client } = clientOnManualClock(1);
    const order: string[] = [];
    const submit = (name: string) =>
      client.submit(
        {
          ...aRequest,
          image: async () => {
            order.push(`${name} read`);
            return IMAGE;
          },
        },
        undefined,
        {
          beforeSend: async () => {
            order.push(`${name} checked`);
            return true;
          },
        },
      );
    standIn.failNextSubmit(429, { code: 429, reason: 'RATE_LIMIT_EXCEEDED' }, 1);
    const first = submit('first');
    const second = submit('second');
    const third = submit('third');
    const settle = async () => {
      for (let i = 0; i < 20; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    };
    await settle();
    // One slot a minute: the first went (and was refused with a 429: its retry waits too), the two others wait,
    // their pictures unread.
    expect(order).toEqual(['first checked', 'first read']);
    expect(budget.waiting).toBe(3);
    for (let minute = 0; minute < 3; minute++) {
      clock.advance(60_000);
      await settle();
    }
    await Promise.all([first, second, third]);
    expect(order).toEqual(['first checked', 'first read', 'second checked', 'second read', 'third checked', 'third read']);
    // The first was sent twice (its retry after the 429) with the picture read once.
    expect(standIn.submissions).toHaveLength(4);
    expect(standIn.submissions.map((s) => (s.body as { image?: string }).image)).toEqual([IMAGE, IMAGE, IMAGE, IMAGE]);
  });
});

describe('a retry waiting when the budget stops', () => {
  it('a poll backing off after a 503 is abandoned at once, not asked again', async () => {
    const { clock, budget, client } = clientOnManualClock(100, {
      sleep: (ms) => new Promise<void>((resolve) => clock.setTimer(resolve, ms)),
    });
    const taskId = standIn.createTask();
    standIn.failNextPoll(503, { code: 503, reason: 'SERVICE_UNAVAILABLE' }, 1, { 'retry-after': '30' });
    const poll = caught(client.getResult(taskId));
    for (let i = 0; i < 50 && standIn.polls.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(standIn.polls).toHaveLength(1);

    budget.stop();
    expect(await poll).toBeInstanceOf(RequestBudgetStopping);
    clock.advance(60_000);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(standIn.polls).toHaveLength(1);
  });
});
