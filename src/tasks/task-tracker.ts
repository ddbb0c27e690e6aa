/**
 * The runner of the lifecycle (lifecycle.ts): it reads a task, asks the table what to do, performs the
 * effects (check, submit, poll, download, deliver, settle, notify) and stores each record the table hands
 * back, before the effect that follows it. A restarted bot resumes where it stopped and never submits twice.
 * One scheduler serves every task, so thousands of waiting generations cost one timer.
 */
import { ConcurrencyLimit } from '../concurrency-limit.ts';
import type { MemoryAfterBursts } from '../memory-after-bursts.ts';
import { noMetrics, type TaskMetrics } from '../metrics.ts';
import type { AcknowledgementsFirst } from './acknowledgements-first.ts';
import { randomId, randomFraction } from '../random.ts';
import { removeVideoFile, type VideoFile } from '../videos/video-files.ts';
import { next, type TaskEffect, type TaskEvent } from './lifecycle.ts';
import { errorBackoffMs } from './poll-policy.ts';
import { resumeOrder } from './request-priority.ts';
import type { ProgressView, ReplyPort } from './reply-port.ts';
import { DEFAULT_LOCALE, isFinal, type TaskRecord, type TaskState } from './task-record.ts';
import { TaskScheduler } from './task-scheduler.ts';
import { DEFAULT_LEASE_TIMING, TaskLeases, type LeaseTiming } from './task-leases.ts';
import { TaskSteps, type TaskStepsDeps } from './task-steps.ts';
import { RequestBudgetStopping, type RequestBudget } from '../video-api/request-budget.ts';

export type { QuotaGate, VideoApi } from './task-steps.ts';

export interface TaskTrackerDeps extends TaskStepsDeps {
  replies: ReplyPort;
  pollIntervalMs: number;
  /** TASK_MAX_AGE_MS: a task not finished this long after the member asked is reported and refunded. */
  maxTaskAgeMs?: number;
  random?: () => number;
  newId?: () => string;
  /**
   * Set when several processes share the store: this process's name on task leases. Without it (SQLite,
   * one process by definition) no lease is taken, so a restarted bot resumes its tasks at once.
   */
  leaseOwner?: string;
  /** Lease, renewal and takeover timing when `leaseOwner` is set (tests shorten it). Default: 30 s / 10 s / 10 s. */
  leaseTiming?: LeaseTiming;
  /**
   * HIGHWAY_REQUESTS_PER_MINUTE: resumed tasks' first polls are spread at no more than this rate, so a restart
   * with many open tasks does not spend a minute's budget in its first instant. Default: over one poll interval.
   */
  requestsPerMinute?: number;
  /** Told of every state and step, for the operator's metrics. Default: none. */
  metrics?: TaskMetrics;
  /**
   * The provider request budget the video API waits in: stopped with the tracker, so requests still waiting
   * for a slot are abandoned unsent instead of holding the stop for minutes. Default: none to stop.
   */
  requestBudget?: Pick<RequestBudget, 'stop'>;
  /**
   * While interactions wait to be acknowledged, newly accepted tasks' first steps wait (a bounded time) so
   * the deferrals go first (acknowledgements-first.ts). Default: tasks start at once.
   */
  acknowledgements?: Pick<AcknowledgementsFirst, 'pending' | 'clear'>;
  /**
   * Counts each picture check (its wait in line included) as a burst's work, so the memory the burst took is
   * given back once the line has drained (src/memory-after-bursts.ts). Default: nothing counted.
   */
  burstWork?: Pick<MemoryAfterBursts, 'run'>;
}

/** How long a member waits at most before being told and refunded, when TASK_MAX_AGE_MS is not set. */
export const DEFAULT_TASK_MAX_AGE_MS = 30 * 60_000;
/** How many times one drive follows a record another driver changed under it, before leaving it to the sweep. */
const MAX_FOLLOWS = 3;
/** When a task is being cancelled, its own next step waits this long for the decision. */
const CANCEL_RECHECK_MS = 1_000;
/** Effects that begin a new step; a stopping bot leaves them to the next run. */
const STARTS_WORK: ReadonlySet<TaskEffect['type']> = new Set(['check_picture', 'take_turn', 'submit', 'poll', 'download_video', 'deliver']);
/**
 * The level of each step's log line: the steps that happen once or twice per task, and cost time or money, at
 * info; the ones repeated while a task waits (polls, turns, reply edits, scheduling) at debug.
 */
const STEP_LOG_LEVEL: Readonly<Record<TaskEffect['type'], 'debug' | 'info'>> = {
  check_picture: 'info',
  submit: 'info',
  download_video: 'info',
  deliver: 'info',
  settle: 'info',
  pause_submissions: 'info',
  take_turn: 'debug',
  poll: 'debug',
  show: 'debug',
  wake_waiting: 'debug',
  wait: 'debug',
  back_off: 'debug',
};
/**
 * Tasks downloading and preparing their picture at once. A burst of a thousand accepted commands would
 * otherwise hold a thousand pictures in memory together (the download, its base64, the copies written to the
 * store), and the process keeps the memory that peak took long after. Each check takes milliseconds, so the
 * line moves fast; the submissions after it are paced by the request budget anyway.
 */
export const PICTURE_CHECKS_AT_ONCE = 4;
/** Back-off used when even recording a step's error failed (the store itself is failing). */
const STORE_OUTAGE_FAILURES = 6;

export interface NewTask {
  requester: TaskRecord['requester'];
  interaction: TaskRecord['interaction'];
  options: TaskRecord['options'];
  image: TaskRecord['image'];
  /** The member's Discord locale; later messages are rendered in it. */
  locale?: string;
}

export type CancelOutcome = 'cancelled' | 'not_found' | 'not_allowed' | 'started' | 'finished';

/** The file a `video_downloaded` event carries, if any. */
function downloadedFile(event: TaskEvent): VideoFile | undefined {
  return event.type === 'video_downloaded' && event.download.kind === 'file' ? event.download.file : undefined;
}

/** A write lost the compare-and-set: another driver (a process that took the task over) stored the record since. */
class RecordChanged extends Error {
  constructor(id: string) {
    super(`task ${id} was changed by another driver`);
    this.name = 'RecordChanged';
  }
}

export class TaskTracker {
  readonly #deps: TaskTrackerDeps;
  readonly #scheduler: TaskScheduler;
  readonly #steps: TaskSteps;
  readonly #running = new Map<string, Promise<void>>();
  readonly #cancelling = new Set<string>();
  readonly #pictureChecks = new ConcurrencyLimit(PICTURE_CHECKS_AT_ONCE);
  readonly #random: () => number;
  readonly #maxTaskAgeMs: number;
  readonly #newId: () => string;
  readonly #metrics: TaskMetrics;
  /** Set when several processes share the store. */
  readonly #leases: TaskLeases | undefined;
  #stopped = false;

  constructor(deps: TaskTrackerDeps) {
    this.#deps = deps;
    this.#random = deps.random ?? randomFraction;
    this.#maxTaskAgeMs = deps.maxTaskAgeMs ?? DEFAULT_TASK_MAX_AGE_MS;
    this.#newId = deps.newId ?? randomId;
    this.#metrics = deps.metrics ?? noMetrics;
    this.#steps = new TaskSteps(deps);
    this.#scheduler = new TaskScheduler(deps.clock, (id) => {
      this.#start(id);
    });
    this.#leases =
      deps.leaseOwner === undefined
        ? undefined
        : new TaskLeases({
            store: deps.store,
            owner: deps.leaseOwner,
            clock: deps.clock,
            logger: deps.logger,
            timing: deps.leaseTiming ?? DEFAULT_LEASE_TIMING,
            // Another process drives it now: this one's schedule for it would only add provider requests.
            onLost: (id) => this.#scheduler.cancel(id),
          });
  }

  /** A fresh task id, for reserving quota under it before the task exists. */
  newTaskId(): string {
    return this.#newId();
  }

  /** Records a new request and starts working on it; resolves once the record is safely stored. */
  async accept(id: string, input: NewTask): Promise<TaskRecord> {
    const now = this.#deps.clock.now();
    const { locale, ...rest } = input;
    const record: TaskRecord = {
      version: 2,
      id,
      state: 'received',
      locale: locale ?? DEFAULT_LOCALE,
      retries: 0,
      createdAt: now,
      updatedAt: now,
      ...rest,
    };
    await this.#write(record, undefined);
    // At debug: under a burst a line per command costs every member waiting for a deferral; the task's first
    // step logs its ids at info.
    this.#deps.logger.debug('task received', { taskId: record.id, guildId: input.requester.guildId, userId: input.requester.userId });
    this.#startAccepted(record.id);
    return record;
  }

  /**
   * Starts a task just accepted, after the acknowledgements pending now (bounded: acknowledgements-first.ts).
   * The wait counts as the task's run, so nothing else starts it meanwhile and `idle()` waits for it too.
   */
  #startAccepted(id: string): void {
    const acknowledgements = this.#deps.acknowledgements;
    if (acknowledgements === undefined || acknowledgements.pending === 0) {
      this.#start(id);
      return;
    }
    if (this.#stopped || this.#running.has(id)) return;
    const run = acknowledgements
      .clear()
      .then(() => {
        // As #start does: a task being cancelled is tried again once the cancellation has decided.
        if (!this.#cancelling.has(id)) return this.#drive(id);
        this.#scheduler.schedule(id, this.#deps.clock.now() + CANCEL_RECHECK_MS);
        return undefined;
      })
      .catch((error: unknown) => this.#driveFailed(id, error))
      .finally(() => this.#running.delete(id));
    this.#running.set(id, run);
  }

  /**
   * Picks up every open task nobody here is working on: at start, what a previous run left unfinished; later
   * (the periodic sweep), what another process stopped driving. Tasks this process already has running or
   * scheduled are left to their schedule, so a sweep never adds provider requests.
   *
   * Their first steps (for most, a poll) are spread evenly, closest to finishing first and the first at once,
   * over one poll interval or, when the budget cannot send them that fast, at the budget's rate: a thousand
   * open tasks after a deploy are neither a thousand polls in the same instant nor a minute's budget in one.
   */
  async resumeOpenTasks(): Promise<number> {
    const open = await this.#deps.store.listOpen();
    const now = this.#deps.clock.now();
    const idle = resumeOrder(
      open.filter((task) => !this.#running.has(task.id) && !this.#scheduler.has(task.id)),
      now,
    );
    const perMinute = this.#deps.requestsPerMinute;
    const spreadMs = Math.max(this.#deps.pollIntervalMs, perMinute === undefined ? 0 : (idle.length * 60_000) / perMinute);
    let resumed = 0;
    for (const [i, task] of idle.entries()) {
      // Another process's task, while it holds the lease: not this process's to resume (nor to log).
      if (this.#leases && !(await this.#leases.take(task.id))) continue;
      const delayMs = Math.floor((i * spreadMs) / idle.length);
      this.#deps.logger.info('resuming task', { taskId: task.id, state: task.state, inMs: delayMs });
      if (delayMs === 0) this.#start(task.id);
      else this.#scheduler.schedule(task.id, now + delayMs);
      resumed++;
    }
    return resumed;
  }

  /**
   * Stops scheduling and waits for the steps under way, so the store is left consistent. Requests still
   * waiting in the provider's budget are abandoned unsent, and their steps write nothing: a submission
   * stays `submitting` without its mark, a poll stays due, and the next start sends them.
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#scheduler.stop();
    this.#deps.requestBudget?.stop();
    await Promise.allSettled([...this.#running.values()]);
    // Other processes take this one's tasks over at once rather than after the leases lapse.
    await this.#leases?.releaseAll();
  }

  /** Resolves when no step is running for any task (for orderly shutdown and tests). */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running.values()]);
  }

  /**
   * Cancels a task still waiting its turn, for the member who asked or a moderator; its units are refunded.
   * A task that has been submitted cannot be cancelled: the provider is already making (and charging for) it.
   * `by.guildId` is the server the button was pressed in: a task of another server is not found there.
   */
  async cancel(id: string, by: { userId: string; isModerator: boolean; guildId: string | null }): Promise<CancelOutcome> {
    const task = await this.#deps.store.get(id);
    if (task?.requester.guildId !== by.guildId) return 'not_found';
    if (task.requester.userId !== by.userId && !by.isModerator) return 'not_allowed';
    this.#cancelling.add(id);
    try {
      // Let a step under way finish, so the task is not started while it is being cancelled.
      await this.#running.get(id);
      const current = await this.#deps.store.get(id);
      if (!current || isFinal(current.state)) return 'finished';
      if (current.state !== 'waiting') return 'started';
      if (this.#leases && !(await this.#leases.take(id))) return 'started';
      this.#scheduler.cancel(id);
      const { record, changed } = await this.#run(current, { type: 'cancelled' });
      // Changed meanwhile by the process that drove it: that one's record stands.
      if (changed) return isFinal(record.state) ? 'finished' : 'started';
      this.#deps.logger.info('task cancelled', { taskId: id, by: by.userId });
      if (isFinal(record.state)) await this.#leases?.release(id);
      return 'cancelled';
    } finally {
      this.#cancelling.delete(id);
    }
  }

  #start(id: string): void {
    if (this.#stopped || this.#running.has(id)) return;
    if (this.#cancelling.has(id)) {
      // Try again once the cancellation has decided; a cancelled task simply finds itself final.
      this.#scheduler.schedule(id, this.#deps.clock.now() + CANCEL_RECHECK_MS);
      return;
    }
    const run = this.#drive(id)
      .catch((error: unknown) => this.#driveFailed(id, error))
      .finally(() => this.#running.delete(id));
    this.#running.set(id, run);
  }

  /**
   * A drive that threw (the store failed while taking the lease or reading the record): logged, and the task
   * left as it is stored, for the next sweep to resume; nothing is lost, and nothing escapes as unhandled.
   */
  #driveFailed(id: string, error: unknown): void {
    this.#deps.logger.error('driving a task failed; the next sweep resumes it', { taskId: id, error });
  }

  async #drive(id: string): Promise<void> {
    const log = this.#deps.logger.child({ taskId: id });
    if (this.#stopped) return;
    // The lease first, then the record: read under the lease, it is the latest unless this process stalls.
    if (this.#leases && !(await this.#leases.take(id))) {
      log.debug('task is driven by another process');
      return;
    }
    for (let follows = 0; ; follows++) {
      const task = await this.#deps.store.get(id).catch((error: unknown) => {
        log.error('could not read task', { error });
        return undefined;
      });
      if (!task || isFinal(task.state)) {
        await this.#leases?.release(id);
        return;
      }
      const { record: last, changed } = await this.#run(task, { type: 'resumed', at: this.#deps.clock.now() });
      if (!changed) {
        if (isFinal(last.state)) await this.#leases?.release(id);
        return;
      }
      // Another driver stored the record since this one read it (this process stalled past its lease): follow
      // the stored record, never write over it, and only while this process (still or again) holds the task.
      log.info('task record changed by another driver; following the stored record', { state: last.state });
      if (follows >= MAX_FOLLOWS || (this.#leases && !(await this.#leases.take(id)))) return;
    }
  }

  /**
   * Feeds events to the table until it asks to wait or the task is over: each returned record is stored,
   * then its effects are performed in order; the last one that reports something gives the next event.
   */
  async #run(start: TaskRecord, first: TaskEvent): Promise<{ record: TaskRecord; changed: boolean }> {
    let record = start;
    let event: TaskEvent | undefined = first;
    this.#metrics.taskPickedUp(start);
    while (event !== undefined) {
      const handling: TaskEvent = event;
      // A downloaded video belongs to this event until a `deliver` takes it (and removes it once sent): on
      // every other way out (the process stopping, the lease or the compare-and-set lost, the store failing)
      // nobody will send it, so it is removed here rather than left on disk until the process stops.
      const downloaded = downloadedFile(handling);
      let handedOver = false;
      try {
        const transition = next(record, handling, { pollIntervalMs: this.#deps.pollIntervalMs, maxTaskAgeMs: this.#maxTaskAgeMs });
        // A stopping bot records what its steps under way learned (a delivery made, a submission accepted)
        // but starts no new work: the next run resumes from the record as it stands.
        // So does a process whose lease another one took (it stalled): that one does the work from now on.
        const leaseLost = this.#leases !== undefined && !this.#leases.holds(record.id);
        if ((this.#stopped || leaseLost) && transition.effects.some((effect) => STARTS_WORK.has(effect.type))) {
          return { record, changed: false };
        }
        event = undefined;
        try {
          if (transition.record !== record) record = await this.#write(transition.record, record.state);
          for (const effect of transition.effects) {
            if (effect.type === 'deliver' && effect.view.kind === 'video' && effect.view.video === downloaded) handedOver = true;
            const outcome = await this.#performLogged(record, effect);
            this.#metrics.effectPerformed(effect, outcome.event);
            if (outcome.record) record = outcome.record;
            if (outcome.event) event = outcome.event;
          }
        } catch (error) {
          if (error instanceof RecordChanged) return { record, changed: true };
          // The process is stopping and the step's request was abandoned unsent: the record stays as stored.
          if (error instanceof RequestBudgetStopping) return { record, changed: false };
          if (handling.type === 'crashed') {
            // Even recording the error failed: the store itself is failing. Keep the task on this process's
            // schedule and try again later.
            this.#deps.logger.error('could not record task error', { taskId: record.id, error });
            this.#scheduleBackOff(record.id, STORE_OUTAGE_FAILURES);
            return { record, changed: false };
          }
          event = this.#crashed(record, error);
        }
      } finally {
        if (!handedOver) await this.#dropVideo(record.id, downloaded);
      }
    }
    return { record, changed: false };
  }

  /** Removes a downloaded video nobody will send; a failure to remove it is logged, never a task error. */
  async #dropVideo(taskId: string, file: VideoFile | undefined): Promise<void> {
    if (file === undefined) return;
    try {
      await removeVideoFile(file);
      this.#deps.logger.debug('downloaded video not sent; its file is removed', { taskId });
    } catch (error) {
      this.#deps.logger.warn('could not remove a downloaded video that is not sent', { taskId, error });
    }
  }

  /** A bug or an outage of our own: retried a few times, then reported with a reference the operator can grep. */
  #crashed(record: TaskRecord, error: unknown): TaskEvent {
    const ref = record.id.slice(0, 8);
    this.#deps.logger.error('unexpected error in task step', { taskId: record.id, ref, state: record.state, error });
    return { type: 'crashed', ref };
  }

  /** Performs one step and writes its line: which task, whose, which step, how long it took and what came of it. */
  async #performLogged(record: TaskRecord, effect: TaskEffect): Promise<{ event?: TaskEvent; record?: TaskRecord }> {
    const startedAt = this.#deps.clock.now();
    const line = (outcome: string) => {
      this.#deps.logger[STEP_LOG_LEVEL[effect.type]]('task step', {
        taskId: record.id,
        guildId: record.requester.guildId,
        userId: record.requester.userId,
        step: effect.type,
        durationMs: this.#deps.clock.now() - startedAt,
        outcome,
      });
    };
    try {
      const outcome = await this.#perform(record, effect);
      line(outcome.event?.type ?? 'done');
      return outcome;
    } catch (error) {
      line(error instanceof RequestBudgetStopping ? 'abandoned' : 'error');
      throw error;
    }
  }

  async #perform(record: TaskRecord, effect: TaskEffect): Promise<{ event?: TaskEvent; record?: TaskRecord }> {
    const log = this.#deps.logger.child({ taskId: record.id });
    switch (effect.type) {
      case 'check_picture':
        return { event: await this.#checkPicture(record) };
      case 'take_turn':
        return { event: await this.#steps.takeTurn(record) };
      case 'submit':
        return { event: await this.#steps.submit(record) };
      case 'poll':
        return { event: await this.#steps.poll(record) };
      case 'download_video':
        return { event: await this.#steps.downloadVideo(record) };
      case 'show':
        return { record: await this.#show(record, effect.view) };
      case 'deliver':
        try {
          const { outcome, posted } = await this.#deps.replies.deliver(record, effect.view);
          return { event: { type: 'delivered', outcome, ...(posted ? { posted } : {}) } };
        } catch (error) {
          log.warn('delivery failed, will retry', { error, retries: record.retries + 1 });
          return { event: { type: 'delivery_failed' } };
        } finally {
          // The downloaded file serves this one send: a retry downloads the video again.
          if (effect.view.kind === 'video') await removeVideoFile(effect.view.video);
        }
      case 'settle':
        await this.#deps.quota.settle(record.id, effect.refund, effect.operatorRefund);
        return {};
      case 'pause_submissions':
        if (await this.#deps.quota.pauseSubmissions()) {
          log.error('the video API account is out of credit: submissions are paused for 10 minutes; top up the account');
        }
        return {};
      case 'wake_waiting':
        this.#logEnd(record);
        for (const other of await this.#deps.store.waitingInGuild(record.requester.guildId)) this.#start(other.id);
        return {};
      case 'wait':
        this.#scheduler.schedule(record.id, this.#deps.clock.now() + effect.delayMs);
        return {};
      case 'back_off':
        this.#scheduleBackOff(record.id, effect.failures, effect.retryAfterMs);
        return {};
    }
  }

  /** In the line of picture checks, counted as a burst's work when that is asked for. */
  #checkPicture(record: TaskRecord): Promise<TaskEvent> {
    const inLine = () => this.#pictureChecks.run(() => this.#steps.checkPicture(record));
    return this.#deps.burstWork ? this.#deps.burstWork.run(inLine) : inLine();
  }

  #scheduleBackOff(id: string, failures: number, retryAfterMs?: number): void {
    const delayMs = errorBackoffMs({
      pollIntervalMs: this.#deps.pollIntervalMs,
      failures,
      random: this.#random,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    });
    this.#scheduler.schedule(id, this.#deps.clock.now() + delayMs);
  }

  #logEnd(record: TaskRecord): void {
    const log = this.#deps.logger.child({ taskId: record.id });
    if (record.state === 'failed') log.info('task failed', { failure: record.failure.kind });
    else if (record.state === 'delivered') log.info('task delivered');
    else log.warn('task undeliverable', { state: record.state });
  }

  /** Edits the member's reply only when what it shows changes. */
  async #show(record: TaskRecord, view: ProgressView): Promise<TaskRecord> {
    const fingerprint = JSON.stringify(view);
    if (record.shown === fingerprint) return record;
    try {
      await this.#deps.replies.showProgress(record, view);
    } catch (error) {
      this.#deps.logger.warn('progress update not shown', { taskId: record.id, view: view.kind, error });
      return record;
    }
    return this.#write({ ...record, shown: fingerprint }, record.state);
  }

  /**
   * The one place a record is written: compare-and-set on its revision, so a driver that lost the race (another
   * process took the task over) throws RecordChanged instead of writing; `from`: its state before, if any.
   */
  async #write(record: TaskRecord, from: TaskState | undefined): Promise<TaskRecord> {
    const saved = await this.#deps.store.put({ ...record, updatedAt: this.#deps.clock.now() });
    if (!saved) throw new RecordChanged(record.id);
    this.#metrics.taskStored(saved, from);
    return saved;
  }
}
