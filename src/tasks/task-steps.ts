/**
 * The steps that talk to the outside world (the picture's host, the quota, the video API), each reporting
 * what happened as a lifecycle event. Errors a member can be told about become events; anything else
 * (a bug, the store failing) is thrown, and the runner reports it as a crash.
 */
import type { Clock } from '../clock.ts';
import { UserFacingError } from '../errors.ts';
import type { CheckedImage } from '../images/check-image.ts';
import type { Logger } from '../logger.ts';
import { randomId } from '../random.ts';
import { isPictureProblem } from '../outcomes.ts';
import { VideoUrlRefused, type VideoDownload } from '../video-api/download-video.ts';
import { RequestBudgetStopping, type RequestPriority } from '../video-api/request-budget.ts';
import type { SubmitOptions, SubmitRequest, TaskResult } from '../video-api/video-api-client.ts';
import { ProviderMisconfigured, ProviderOutOfCredit, ProviderUnavailable, SubmitAborted } from '../video-api/video-api-errors.ts';
import { POLL_PAUSE_MS } from './lifecycle.ts';
import { pollPriority, submitPriority } from './request-priority.ts';
import type { TaskEvent } from './task-events.ts';
import type { TaskRecord } from './task-record.ts';
import type { TaskStore } from './task-store.ts';

/**
 * `priority`: the request's turn in the provider's request budget (request-priority.ts). Both reject with
 * RequestBudgetStopping when the process stops while they wait for it; a submit asks `options.beforeSend`
 * right before its request leaves, and rejects with SubmitAborted, unsent, when it says no.
 */
export interface VideoApi {
  submit(request: SubmitRequest, priority?: RequestPriority, options?: SubmitOptions): Promise<{ taskId: string }>;
  getResult(taskId: string, priority?: RequestPriority): Promise<TaskResult>;
}

/** The quota's part in a task's life: a running slot to start, and reservations to settle at the end. */
export interface QuotaGate {
  tryStart(task: { id: string; guildId: string; userId: string }): Promise<boolean>;
  /** `operatorRefund`: the provider provably charged nothing, so the operator's spend goes back too. */
  settle(taskId: string, refund: boolean, operatorRefund: boolean): Promise<boolean>;
  pauseSubmissions(): Promise<boolean>;
  pausedUntil(): Promise<number | undefined>;
}

export interface TaskStepsDeps {
  store: TaskStore;
  quota: QuotaGate;
  videoApi: VideoApi;
  logger: Logger;
  clock: Clock;
  downloadImage: (url: string) => Promise<Buffer>;
  /** Checks the picture, and converts or downscales it to what the video API takes (src/images/prepare-image.ts). */
  checkImage: (bytes: Buffer) => CheckedImage | Promise<CheckedImage>;
  downloadVideo: (url: string, maxBytes: number) => Promise<VideoDownload>;
  /**
   * Where each checked picture is kept for the buttons under its video (src/animation/kept-pictures.ts), and
   * where a Re-roll finds the picture it re-uses. Without it, nothing is kept.
   */
  pictures?: {
    keep(taskId: string, base64: string): Promise<void>;
    get(taskId: string): Promise<string | undefined>;
  };
}

export class TaskSteps {
  readonly #deps: TaskStepsDeps;
  /** Whether the operator has been told that polling is paused, so one outage is one log line. */
  #pollingPaused = false;

  constructor(deps: TaskStepsDeps) {
    this.#deps = deps;
  }

  async checkPicture(record: TaskRecord): Promise<TaskEvent> {
    const { pictures } = this.#deps;
    // A Re-roll uses the very bytes its video was made from (already checked and prepared).
    const kept = record.image.keptFrom === undefined ? undefined : await pictures?.get(record.image.keptFrom);
    if (kept !== undefined) {
      await this.#deps.store.putImage(record.id, kept);
      await pictures?.keep(record.id, kept);
      return { type: 'picture_checked' };
    }
    let image: CheckedImage;
    try {
      image = await this.#deps.checkImage(await this.#deps.downloadImage(record.image.url));
    } catch (error) {
      if (error instanceof UserFacingError && isPictureProblem(error.failure)) {
        this.#deps.logger.info('picture refused', { taskId: record.id, kind: error.kind });
        return { type: 'picture_refused', problem: error.failure };
      }
      throw error;
    }
    await this.#deps.store.putImage(record.id, image.base64);
    await pictures?.keep(record.id, image.base64);
    return { type: 'picture_checked' };
  }

  /**
   * A checked task waits for a running slot (the member's and the server's running limits), in the order
   * the member asked, and while the provider's account is paused for lack of credit.
   */
  async takeTurn(record: TaskRecord): Promise<TaskEvent> {
    const paused = (await this.#deps.quota.pausedUntil()) !== undefined;
    const position = await this.#deps.store.placeInLine(record);
    const { guildId, userId } = record.requester;
    if (!paused && position === 1 && (await this.#deps.quota.tryStart({ id: record.id, guildId, userId }))) {
      return { type: 'turn_taken' };
    }
    return { type: 'turn_not_yet', position, paused, at: this.#deps.clock.now() };
  }

  async submit(record: TaskRecord): Promise<TaskEvent> {
    const log = this.#deps.logger.child({ taskId: record.id });
    const { options } = record;
    let notSent: string | undefined;
    // Read once the budget has granted the slot, not before its wait (video-api-client.ts, SubmitRequest.image):
    // a backlog of submissions holds no pictures. Before the mark, so a missing one leaves the task unsent.
    let imageBase64: string | undefined;
    const picture = { missing: false };
    // Asked by the client once the request budget has granted the slot, right before the request leaves: a
    // task still waiting in the budget (minutes, in a burst) has taken nothing, so a stop or a crash meanwhile
    // leaves it `submitting` without a mark, and the next start sends it (lifecycle.ts, `resumed`).
    const beforeSend = async (): Promise<boolean> => {
      imageBase64 = await this.#deps.store.getImage(record.id);
      // The checked picture is kept until the task is final; without it, check again rather than guess.
      if (imageBase64 === undefined) {
        picture.missing = true;
        return false;
      }
      // First without the mark: a process that took the task over while this one waited (and stored it again)
      // must find the mark free, so that it knows nothing was sent and sends the task itself.
      if ((await this.#deps.store.get(record.id))?.revision !== record.revision) {
        notSent = 'the task changed while it waited to be submitted: not sent, left to the process that has it';
        return false;
      }
      // Taken before the request leaves, and never given back: a second driver (a process that took the task
      // over, or this one again) finds it taken and never sends the task a second time.
      if (!(await this.#deps.store.markSubmitted(record.id, `${record.id}:${String(record.revision ?? 0)}:${randomId()}`))) {
        notSent = 'this task was submitted before (by another process, or before a restart): outcome unknown, not sent again';
        return false;
      }
      // Re-read after the mark too: another process may have taken the task over in between (and
      // stored it again, which moves the revision on, to submit it or to fail it as "outcome unknown"): then
      // sending it now could charge for a video twice, or for one nobody gets.
      if ((await this.#deps.store.get(record.id))?.revision !== record.revision) {
        notSent = 'the task changed while it was being submitted: not sent';
        return false;
      }
      return true;
    };
    try {
      const submitted = await this.#deps.videoApi.submit(
        {
          // Handed over once (the client keeps the body it makes for a retry): no second copy stays here.
          image: () => {
            const image = imageBase64 ?? '';
            imageBase64 = undefined;
            return Promise.resolve(image);
          },
          prompt: options.prompt,
          duration: options.duration,
          cfgScale: options.cfgScale,
          ...(options.negativePrompt !== undefined ? { negativePrompt: options.negativePrompt } : {}),
        },
        submitPriority(record),
        { beforeSend },
      );
      log.info('submitted', { providerTaskId: submitted.taskId });
      return { type: 'submitted', providerTaskId: submitted.taskId, at: this.#deps.clock.now() };
    } catch (error) {
      // The process is stopping and the request was abandoned unsent: nothing to report, the record stays.
      // (Abandoned while it waited to retry, after a first attempt the provider refused, the mark is taken:
      // the next start reports the outcome as unknown, the safe side of a rare case.)
      if (error instanceof RequestBudgetStopping) throw error;
      if (error instanceof SubmitAborted) {
        if (picture.missing) return { type: 'picture_missing' };
        log.warn(notSent ?? 'submission aborted before it was sent');
        return { type: 'submit_unknown' };
      }
      if (error instanceof UserFacingError && error.kind !== 'submit_unknown') {
        log.warn('submission refused', { kind: error.kind });
        return { type: 'submit_refused', failure: error.failure };
      }
      log.error('submission outcome unknown', { error });
      return { type: 'submit_unknown' };
    }
  }

  async poll(record: TaskRecord): Promise<TaskEvent> {
    const providerTaskId = record.provider?.taskId ?? '';
    const log = this.#deps.logger.child({ taskId: record.id, providerTaskId });
    let result: TaskResult;
    try {
      result = await this.#deps.videoApi.getResult(providerTaskId, pollPriority(record, this.#deps.clock.now()));
    } catch (error) {
      // The process is stopping and the poll was abandoned unsent: the poll stays due for the next start.
      if (error instanceof RequestBudgetStopping) throw error;
      if (error instanceof ProviderMisconfigured || error instanceof ProviderOutOfCredit) {
        this.#alertPollingPaused(error.kind);
        return { type: 'polling_paused' };
      }
      if (error instanceof UserFacingError && !(error instanceof ProviderUnavailable)) {
        log.warn('provider refused the poll', { kind: error.kind });
        return { type: 'poll_refused', failure: error.failure };
      }
      log.warn('poll failed, will retry', { error, failures: record.retries + 1 });
      return {
        type: 'step_failed',
        giveUp: { kind: 'provider_unavailable' },
        ...(error instanceof ProviderUnavailable && error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {}),
      };
    }
    if (this.#pollingPaused) {
      this.#pollingPaused = false;
      log.info('the video API answers polls again: polling resumed');
    }
    const at = this.#deps.clock.now();
    switch (result.status) {
      case 'succeeded':
        if (!result.video) log.error('provider reported success without a video');
        return { type: 'generation_succeeded', at, ...(result.video ? { video: result.video } : {}) };
      case 'failed': {
        const reason = result.reason?.trim();
        log.info('generation failed', { reason });
        return { type: 'generation_failed', ...(reason ? { reason } : {}) };
      }
      case 'queued':
      case 'processing':
      case 'unknown':
        if (result.status === 'unknown') log.warn('unknown task status, still waiting', { status: result.rawStatus });
        return {
          type: 'progressed',
          status: result.status === 'queued' ? 'queued' : 'processing',
          at,
          ...(result.progressPercent !== undefined ? { progressPercent: result.progressPercent } : {}),
          ...(result.etaSeconds !== undefined ? { etaSeconds: result.etaSeconds } : {}),
        };
    }
  }

  async downloadVideo(record: TaskRecord): Promise<TaskEvent> {
    try {
      const download = await this.#deps.downloadVideo(record.provider?.videoUrl ?? '', record.interaction.attachmentSizeLimit);
      return { type: 'video_downloaded', download, at: this.#deps.clock.now() };
    } catch (error) {
      if (error instanceof VideoUrlRefused) {
        // Not https, or a private address: asking again would be refused again.
        this.#deps.logger.warn('video URL refused; the video is lost', { taskId: record.id, error });
        return { type: 'step_failed', giveUp: { kind: 'video_lost' }, permanent: true };
      }
      this.#deps.logger.warn('video download failed, will retry', { taskId: record.id, error, failures: record.retries + 1 });
      return { type: 'step_failed', giveUp: { kind: 'video_lost' } };
    }
  }

  #alertPollingPaused(kind: string): void {
    if (this.#pollingPaused) return;
    this.#pollingPaused = true;
    this.#deps.logger.error(
      `the video API refused a poll (${kind}): polling paused, no task is failed; check HIGHWAY_API_KEY and the credit`,
      {
        retryInMs: POLL_PAUSE_MS,
      },
    );
  }
}
