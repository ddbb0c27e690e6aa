/**
 * The Kling 2.5 Turbo image-to-video client: submit a job, read a task's result
 * (docs: /work/shared/api/kling-2.5-turbo-i2v.md). It owns the retry policy, and every request it sends (retries
 * included) waits its turn in the request budget (request-budget.ts);
 * what to do with a result (polling cadence, refunds, delivery) belongs to the caller.
 *
 * Two rules shape everything here: the API key never reaches a log line or an error, and the request body
 * (it holds the member's picture) is never logged.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { request, type Dispatcher } from 'undici';
import { systemClock } from '../clock.ts';
import type { Logger } from '../logger.ts';
import { noMetrics, observeProviderRequest, type ProviderMetrics } from '../metrics.ts';
import { randomFraction } from '../random.ts';
import { createScrubber } from '../secrets.ts';
import { LocalRateWindow, RequestBudget, URGENT, type RequestPriority } from './request-budget.ts';
import { parseErrorBody, parseTaskResult, submitResponseSchema, type ErrorEnvelope, type TaskResult } from './schemas.ts';
import {
  ProviderMisconfigured,
  ProviderOutOfCredit,
  ProviderRejected,
  ProviderUnavailable,
  SubmitAborted,
  SubmitOutcomeUnknown,
  type VideoApiError,
} from './video-api-errors.ts';

export type { TaskResult, TaskStatus } from './schemas.ts';

export interface SubmitRequest {
  /**
   * Raw base64 without a `data:` prefix (the provider rejects the prefix), or a public https URL; or how to read
   * it, asked once the request has its slot in the budget, right before it leaves. A burst's submissions wait
   * minutes for their slots at the default budget (1000 at 120 a minute: over eight); each one holding its
   * picture's base64 and its JSON body meanwhile kept about 250 KB of heap per 95 KB picture, some 250 MB for a
   * burst of 1000.
   */
  image: string | (() => Promise<string>);
  prompt: string;
  duration: '5' | '10';
  cfgScale: number;
  negativePrompt?: string;
}

export interface SubmitOptions {
  /**
   * Asked once, when the request budget has granted the submission its slot and right before the request
   * leaves (not again for its retries): false aborts it unsent with SubmitAborted. Whatever must be true for
   * the submission to go (a mark that it went, taken once) belongs here rather than before the budget's wait,
   * which may last minutes and end in the process stopping.
   */
  beforeSend?: () => Promise<boolean>;
}

export interface VideoApiClientOptions {
  baseUrl: string;
  apiKey: string;
  logger: Logger;
  /** Whole-exchange limit per request. Default 90 s: the provider asks for client time-outs above 60 s. */
  requestTimeoutMs?: number;
  /** Tries per call, the first included. Default 4. */
  maxAttempts?: number;
  /**
   * The request budget shared by submits and polls (HIGHWAY_REQUESTS_PER_MINUTE); the bot passes its store's,
   * shared by every process on Redis. Default: this process's own, of `requestsPerMinute`.
   */
  budget?: RequestBudget;
  /** Cap of the default budget. Default 120. */
  requestsPerMinute?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Jitter source in [0, 1). */
  random?: () => number;
  now?: () => number;
  dispatcher?: Dispatcher;
  /** Told of each exchange's status and duration. Default: none. */
  metrics?: ProviderMetrics;
}

const SUBMIT_PATH = '/v3/async/kling-2.5-turbo-i2v';
const RESULT_PATH = '/v3/async/task-result';

/**
 * Statuses worth asking again. A submit is retried on them only when no task can exist: a 429, or a 5xx in
 * the provider's own error envelope (its application refused the request, no gateway stood in between).
 */
const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 500, 502, 503, 504]);
/** Failures that happen before a single byte of the request leaves, so even a submit may be retried. */
const NEVER_SENT_CODES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);
const AUTH_REASONS: ReadonlySet<string> = new Set(['FAILED_TO_AUTH', 'INVALID_API_KEY']);

const BACKOFF_BASE_MS = 1_000;
const BACKOFF_CAP_MS = 30_000;
/** A Retry-After longer than this is not worth holding a member's request for; give up and say so. */
const MAX_RETRY_AFTER_MS = 60_000;

interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

interface CallSpec {
  op: 'submit' | 'getResult';
  method: 'GET' | 'POST';
  path: string;
  /** The body, or how to make it: once, when the first attempt is about to leave (kept for the retries). */
  body?: string | (() => Promise<string>);
  /** Whether sending the same request twice is harmless. A submit is not: each one is a paid task. */
  idempotent: boolean;
  /** Its place in the budget's queue; retries keep it. */
  priority: RequestPriority;
  /** Asked before the first attempt is sent (SubmitOptions). */
  beforeSend?: () => Promise<boolean>;
  logFields: Record<string, unknown>;
}

export class VideoApiClient {
  readonly #baseUrl: string;
  readonly #apiKey: string;
  /**
   * Provider text is shown to members and logged: a gateway echoing the key (as is, or encoded in a URL) must
   * not carry it along, nor any signed link it quotes. The logs' own scrubber, with the key.
   */
  readonly #scrub: (text: string) => string;
  readonly #logger: Logger;
  readonly #requestTimeoutMs: number;
  readonly #maxAttempts: number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #random: () => number;
  readonly #now: () => number;
  readonly #dispatcher: Dispatcher | undefined;
  readonly #budget: RequestBudget;
  readonly #metrics: ProviderMetrics;

  constructor(options: VideoApiClientOptions) {
    this.#baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#apiKey = options.apiKey;
    this.#scrub = createScrubber([options.apiKey]);
    this.#logger = options.logger.child({ component: 'video-api' });
    this.#requestTimeoutMs = options.requestTimeoutMs ?? 90_000;
    this.#maxAttempts = Math.max(1, Math.floor(options.maxAttempts ?? 4));
    this.#sleep = options.sleep ?? ((ms) => delay(ms));
    this.#random = options.random ?? randomFraction;
    this.#now = options.now ?? (() => systemClock.now());
    this.#dispatcher = options.dispatcher;
    this.#metrics = options.metrics ?? noMetrics;
    this.#budget =
      options.budget ??
      new RequestBudget({
        window: new LocalRateWindow({ limit: options.requestsPerMinute ?? 120, now: this.#now }),
        sleep: this.#sleep,
      });
  }

  /**
   * Creates a paid task. Throws SubmitOutcomeUnknown, never retrying, when the request may have reached the
   * provider without an answer coming back. `priority`: its turn in the request budget (default: urgent).
   * Throws SubmitAborted when `options.beforeSend` says no, and RequestBudgetStopping when the budget stops
   * while the submission waits for its slot: in both cases nothing was sent.
   */
  async submit(req: SubmitRequest, priority: RequestPriority = URGENT, options: SubmitOptions = {}): Promise<{ taskId: string }> {
    const body = async () => {
      const fields: Record<string, unknown> = {
        image: typeof req.image === 'string' ? req.image : await req.image(),
        prompt: req.prompt,
        duration: req.duration,
        cfg_scale: req.cfgScale,
        mode: 'pro',
      };
      if (req.negativePrompt !== undefined) fields.negative_prompt = req.negativePrompt;
      return JSON.stringify(fields);
    };

    const answer = await this.#call({
      op: 'submit',
      method: 'POST',
      path: SUBMIT_PATH,
      body,
      idempotent: false,
      priority,
      ...(options.beforeSend ? { beforeSend: options.beforeSend } : {}),
      logFields: { duration: req.duration },
    });
    const parsed = submitResponseSchema.safeParse(parseJson(answer.text));
    if (!parsed.success) {
      // The provider answered but named no task: nothing to poll, and nothing suggests a task exists.
      this.#logger.error('video API submit answered without a task id', {
        status: answer.status,
        bodyShape: describeShape(parseJson(answer.text)),
      });
      throw new ProviderUnavailable({ status: answer.status });
    }
    const taskId = parsed.data.task_id;
    this.#logger.info('video API task submitted', { taskId, duration: req.duration });
    return { taskId };
  }

  /** Reads a task's state once; the caller decides how often to ask. Reads are retried freely. */
  async getResult(taskId: string, priority: RequestPriority = URGENT): Promise<TaskResult> {
    const answer = await this.#call({
      op: 'getResult',
      method: 'GET',
      path: `${RESULT_PATH}?task_id=${encodeURIComponent(taskId)}`,
      idempotent: true,
      priority,
      logFields: { taskId },
    });
    const json = parseJson(answer.text);
    const result = parseTaskResult(json);
    if (!result) {
      this.#logger.warn('video API task result has an unexpected shape', {
        taskId,
        status: answer.status,
        bodyShape: describeShape(json),
      });
      throw new ProviderUnavailable({ status: answer.status });
    }
    // A failed task's reason is shown to the member, like the error texts #scrub already cleans.
    if (result.reason !== undefined) result.reason = this.#scrub(result.reason);
    this.#logger.debug('video API task result', {
      taskId,
      taskStatus: result.rawStatus,
      progressPercent: result.progressPercent,
      etaSeconds: result.etaSeconds,
    });
    return result;
  }

  async #call(spec: CallSpec): Promise<HttpAnswer> {
    let body: string | undefined;
    for (let attempt = 1; ; attempt++) {
      const fields = { op: spec.op, attempt, ...spec.logFields };
      // Rejects with RequestBudgetStopping, unsent, when the process stops while the request waits.
      await this.#budget.acquire(spec.priority);
      if (attempt === 1 && spec.beforeSend && !(await spec.beforeSend())) throw new SubmitAborted();
      body ??= typeof spec.body === 'function' ? await spec.body() : spec.body;

      let answer: HttpAnswer;
      try {
        answer = await observeProviderRequest(this.#metrics, spec.op, this.#now, () => this.#send(spec, body));
      } catch (error) {
        const code = errorCode(error) ?? errorName(error);
        if (!spec.idempotent && !NEVER_SENT_CODES.has(code)) {
          this.#logger.error('video API submit outcome unknown; not retrying to avoid a second paid task', {
            ...fields,
            code,
          });
          throw new SubmitOutcomeUnknown({ cause: error });
        }
        if (attempt >= this.#maxAttempts) {
          this.#logger.warn('video API unreachable; giving up', { ...fields, code });
          throw new ProviderUnavailable({ cause: error });
        }
        const waitMs = this.#backoff(attempt);
        this.#logger.warn('video API unreachable; retrying', { ...fields, code, waitMs });
        await this.#budget.orStop(this.#sleep(waitMs));
        continue;
      }

      if (answer.status >= 200 && answer.status < 300) return answer;

      const envelope = parseErrorBody(answer.text);
      const reason = envelope.reason === undefined ? undefined : this.#scrub(envelope.reason);
      if (!spec.idempotent && answer.status >= 500 && envelope.reason === undefined) {
        // A gateway's 5xx (no provider envelope) does not prove that no task was created behind it: sending
        // again could pay twice, so the outcome is unknown.
        this.#logger.error('video API submit answered by a gateway error; outcome unknown, not retrying', {
          ...fields,
          status: answer.status,
        });
        throw new SubmitOutcomeUnknown({ status: answer.status });
      }
      if (RETRYABLE_STATUSES.has(answer.status)) {
        const retryAfterMs = parseRetryAfter(answer.headers['retry-after'], this.#now());
        const tooLong = retryAfterMs !== undefined && retryAfterMs > MAX_RETRY_AFTER_MS;
        if (attempt >= this.#maxAttempts || tooLong) {
          this.#logger.warn('video API unavailable; giving up', { ...fields, status: answer.status, reason, retryAfterMs });
          throw new ProviderUnavailable({ status: answer.status, reason, retryAfterMs });
        }
        const waitMs = retryAfterMs ?? this.#backoff(attempt);
        this.#logger.warn('video API busy; retrying', { ...fields, status: answer.status, reason, waitMs });
        await this.#budget.orStop(this.#sleep(waitMs));
        continue;
      }

      throw this.#classify(answer.status, envelope, fields);
    }
  }

  async #send(spec: CallSpec, body: string | undefined): Promise<HttpAnswer> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.#apiKey}`,
      accept: 'application/json',
    };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await request(`${this.#baseUrl}${spec.path}`, {
      method: spec.method,
      headers,
      body,
      headersTimeout: this.#requestTimeoutMs,
      bodyTimeout: this.#requestTimeoutMs,
      // Covers a body that trickles in slower than the whole-exchange limit.
      signal: AbortSignal.timeout(this.#requestTimeoutMs),
      ...(this.#dispatcher ? { dispatcher: this.#dispatcher } : {}),
    });
    const text = await response.body.text();
    return { status: response.statusCode, headers: response.headers, text };
  }

  #classify(status: number, envelope: ErrorEnvelope, fields: Record<string, unknown>): VideoApiError {
    const reason = envelope.reason === undefined ? undefined : this.#scrub(envelope.reason);
    const token = reason?.toUpperCase();
    const details = { status, reason };
    if (token === 'NOT_ENOUGH_BALANCE' || status === 402) {
      // The operator's alert is the tracker's single "submissions paused" line; this one is for the trail.
      this.#logger.warn('video API answered NOT_ENOUGH_BALANCE', { ...fields, ...details });
      return new ProviderOutOfCredit(details);
    }
    if (status === 401 || status === 403 || (token !== undefined && AUTH_REASONS.has(token))) {
      // This log line is the operator alert the member is promised.
      this.#logger.error('video API refused the API key; check HIGHWAY_API_KEY', { ...fields, ...details });
      return new ProviderMisconfigured(details);
    }
    if (status >= 400 && status < 500) {
      const message = envelope.message === undefined ? undefined : this.#scrub(envelope.message);
      this.#logger.warn('video API rejected the request', { ...fields, ...details, providerMessage: message });
      return new ProviderRejected(message, details);
    }
    this.#logger.warn('video API answered with an unexpected status', { ...fields, ...details });
    return new ProviderUnavailable(details);
  }

  /** Full jitter: a random wait up to an exponentially growing ceiling, so retrying bots do not stampede. */
  #backoff(attempt: number): number {
    const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (attempt - 1));
    return Math.floor(this.#random() * ceiling);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** `Retry-After` is either delay-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(header: string | string[] | undefined, nowMs: number): number | undefined {
  const value = (Array.isArray(header) ? header[0] : header)?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const at = Date.parse(value);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/** Node and undici put the failure's code on the error, its cause, or (happy eyeballs) inside an AggregateError. */
function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  if (error instanceof AggregateError) {
    for (const inner of error.errors) {
      const innerCode = errorCode(inner);
      if (innerCode !== undefined) return innerCode;
    }
  }
  const cause = (error as { cause?: unknown }).cause;
  return cause !== undefined && cause !== error ? errorCode(cause) : undefined;
}

/** An abort by our own time-out signal carries a name (`TimeoutError`) but no string code. */
function errorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}

/** Names and types of a body's fields, never their values: enough to diagnose a gateway quirk in the logs. */
function describeShape(value: unknown, depth = 0): unknown {
  if (value === null) return 'null';
  if (Array.isArray(value)) return depth >= 2 ? `array(${value.length})` : value.slice(0, 3).map((v) => describeShape(v, depth + 1));
  if (typeof value === 'object') {
    if (depth >= 2) return 'object';
    return Object.fromEntries(
      Object.entries(value)
        .slice(0, 20)
        .map(([k, v]) => [k, describeShape(v, depth + 1)]),
    );
  }
  return typeof value;
}
