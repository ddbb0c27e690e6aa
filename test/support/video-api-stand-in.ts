/**
 * A local stand-in for the Kling 2.5 Turbo image-to-video API (docs: /work/shared/api/kling-2.5-turbo-i2v.md),
 * served over real HTTP on 127.0.0.1 with the documented shapes, so the client and everything above it are
 * tested against the wire format rather than against mocks. Tests script how each task behaves and can
 * inject the failures the docs list.
 */
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

const SUBMIT_PATH = '/v3/async/kling-2.5-turbo-i2v';
const RESULT_PATH = '/v3/async/task-result';
const FILES_PREFIX = '/files/';
const MAX_TEXT = 2500;

export const SAMPLE_VIDEO_PATH = new URL('../fixtures/sample.mp4', import.meta.url);

export interface StandInTaskScript {
  /** Non-final answers before the final one: QUEUED first, then PROCESSING with progress and eta. Default 1. */
  pollsBeforeDone?: number;
  /**
   * The generation takes this long from its submission, whoever polls: QUEUED for the first tenth, then
   * PROCESSING with the time left as its eta, then the outcome. Replaces `pollsBeforeDone`, so a bot that
   * polls less does not wait longer (what comparing polling policies needs).
   */
  runMs?: number;
  /**
   * Default: succeed with the sample mp4. `videoFile` streams a file from disk instead (a large video need
   * not sit in memory); `video` and `videoFile` are exclusive.
   */
  outcome?: { kind: 'succeed'; video?: Buffer; videoFile?: string; ttlSeconds?: number } | { kind: 'fail'; reason: string };
  /** The eta reported while the task is not final. Default 120. */
  etaSeconds?: number;
}

export interface StandInSubmission {
  at: number;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
}

export interface StandInPoll {
  at: number;
  taskId: string;
}

/** When a task was created and when the provider finished it (Date.now() values). */
export interface StandInTaskTiming {
  id: string;
  submittedAt: number;
  /** Set once the task is final: at `submittedAt + runMs`, or at the poll that first saw it final. */
  finishedAt?: number;
}

interface StandInTask {
  id: string;
  script: StandInTaskScript;
  polls: number;
  submittedAt: number;
  finishedAt?: number;
}

interface InjectedFailure {
  status: number;
  body: unknown;
  headers: Record<string, string>;
  remaining: number;
}

interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export class VideoApiStandIn {
  readonly baseUrl: string;
  readonly submissions: StandInSubmission[] = [];
  readonly polls: StandInPoll[] = [];

  readonly #server: Server;
  readonly #apiKey: string;
  readonly #defaultVideo: Buffer;
  readonly #tasks = new Map<string, StandInTask>();
  readonly #scripts: StandInTaskScript[] = [];
  #defaultScript: StandInTaskScript = {};
  readonly #submitFailures: InjectedFailure[] = [];
  readonly #pollFailures: InjectedFailure[] = [];
  readonly #submitDelays: number[] = [];
  readonly #pollDelays: number[] = [];
  readonly #fileDelays: number[] = [];
  #dropSubmits = 0;
  #dropPolls = 0;
  #videoDownloads = 0;
  #nextId = 1;
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #submissionWaiters = new Set<() => void>();

  private constructor(server: Server, apiKey: string, video: Buffer) {
    this.#server = server;
    this.#apiKey = apiKey;
    this.#defaultVideo = video;
    const { port } = server.address() as AddressInfo;
    this.baseUrl = `http://127.0.0.1:${port}`;
  }

  static async start(options: { apiKey?: string; video?: Buffer } = {}): Promise<VideoApiStandIn> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const standIn = new VideoApiStandIn(server, options.apiKey ?? 'test-api-key', options.video ?? readFileSync(SAMPLE_VIDEO_PATH));
    server.on('request', (req, res) => {
      standIn.#handle(req, res).catch((error: unknown) => {
        if (!res.headersSent && !res.destroyed) {
          sendJson(res, 500, { code: 500, reason: 'SERVICE_NOT_AVAILABLE', message: String(error), metadata: {} });
        }
      });
    });
    return standIn;
  }

  get videoDownloads(): number {
    return this.#videoDownloads;
  }

  /** Task ids handed out so far, in submission order. */
  get taskIds(): string[] {
    return [...this.#tasks.keys()];
  }

  /** Every task's submission and finish times, in submission order. */
  taskTimings(): StandInTaskTiming[] {
    const now = Date.now();
    return [...this.#tasks.values()].map((task) => {
      const finishedAt = task.script.runMs === undefined ? task.finishedAt : task.submittedAt + task.script.runMs;
      return { id: task.id, submittedAt: task.submittedAt, ...(finishedAt !== undefined && finishedAt <= now ? { finishedAt } : {}) };
    });
  }

  /** Creates a task as if it had been submitted (no request recorded), for a store seeded with running tasks. */
  createTask(script: StandInTaskScript = {}): string {
    return this.#createTask(script);
  }

  /** Scripts the next submission; several calls queue up in order. Unscripted tasks use the defaults. */
  nextTask(script: StandInTaskScript): void {
    this.#scripts.push(script);
  }

  /** How unscripted tasks behave (scripted ones take what they do not set from here). */
  setDefaultTask(script: StandInTaskScript): void {
    this.#defaultScript = script;
  }

  /** The next `times` submits get this answer instead of a task (a string body is sent as plain text). */
  failNextSubmit(status: number, body: unknown, times = 1, headers: Record<string, string> = {}): void {
    this.#submitFailures.push({ status, body, headers, remaining: times });
  }

  failNextPoll(status: number, body: unknown, times = 1, headers: Record<string, string> = {}): void {
    this.#pollFailures.push({ status, body, headers, remaining: times });
  }

  /** Holds the next submit's answer for `ms`; the task is still created on receipt, as a real provider would. */
  delaySubmit(ms: number): void {
    this.#submitDelays.push(ms);
  }

  delayPoll(ms: number): void {
    this.#pollDelays.push(ms);
  }

  /** Holds the next video download's answer (headers and bytes) for `ms`; it is counted on receipt. */
  delayVideoDownload(ms: number): void {
    this.#fileDelays.push(ms);
  }

  /** The next submit creates its task, then the connection is cut without an answer. */
  dropNextSubmit(times = 1): void {
    this.#dropSubmits += times;
  }

  /** The next poll's connection is cut without an answer. */
  dropNextPoll(times = 1): void {
    this.#dropPolls += times;
  }

  /** Resolves with the next submission to arrive after this call. */
  waitForSubmission(timeoutMs = 5_000): Promise<StandInSubmission> {
    const seen = this.submissions.length;
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const submission = this.submissions[seen];
        if (!submission) return;
        clearTimeout(timer);
        this.#submissionWaiters.delete(check);
        resolve(submission);
      };
      const timer = setTimeout(() => {
        this.#submissionWaiters.delete(check);
        reject(new Error(`no submission arrived within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#submissionWaiters.add(check);
    });
  }

  async close(): Promise<void> {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
    await closed;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.baseUrl);
    if (req.method === 'POST' && url.pathname === SUBMIT_PATH) {
      await this.#handleSubmit(req, res);
      return;
    }
    if (req.method === 'GET' && url.pathname === RESULT_PATH) {
      await this.#handlePoll(url, req, res);
      return;
    }
    if (req.method === 'GET' && url.pathname.startsWith(FILES_PREFIX)) {
      await this.#handleFile(url, res);
      return;
    }
    await drain(req);
    sendJson(res, 404, envelope(404, 'NOT_FOUND', 'not found'));
  }

  async #handleSubmit(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const text = await readText(req);
    let body: Record<string, unknown> = {};
    let parsedOk = false;
    try {
      const json: unknown = JSON.parse(text);
      if (typeof json === 'object' && json !== null && !Array.isArray(json)) {
        body = json as Record<string, unknown>;
        parsedOk = true;
      }
    } catch {
      // Recorded as an empty body and answered with 400 below.
    }
    this.submissions.push({ at: Date.now(), headers: { ...req.headers }, body });
    for (const waiter of [...this.#submissionWaiters]) waiter();

    const answer = this.#submitAnswer(req, body, parsedOk);
    const wait = this.#submitDelays.shift();
    if (wait !== undefined) await this.#pause(wait);
    if (this.#dropSubmits > 0) {
      this.#dropSubmits--;
      req.socket.destroy();
      return;
    }
    send(res, answer);
  }

  #submitAnswer(req: IncomingMessage, body: Record<string, unknown>, parsedOk: boolean): Answer {
    const failure = takeFailure(this.#submitFailures);
    if (failure) return failure;
    if (!this.#authorized(req)) return { status: 401, body: envelope(401, 'INVALID_API_KEY', 'invalid api key') };
    const problem = parsedOk ? validateSubmit(body) : 'body must be a JSON object';
    if (problem) return { status: 400, body: envelope(400, 'INVALID_REQUEST_BODY', problem) };
    return { status: 200, body: { task_id: this.#createTask(this.#scripts.shift() ?? {}) } };
  }

  #createTask(script: StandInTaskScript): string {
    const id = `task-${this.#nextId++}-${Math.random().toString(36).slice(2, 10)}`;
    this.#tasks.set(id, { id, script: { ...this.#defaultScript, ...script }, polls: 0, submittedAt: Date.now() });
    return id;
  }

  async #handlePoll(url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
    await drain(req);
    const taskId = url.searchParams.get('task_id') ?? '';
    this.polls.push({ at: Date.now(), taskId });
    const wait = this.#pollDelays.shift();
    if (wait !== undefined) await this.#pause(wait);
    if (this.#dropPolls > 0) {
      this.#dropPolls--;
      req.socket.destroy();
      return;
    }
    send(res, this.#pollAnswer(req, taskId));
  }

  #pollAnswer(req: IncomingMessage, taskId: string): Answer {
    const failure = takeFailure(this.#pollFailures);
    if (failure) return failure;
    if (!this.#authorized(req)) return { status: 401, body: envelope(401, 'INVALID_API_KEY', 'invalid api key') };
    const task = this.#tasks.get(taskId);
    if (!task) return { status: 404, body: envelope(404, 'TASK_NOT_FOUND', 'task not found') };
    task.polls++;
    return { status: 200, body: this.#taskResult(task) };
  }

  #taskResult(task: StandInTask): Record<string, unknown> {
    const { script } = task;
    const notFinal = script.pollsBeforeDone ?? 1;
    const eta = script.etaSeconds ?? 120;
    const base = {
      extra: {
        seed: '1234',
        debug_info: { request_info: '', submit_time_ms: String(Date.now()), execute_time_ms: '', complete_time_ms: '' },
      },
      images: [],
      audios: [],
    };
    const taskPart = (status: string, reason: string, etaLeft: number, progress: number): Record<string, unknown> => ({
      task_id: task.id,
      task_type: 'KLING_V2_5_TURBO_I2V',
      status,
      reason,
      eta: etaLeft,
      progress_percent: progress,
    });

    if (script.runMs !== undefined) {
      const elapsed = Date.now() - task.submittedAt;
      if (elapsed < script.runMs) {
        // The provider's eta is whole seconds; rounding up never announces the finish too early.
        const etaLeft = Math.max(1, Math.ceil((script.runMs - elapsed) / 1000));
        if (elapsed < script.runMs / 10) return { ...base, task: taskPart('TASK_STATUS_QUEUED', '', etaLeft, 0), videos: [] };
        const progress = Math.min(99, Math.floor((elapsed / script.runMs) * 100));
        return { ...base, task: taskPart('TASK_STATUS_PROCESSING', '', etaLeft, progress), videos: [] };
      }
    } else if (task.polls <= notFinal) {
      if (task.polls === 1) return { ...base, task: taskPart('TASK_STATUS_QUEUED', '', eta, 0), videos: [] };
      const progress = Math.min(99, Math.round(((task.polls - 1) / notFinal) * 100));
      const etaLeft = Math.max(1, Math.round(eta * (1 - progress / 100)));
      return { ...base, task: taskPart('TASK_STATUS_PROCESSING', '', etaLeft, progress), videos: [] };
    }
    task.finishedAt ??= Date.now();

    const outcome = script.outcome ?? { kind: 'succeed' };
    if (outcome.kind === 'fail') {
      return { ...base, task: taskPart('TASK_STATUS_FAILED', outcome.reason, 0, 0), videos: [] };
    }
    const ttl = outcome.ttlSeconds ?? 3600;
    return {
      ...base,
      task: taskPart('TASK_STATUS_SUCCEED', '', 0, 100),
      videos: [
        {
          video_url: `${this.baseUrl}${FILES_PREFIX}${encodeURIComponent(task.id)}.mp4?X-Amz-Expires=${ttl}`,
          video_url_ttl: String(ttl),
          video_type: 'mp4',
        },
      ],
    };
  }

  async #handleFile(url: URL, res: ServerResponse): Promise<void> {
    const name = decodeURIComponent(url.pathname.slice(FILES_PREFIX.length));
    const task = name.endsWith('.mp4') ? this.#tasks.get(name.slice(0, -'.mp4'.length)) : undefined;
    const outcome = task?.script.outcome ?? { kind: 'succeed' };
    if (!task || outcome.kind !== 'succeed') {
      // Presigned storage answers in its own format, not the API envelope.
      res.writeHead(404, { 'content-type': 'application/xml' });
      res.end('<Error><Code>NoSuchKey</Code></Error>');
      return;
    }
    this.#videoDownloads++;
    const wait = this.#fileDelays.shift();
    if (wait !== undefined) await this.#pause(wait);
    if (res.destroyed) return;
    if (outcome.videoFile !== undefined) {
      res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': String(statSync(outcome.videoFile).size) });
      createReadStream(outcome.videoFile)
        .on('error', () => res.destroy())
        .pipe(res);
      return;
    }
    const bytes = outcome.video ?? this.#defaultVideo;
    res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': String(bytes.length) });
    res.end(bytes);
  }

  #authorized(req: IncomingMessage): boolean {
    return req.headers.authorization === `Bearer ${this.#apiKey}`;
  }

  #pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        resolve();
      }, ms);
      this.#timers.add(timer);
    });
  }
}

/** The documented submit rules; returns what is wrong, or undefined when the body is acceptable. */
function validateSubmit(body: Record<string, unknown>): string | undefined {
  const { image, prompt, duration, cfg_scale: cfgScale, mode, negative_prompt: negativePrompt } = body;
  if (typeof image !== 'string' || image.trim() === '') return 'image is required';
  if (image.startsWith('data:')) return 'image must be raw base64 or a URL, without a data: prefix';
  if (typeof prompt !== 'string' || prompt.trim() === '') return 'prompt is required';
  if (prompt.length > MAX_TEXT) return `prompt must be at most ${MAX_TEXT} characters`;
  if (duration !== undefined && duration !== '5' && duration !== '10') return 'duration must be "5" or "10"';
  if (cfgScale !== undefined && (typeof cfgScale !== 'number' || !(cfgScale >= 0 && cfgScale <= 1))) {
    return 'cfg_scale must be a number between 0 and 1';
  }
  if (mode !== undefined && mode !== 'pro') return 'mode must be "pro"';
  if (negativePrompt !== undefined && (typeof negativePrompt !== 'string' || negativePrompt.length > MAX_TEXT)) {
    return `negative_prompt must be a string of at most ${MAX_TEXT} characters`;
  }
  return undefined;
}

function envelope(code: number, reason: string, message: string): Record<string, unknown> {
  return { code, reason, message, metadata: {} };
}

function takeFailure(queue: InjectedFailure[]): Answer | undefined {
  const next = queue[0];
  if (!next) return undefined;
  next.remaining--;
  if (next.remaining <= 0) queue.shift();
  return { status: next.status, body: next.body, headers: next.headers };
}

function send(res: ServerResponse, answer: Answer): void {
  if (res.destroyed) return;
  if (typeof answer.body === 'string') {
    res.writeHead(answer.status, {
      'content-type': 'text/plain; charset=utf-8',
      'content-length': String(Buffer.byteLength(answer.body)),
      ...answer.headers,
    });
    res.end(answer.body);
    return;
  }
  sendJson(res, answer.status, answer.body, answer.headers);
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

async function readText(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function drain(req: IncomingMessage): Promise<void> {
  // Only consumed so keep-alive connections stay usable.
  req.resume();
  await new Promise<void>((resolve) => req.once('end', resolve).once('close', resolve));
}
