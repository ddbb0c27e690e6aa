/**
 * Drives every /animate task from "received" to a final state: checks the picture, submits it once,
 * polls the provider on one shared schedule, downloads the video and hands it to the member's reply.
 * Each step is written to the store before its side effect, so a restarted bot resumes where it stopped
 * and never submits twice.
 */
import { randomUUID } from 'node:crypto';
import { UserFacingError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { CheckedImage } from '../images/check-image.ts';
import type { SubmitRequest, TaskResult } from '../video-api/video-api-client.ts';
import { ProviderUnavailable } from '../video-api/video-api-errors.ts';
import type { Clock } from './clock.ts';
import type { VideoDownload } from './download-video.ts';
import { errorBackoffMs, nextPollDelayMs } from './poll-policy.ts';
import type { FinalView, ReplyPort, ReplyView } from './reply-port.ts';
import { isFinal, unitsFor, type AnimateOptions, type TaskRecord, type TaskState } from './task-record.ts';
import { TaskScheduler } from './task-scheduler.ts';
import type { TaskStore } from './task-store.ts';

export interface VideoApi {
  submit(request: SubmitRequest): Promise<{ taskId: string }>;
  getResult(taskId: string): Promise<TaskResult>;
}

/** The quota's part in a task's life: a running slot to start, and reservations to settle at the end. */
export interface QuotaGate {
  tryStart(task: { id: string; guildId: string; userId: string }): Promise<boolean>;
  settle(taskId: string, refund: boolean): Promise<boolean>;
  pauseSubmissions(): Promise<boolean>;
  pausedUntil(): Promise<number | undefined>;
}

export interface TaskTrackerDeps {
  store: TaskStore;
  quota: QuotaGate;
  videoApi: VideoApi;
  replies: ReplyPort;
  logger: Logger;
  clock: Clock;
  pollIntervalMs: number;
  downloadImage: (url: string) => Promise<Buffer>;
  checkImage: (bytes: Buffer) => CheckedImage;
  downloadVideo: (url: string, maxBytes: number) => Promise<VideoDownload>;
  random?: () => number;
  newId?: () => string;
  /**
   * Set when several processes share the store: this process's name on task leases. Without it (SQLite,
   * one process by definition) no lease is taken, so a restarted bot resumes its tasks at once.
   */
  leaseOwner?: string;
}

/** A lease outlives any single step (the longest is a video download) and lapses soon after a crash. */
const LEASE_MS = 2 * 60_000;

export interface NewTask {
  requester: TaskRecord['requester'];
  interaction: TaskRecord['interaction'];
  options: AnimateOptions;
  image: TaskRecord['image'];
}

/** How long a task may go on failing to be polled or delivered before the member is told. */
const GIVE_UP_AFTER_FAILURES = 12;
/** Links are delivered only while they have this long left to live. */
const LINK_MIN_REMAINING_MS = 5 * 60_000;
/** A generation running longer than this is reported as failed rather than polled for ever. */
const MAX_GENERATION_MS = 3 * 60 * 60_000;

type StepResult = { next: 'continue' } | { next: 'wait'; delayMs: number } | { next: 'done' };

const MESSAGES = {
  submitUnknown:
    "We lost contact with the video service while sending your picture, so we can't tell whether it started. " +
    "To avoid charging you twice it wasn't sent again. Please try /animate again in a minute.",
  timedOut: 'The video service took too long to make this video. Please try /animate again later.',
  unavailable: 'The video service is not answering right now. Please try /animate again in a few minutes.',
  videoLost: 'The video was made, but the bot could not fetch it from the video service. Please try /animate again.',
  internal: (ref: string) => `Something went wrong on our side (ref ${ref}). Please try /animate again.`,
} as const;

export class TaskTracker {
  readonly #deps: TaskTrackerDeps;
  readonly #scheduler: TaskScheduler;
  readonly #running = new Map<string, Promise<void>>();
  readonly #cancelling = new Set<string>();
  readonly #random: () => number;
  readonly #newId: () => string;
  #stopped = false;

  constructor(deps: TaskTrackerDeps) {
    this.#deps = deps;
    this.#random = deps.random ?? Math.random;
    this.#newId = deps.newId ?? randomUUID;
    this.#scheduler = new TaskScheduler(deps.clock, (id) => this.#start(id));
  }

  /** A fresh task id, for reserving quota under it before the task exists. */
  newTaskId(): string {
    return this.#newId();
  }

  /** Records a new request and starts working on it; resolves once the record is safely stored. */
  async accept(id: string, input: NewTask): Promise<TaskRecord> {
    const now = this.#deps.clock.now();
    const record: TaskRecord = {
      version: 1,
      id,
      state: 'received',
      retries: 0,
      createdAt: now,
      updatedAt: now,
      ...input,
    };
    await this.#deps.store.put(record);
    this.#deps.logger.info('task received', { taskId: record.id, guildId: input.requester.guildId, userId: input.requester.userId });
    this.#start(record.id);
    return record;
  }

  /**
   * Picks up every open task nobody here is working on: at start, what a previous run left unfinished; later
   * (the periodic sweep), what another process stopped driving. Tasks this process already has running or
   * scheduled are left to their schedule, so a sweep never adds provider requests.
   */
  async resumeOpenTasks(): Promise<number> {
    const open = await this.#deps.store.listOpen();
    const idle = open.filter((task) => !this.#running.has(task.id) && !this.#scheduler.has(task.id));
    for (const task of idle) {
      this.#deps.logger.info('resuming task', { taskId: task.id, state: task.state });
      this.#start(task.id);
    }
    return idle.length;
  }

  /** Stops scheduling and waits for the steps under way, so the store is left consistent. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#scheduler.stop();
    await Promise.allSettled([...this.#running.values()]);
  }

  /** Resolves when no step is running for any task (for orderly shutdown and tests). */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running.values()]);
  }

  /**
   * Cancels a task still waiting its turn, for the member who asked or a moderator; its units are refunded.
   * A task that has been submitted cannot be cancelled: the provider is already making (and charging for) it.
   */
  async cancel(
    id: string,
    by: { userId: string; isModerator: boolean },
  ): Promise<'cancelled' | 'not_found' | 'not_allowed' | 'started' | 'finished'> {
    const task = await this.#deps.store.get(id);
    if (!task) return 'not_found';
    if (task.requester.userId !== by.userId && !by.isModerator) return 'not_allowed';
    this.#cancelling.add(id);
    try {
      // Let a step under way finish, so the task is not started while it is being cancelled.
      await this.#running.get(id);
      const current = await this.#deps.store.get(id);
      if (!current || isFinal(current.state)) return 'finished';
      if (current.state !== 'waiting') return 'started';
      const owner = this.#deps.leaseOwner;
      if (owner !== undefined && !(await this.#deps.store.claimLease(id, owner, LEASE_MS))) return 'started';
      this.#scheduler.cancel(id);
      this.#deps.logger.info('task cancelled', { taskId: id, by: by.userId });
      await this.#fail(current, 'cancelled', 'Cancelled before it started.');
      return 'cancelled';
    } finally {
      this.#cancelling.delete(id);
    }
  }

  #start(id: string): void {
    if (this.#stopped || this.#running.has(id)) return;
    if (this.#cancelling.has(id)) {
      // Try again once the cancellation has decided; a cancelled task simply finds itself final.
      this.#scheduler.schedule(id, this.#deps.clock.now() + 1_000);
      return;
    }
    const run = this.#drive(id).finally(() => this.#running.delete(id));
    this.#running.set(id, run);
  }

  async #drive(id: string): Promise<void> {
    const log = this.#deps.logger.child({ taskId: id });
    for (;;) {
      if (this.#stopped) return;
      const task = await this.#deps.store.get(id).catch((error: unknown) => {
        log.error('could not read task', { error });
        return undefined;
      });
      if (!task || isFinal(task.state)) return;
      const owner = this.#deps.leaseOwner;
      if (owner !== undefined && !(await this.#deps.store.claimLease(id, owner, LEASE_MS))) {
        log.debug('task is driven by another process');
        return;
      }
      let result: StepResult;
      try {
        result = await this.#step(task);
      } catch (error) {
        result = await this.#unexpected(task, error);
      }
      if (result.next === 'done') {
        if (owner !== undefined) await this.#deps.store.releaseLease(id, owner);
        return;
      }
      if (result.next === 'wait') {
        this.#scheduler.schedule(id, this.#deps.clock.now() + result.delayMs);
        return;
      }
    }
  }

  #step(task: TaskRecord): Promise<StepResult> {
    if (task.failure) return this.#finish(task, 'failed', failureView(task.failure), task.failure);
    switch (task.state) {
      case 'received':
      case 'checking':
        return this.#check(task);
      case 'waiting':
        return this.#waitForTurn(task);
      case 'submitting':
        // The bot stopped between recording the submission and learning its outcome: the provider may
        // have a (paid) task for it, so sending it again could charge twice.
        return this.#save({ ...task, state: 'submit_unknown' }).then(() => ({ next: 'continue' }) as const);
      case 'submit_unknown':
        return this.#fail(task, 'submit_unknown', MESSAGES.submitUnknown);
      case 'queued':
      case 'processing':
        return this.#poll(task);
      case 'downloading':
      case 'delivering':
        return this.#fetchAndDeliver(task);
      case 'delivered':
      case 'failed':
      case 'undelivered':
        return Promise.resolve({ next: 'done' });
    }
  }

  async #check(task: TaskRecord): Promise<StepResult> {
    const log = this.#deps.logger.child({ taskId: task.id });
    let current = await this.#save({ ...task, state: 'checking' });
    current = await this.#show(current, { kind: 'checking' });
    let image: CheckedImage;
    try {
      image = this.#deps.checkImage(await this.#deps.downloadImage(task.image.url));
    } catch (error) {
      if (!(error instanceof UserFacingError)) throw error;
      log.info('picture refused', { kind: error.kind, reason: error.userMessage });
      return this.#fail(current, error.kind, error.userMessage);
    }
    await this.#deps.store.putImage(task.id, image.base64);
    await this.#save({ ...current, state: 'waiting' });
    return { next: 'continue' };
  }

  /**
   * A checked task waits here for a running slot (the member's and the server's running limits), in the
   * order the member asked, and while the provider's account is paused for lack of credit.
   */
  async #waitForTurn(task: TaskRecord): Promise<StepResult> {
    const paused = (await this.#deps.quota.pausedUntil()) !== undefined;
    const position = await this.#positionInLine(task);
    if (
      !paused &&
      position === 1 &&
      (await this.#deps.quota.tryStart({ id: task.id, guildId: task.requester.guildId, userId: task.requester.userId }))
    ) {
      return this.#submit(task);
    }
    await this.#show(task, { kind: 'waiting_turn', position, paused });
    // Finishing tasks wake the ones waiting behind them; this is the fallback (another process finished one).
    return { next: 'wait', delayMs: Math.max(this.#deps.pollIntervalMs, 5_000) };
  }

  async #positionInLine(task: TaskRecord): Promise<number> {
    const open = await this.#deps.store.listOpen();
    const ahead = open.filter(
      (other) =>
        other.state === 'waiting' &&
        other.requester.guildId === task.requester.guildId &&
        other.requester.userId === task.requester.userId &&
        (other.createdAt < task.createdAt || (other.createdAt === task.createdAt && other.id < task.id)),
    );
    return ahead.length + 1;
  }

  async #submit(task: TaskRecord): Promise<StepResult> {
    const log = this.#deps.logger.child({ taskId: task.id });
    const imageBase64 = await this.#deps.store.getImage(task.id);
    if (imageBase64 === undefined) {
      // The checked picture is kept until the task is final; without it, check again rather than guess.
      // The slot stays taken: starting again with the same task takes the same slot.
      await this.#save({ ...task, state: 'received' });
      return { next: 'continue' };
    }
    // Recorded before the request leaves: if the bot dies now, the resumed task knows a charge may exist.
    let current = await this.#save({ ...task, state: 'submitting' });
    let providerTaskId: string;
    try {
      const submitted = await this.#deps.videoApi.submit({
        image: imageBase64,
        prompt: task.options.prompt,
        duration: task.options.duration,
        cfgScale: task.options.cfgScale,
        ...(task.options.negativePrompt !== undefined ? { negativePrompt: task.options.negativePrompt } : {}),
      });
      providerTaskId = submitted.taskId;
    } catch (error) {
      if (error instanceof UserFacingError && error.kind !== 'submit_unknown') {
        log.warn('submission refused', { kind: error.kind, reason: error.userMessage });
        if (error.kind === 'provider_out_of_credit' && (await this.#deps.quota.pauseSubmissions())) {
          log.error('the video API account is out of credit: submissions are paused for 10 minutes; top up the account');
        }
        return this.#fail(current, error.kind, error.userMessage);
      }
      log.error('submission outcome unknown', { error });
      await this.#save({ ...current, state: 'submit_unknown' });
      return { next: 'continue' };
    }
    const now = this.#deps.clock.now();
    current = await this.#save({ ...current, state: 'queued', retries: 0, provider: { taskId: providerTaskId, submittedAt: now } });
    log.info('submitted', { providerTaskId });
    await this.#show(current, { kind: 'waiting' });
    return { next: 'wait', delayMs: this.#deps.pollIntervalMs };
  }

  async #poll(task: TaskRecord): Promise<StepResult> {
    const provider = task.provider;
    if (!provider) return this.#fail(task, 'internal', MESSAGES.internal(task.id.slice(0, 8)));
    const log = this.#deps.logger.child({ taskId: task.id, providerTaskId: provider.taskId });
    const now = this.#deps.clock.now();
    if (now - provider.submittedAt > MAX_GENERATION_MS) {
      log.warn('generation timed out');
      return this.#fail(task, 'generation_failed', MESSAGES.timedOut);
    }

    let result: TaskResult;
    try {
      result = await this.#deps.videoApi.getResult(provider.taskId);
    } catch (error) {
      if (error instanceof UserFacingError && !(error instanceof ProviderUnavailable)) {
        log.warn('provider refused the poll', { kind: error.kind });
        return this.#fail(task, error.kind, error.userMessage);
      }
      return this.#retryLater(task, error, MESSAGES.unavailable);
    }

    switch (result.status) {
      case 'succeeded': {
        if (!result.video) {
          log.error('provider reported success without a video');
          return this.#fail(task, 'generation_failed', MESSAGES.videoLost);
        }
        const ttl = result.video.ttlSeconds;
        await this.#save({
          ...task,
          state: 'downloading',
          retries: 0,
          provider: {
            ...provider,
            videoUrl: result.video.url,
            ...(ttl !== undefined ? { videoUrlExpiresAt: now + ttl * 1000 } : {}),
          },
        });
        return { next: 'continue' };
      }
      case 'failed': {
        let reason = result.reason?.trim() ?? '';
        if (reason === '') reason = 'no reason given';
        log.info('generation failed', { reason });
        return this.#fail(task, 'provider_rejected', `The video service could not make this video: ${reason}`);
      }
      case 'queued':
      case 'processing':
      case 'unknown': {
        if (result.status === 'unknown') log.warn('unknown task status, still waiting', { status: result.rawStatus });
        const state: TaskState = result.status === 'queued' ? 'queued' : 'processing';
        const etaAt = result.etaSeconds !== undefined && result.etaSeconds > 0 ? now + result.etaSeconds * 1000 : undefined;
        const updated = await this.#save({
          ...task,
          state,
          retries: 0,
          provider: {
            ...provider,
            ...(result.progressPercent !== undefined ? { progressPercent: result.progressPercent } : {}),
            etaAt: keepEstimate(provider.etaAt, etaAt),
          },
        });
        await this.#show(
          updated,
          state === 'queued'
            ? { kind: 'waiting' }
            : {
                kind: 'generating',
                ...(updated.provider?.progressPercent !== undefined ? { progressPercent: updated.provider.progressPercent } : {}),
                ...(updated.provider?.etaAt !== undefined ? { etaAt: updated.provider.etaAt } : {}),
              },
        );
        const delayMs = nextPollDelayMs({
          pollIntervalMs: this.#deps.pollIntervalMs,
          ...(result.etaSeconds !== undefined ? { etaSeconds: result.etaSeconds } : {}),
          runningForMs: now - provider.submittedAt,
        });
        return { next: 'wait', delayMs };
      }
    }
  }

  async #fetchAndDeliver(task: TaskRecord): Promise<StepResult> {
    const provider = task.provider;
    const now = this.#deps.clock.now();
    if (!provider?.videoUrl || (provider.videoUrlExpiresAt !== undefined && provider.videoUrlExpiresAt - now < LINK_MIN_REMAINING_MS)) {
      // The presigned link is gone (or about to be): a fresh poll hands out a new one.
      await this.#save({ ...task, state: 'processing' });
      return { next: 'continue' };
    }
    let current = task;
    if (task.state === 'downloading') current = await this.#show(task, { kind: 'delivering' });

    let download: VideoDownload;
    try {
      download = await this.#deps.downloadVideo(provider.videoUrl, task.interaction.attachmentSizeLimit);
    } catch (error) {
      return this.#retryLater(current, error, MESSAGES.videoLost);
    }

    const view: FinalView =
      download.kind === 'file'
        ? {
            kind: 'video',
            video: download.bytes,
            filename: `animate-${task.id.slice(0, 8)}.mp4`,
            ...(provider.videoUrlExpiresAt !== undefined
              ? {
                  link: { url: provider.videoUrl, expiresAt: provider.videoUrlExpiresAt, limitBytes: task.interaction.attachmentSizeLimit },
                }
              : {}),
          }
        : {
            kind: 'video_link',
            url: provider.videoUrl,
            expiresAt: provider.videoUrlExpiresAt ?? now + 60 * 60_000,
            limitBytes: task.interaction.attachmentSizeLimit,
            ...(download.sizeBytes !== undefined ? { sizeBytes: download.sizeBytes } : {}),
          };
    return this.#finish(current, 'delivered', view);
  }

  /**
   * Marks the task final and tells the member. The state is written as `delivering` first: after a crash
   * mid-send the resumed task sends again, and editing the same reply twice shows the member one message.
   */
  async #finish(task: TaskRecord, state: 'delivered' | 'failed', view: FinalView, failure?: TaskRecord['failure']): Promise<StepResult> {
    const log = this.#deps.logger.child({ taskId: task.id });
    const pending = await this.#save({
      ...task,
      state: state === 'delivered' ? 'delivering' : task.state,
      ...(failure ? { failure } : {}),
    });
    // A failed generation costs the member nothing. The refund is recorded (above) before it is made, and
    // settling is idempotent, so a crash here neither loses the refund nor pays it twice.
    if (state === 'failed') await this.#deps.quota.settle(task.id, true);
    // A failure the member never saw is still a failure; only a made video becomes "undelivered".
    const unseenState = state === 'failed' ? 'failed' : 'undelivered';
    let outcome;
    try {
      outcome = await this.#deps.replies.deliver(pending, view);
    } catch (error) {
      if (pending.retries + 1 >= GIVE_UP_AFTER_FAILURES) {
        log.error('giving up on delivery', { error });
        await this.#end({ ...pending, state: unseenState });
        return { next: 'done' };
      }
      log.warn('delivery failed, will retry', { error, retries: pending.retries + 1 });
      await this.#save({ ...pending, retries: pending.retries + 1 });
      return {
        next: 'wait',
        delayMs: errorBackoffMs({ pollIntervalMs: this.#deps.pollIntervalMs, failures: pending.retries + 1, random: this.#random }),
      };
    }
    const finalState = outcome === 'delivered' ? state : unseenState;
    await this.#end({ ...pending, state: finalState, shown: view.kind });
    log.info(outcome === 'delivered' ? `task ${state}` : 'task undeliverable', { view: view.kind });
    return { next: 'done' };
  }

  /** Records a final state, gives back the task's slot, and lets the member's next waiting task start. */
  async #end(task: TaskRecord): Promise<void> {
    await this.#save(task);
    // A failed task was settled (with its refund) before the member was told; the rest keep their units.
    if (task.state !== 'failed') await this.#deps.quota.settle(task.id, false);
    const open = await this.#deps.store.listOpen();
    for (const other of open) {
      if (other.state === 'waiting' && other.requester.guildId === task.requester.guildId) this.#start(other.id);
    }
  }

  #fail(task: TaskRecord, kind: string, message: string): Promise<StepResult> {
    const failure = { kind, message, refundedUnits: unitsFor(task.options.duration) };
    return this.#finish(task, 'failed', failureView(failure), failure);
  }

  async #retryLater(task: TaskRecord, error: unknown, giveUpMessage: string): Promise<StepResult> {
    const failures = task.retries + 1;
    const log = this.#deps.logger.child({ taskId: task.id });
    if (failures >= GIVE_UP_AFTER_FAILURES) {
      log.error('giving up after repeated errors', { error, failures });
      return this.#fail(task, 'provider_unavailable', giveUpMessage);
    }
    log.warn('step failed, will retry', { error, failures });
    await this.#save({ ...task, retries: failures });
    const retryAfterMs = error instanceof ProviderUnavailable ? error.retryAfterMs : undefined;
    return {
      next: 'wait',
      delayMs: errorBackoffMs({
        pollIntervalMs: this.#deps.pollIntervalMs,
        failures,
        random: this.#random,
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      }),
    };
  }

  /** A bug or an outage of our own: retried a few times, then reported with a reference the operator can grep. */
  async #unexpected(task: TaskRecord, error: unknown): Promise<StepResult> {
    const ref = task.id.slice(0, 8);
    this.#deps.logger.error('unexpected error in task step', { taskId: task.id, ref, state: task.state, error });
    try {
      if (task.retries + 1 >= GIVE_UP_AFTER_FAILURES) {
        return await this.#fail(task, 'internal', MESSAGES.internal(ref));
      }
      await this.#save({ ...task, retries: task.retries + 1 });
      return {
        next: 'wait',
        delayMs: errorBackoffMs({ pollIntervalMs: this.#deps.pollIntervalMs, failures: task.retries + 1, random: this.#random }),
      };
    } catch (secondError) {
      // The store itself is failing: keep the task in memory's schedule and try again later.
      this.#deps.logger.error('could not record task error', { taskId: task.id, error: secondError });
      return { next: 'wait', delayMs: errorBackoffMs({ pollIntervalMs: this.#deps.pollIntervalMs, failures: 6, random: this.#random }) };
    }
  }

  /** Edits the member's reply only when what it shows changes. */
  async #show(task: TaskRecord, view: Exclude<ReplyView, FinalView>): Promise<TaskRecord> {
    const fingerprint = JSON.stringify(view);
    if (task.shown === fingerprint) return task;
    try {
      await this.#deps.replies.showProgress(task, view);
    } catch (error) {
      this.#deps.logger.warn('progress update not shown', { taskId: task.id, view: view.kind, error });
      return task;
    }
    return this.#save({ ...task, shown: fingerprint });
  }

  async #save(task: TaskRecord): Promise<TaskRecord> {
    const saved = { ...task, updatedAt: this.#deps.clock.now() };
    await this.#deps.store.put(saved);
    return saved;
  }
}

/** A refused picture is answered privately; every other failure replaces the public reply. */
function failureView(failure: NonNullable<TaskRecord['failure']>): FinalView {
  const refund = failure.refundedUnits !== undefined ? { refundedUnits: failure.refundedUnits } : {};
  return failure.kind === 'invalid_image' || failure.kind === 'image_unavailable'
    ? { kind: 'image_refused', message: failure.message, ...refund }
    : { kind: 'failed', message: failure.message, ...refund };
}

/**
 * A new ETA replaces the shown one only when it moved by more than 15 s, so the reply is not edited on
 * every poll for a countdown that barely changed.
 */
function keepEstimate(previous: number | undefined, next: number | undefined): number | undefined {
  if (next === undefined) return undefined;
  if (previous !== undefined && Math.abs(previous - next) <= 15_000) return previous;
  return next;
}
