/**
 * The numbers and time rules of a task's life, apart from the table (lifecycle.ts) that applies them: how
 * long to keep trying, when a link is too old, when to tell the member where the video will come.
 */
import type { ProgressView } from './reply-port.ts';
import type { LifecycleTuning } from './task-events.ts';
import type { TaskRecord } from './task-record.ts';

/** How many consecutive failed polls, downloads or deliveries a task survives before the member is told. */
export const GIVE_UP_AFTER_FAILURES = 12;
/** A video link is used only while it has this long left to live; otherwise a fresh poll hands out a new one. */
export const LINK_MIN_REMAINING_MS = 5 * 60_000;
/**
 * When a task still running says once that its video will be posted in the channel: the reply's token
 * lives 15 minutes and the runner stops editing at 14, so the member learns where to look before that.
 */
export const LATE_NOTICE_AFTER_MS = 13 * 60_000;
/** How long polls wait after the provider refused our API key or credit (the operator has been told). */
export const POLL_PAUSE_MS = 10 * 60_000;
/** How often a waiting task looks again for its turn when no finishing task woke it (another process's). */
export const WAITING_RECHECK_MIN_MS = 5_000;
/** A new ETA is shown only when it moved by more than this, so the reply is not edited for every poll. */
export const ETA_MIN_CHANGE_MS = 15_000;

/** Past TASK_MAX_AGE_MS with no video made: the member is told and refunded instead of waiting for ever. */
export function tooOld(record: TaskRecord, at: number, tuning: LifecycleTuning): boolean {
  return at - record.createdAt > tuning.maxTaskAgeMs;
}

/** What the reply shows while the task runs; near the reply's end, once, where the video will come instead. */
export function progress(record: TaskRecord, at: number, view: ProgressView): ProgressView {
  return at - record.interaction.createdAt >= LATE_NOTICE_AFTER_MS ? { kind: 'still_working' } : view;
}

/** Keeps the shown ETA unless the new one moved enough to be worth an edit. */
export function keepEstimate(previous: number | undefined, next: number | undefined): number | undefined {
  if (next === undefined) return undefined;
  if (previous !== undefined && Math.abs(previous - next) <= ETA_MIN_CHANGE_MS) return previous;
  return next;
}
