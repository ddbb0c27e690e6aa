/**
 * The vocabulary of a task's life: what can happen to it (events) and what the runner must do (effects).
 * The table in lifecycle.ts maps one to the other.
 */
import type { PictureProblem, TaskFailure } from '../outcomes.ts';
import type { VideoDownload } from '../video-api/download-video.ts';
import type { DeliveryOutcome, FinalView, PostedMessage, ProgressView } from './reply-port.ts';
import type { TaskRecord } from './task-record.ts';

export interface LifecycleTuning {
  /** The shortest spacing between two polls of one task (POLL_INTERVAL_MS). */
  readonly pollIntervalMs: number;
  /** A task not finished this long after the member asked is reported and refunded (TASK_MAX_AGE_MS). */
  readonly maxTaskAgeMs: number;
}

/** What happened: the runner's report of an effect's result, or a request from outside (resume, cancel). */
export type TaskEvent =
  /** The runner picked the task up: at start, after a restart, or when its wait is over. */
  | { type: 'resumed'; at: number }
  | { type: 'picture_checked' }
  | { type: 'picture_refused'; problem: PictureProblem }
  /** The checked picture is no longer stored: check it again rather than guess. */
  | { type: 'picture_missing' }
  | { type: 'turn_taken' }
  | { type: 'turn_not_yet'; position: number; paused: boolean; at: number }
  | { type: 'submitted'; providerTaskId: string; at: number }
  | { type: 'submit_refused'; failure: TaskFailure }
  /** The request may have reached the provider: never sent again. */
  | { type: 'submit_unknown' }
  | { type: 'progressed'; status: 'queued' | 'processing'; progressPercent?: number; etaSeconds?: number; at: number }
  | { type: 'generation_succeeded'; video?: { url: string; ttlSeconds?: number }; at: number }
  | { type: 'generation_failed'; reason?: string }
  | { type: 'poll_refused'; failure: TaskFailure }
  /**
   * The provider refused a poll for our API key or our credit: the generation may well go on (and is paid
   * for), so the task waits for the operator instead of failing.
   */
  | { type: 'polling_paused' }
  | { type: 'video_downloaded'; download: VideoDownload; at: number }
  /**
   * A poll or a download failed in a way that may pass; `giveUp` is what the member is told if it does not,
   * at once when it is `permanent` (a video URL the bot refuses to fetch).
   */
  | { type: 'step_failed'; giveUp: TaskFailure; retryAfterMs?: number; permanent?: true }
  /** `posted`: the message a channel or direct-message delivery created, kept on the record. */
  | { type: 'delivered'; outcome: DeliveryOutcome; posted?: PostedMessage }
  | { type: 'delivery_failed' }
  | { type: 'cancelled' }
  /** A bug or an outage of our own in a step; `ref` is in the log line. */
  | { type: 'crashed'; ref: string };

export type TaskEventType = TaskEvent['type'];

/** What the runner must do, in order. */
export type TaskEffect =
  | { type: 'check_picture' }
  | { type: 'take_turn' }
  | { type: 'submit' }
  | { type: 'poll' }
  | { type: 'download_video' }
  | { type: 'show'; view: ProgressView }
  | { type: 'deliver'; view: FinalView }
  /**
   * Ends the task's reservations; the member's units go back with `refund`, the operator's spend with
   * `operatorRefund` (only when the provider provably charged nothing). Idempotent.
   */
  | { type: 'settle'; refund: boolean; operatorRefund: boolean }
  | { type: 'pause_submissions' }
  /** Lets the member's tasks waiting in this server look for their turn. */
  | { type: 'wake_waiting' }
  | { type: 'wait'; delayMs: number }
  | { type: 'back_off'; failures: number; retryAfterMs?: number };

export interface Transition {
  readonly record: TaskRecord;
  readonly effects: readonly TaskEffect[];
}
