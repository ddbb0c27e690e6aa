/**
 * A task's life as one pure function: `next(record, event)` returns the record to store and the effects to
 * perform, and nothing else happens here (no I/O, no clock, no randomness). The runner (task-tracker.ts)
 * performs the effects, turns their results into the next event, and stores every record it is handed.
 * The README's state diagram is checked against this table (test/tasks/lifecycle-diagram.test.ts).
 */
import type { TaskFailure } from '../outcomes.ts';
import { nextPollDelayMs } from './poll-policy.ts';
import type { ProgressView } from './reply-port.ts';
import type { LifecycleTuning, TaskEffect, TaskEvent, Transition } from './task-events.ts';
import { commonOf, providerMayHaveCharged, unitsFor, type FailedTaskRecord, type TaskRecord, type TaskState } from './task-record.ts';
import {
  GIVE_UP_AFTER_FAILURES,
  keepEstimate,
  LINK_MIN_REMAINING_MS,
  POLL_PAUSE_MS,
  progress,
  tooOld,
  WAITING_RECHECK_MIN_MS,
} from './lifecycle-rules.ts';
import { failureView, videoView } from './task-views.ts';

export type { LifecycleTuning, TaskEffect, TaskEvent, Transition };
export { GIVE_UP_AFTER_FAILURES, LATE_NOTICE_AFTER_MS, LINK_MIN_REMAINING_MS, POLL_PAUSE_MS } from './lifecycle-rules.ts';

/** A record known to be in state S (the failed states carry their failure). */
type RecordIn<S extends TaskState> = S extends FailedTaskRecord['state']
  ? FailedTaskRecord & { state: S }
  : Exclude<TaskRecord, FailedTaskRecord> & { state: S };

type Handler<S extends TaskState> = (record: RecordIn<S>, event: TaskEvent, tuning: LifecycleTuning) => Transition;

/** One handler per state: a state added to the record without its handler does not compile. */
type Table = { [S in TaskState]: Handler<S> };

const stay = (record: TaskRecord): Transition => ({ record, effects: [] });

function moveTo(record: TaskRecord, state: Exclude<TaskState, 'failing' | 'failed'>, changes: Partial<TaskRecord> = {}): TaskRecord {
  return { ...commonOf(record), ...changes, state };
}

/** Every failure passes through `failing`: refunded first, then told; a restart in between tells again. */
function fail(record: TaskRecord, failure: TaskFailure, before: readonly TaskEffect[] = []): Transition {
  const failing: FailedTaskRecord = {
    ...commonOf(record),
    state: 'failing',
    failure,
    refundedUnits: unitsFor(record.options.duration),
    retries: 0,
  };
  return { record: failing, effects: [...before, ...tellFailure(failing)] };
}

function tellFailure(record: FailedTaskRecord): TaskEffect[] {
  return [
    // The member got nothing, so their units go back; the operator's only if the provider charged nothing.
    { type: 'settle', refund: true, operatorRefund: !providerMayHaveCharged(record) },
    { type: 'deliver', view: failureView(record) },
  ];
}

/** The message a delivery posted, kept so the task is never posted again (task-record.ts `delivery`). */
function postedOf(event: Extract<TaskEvent, { type: 'delivered' }>): Pick<TaskRecord, 'delivery'> {
  return event.posted ? { delivery: event.posted } : {};
}

/** A transient failure: try again later, or tell the member once it has gone on too long. */
function retryOrFail(record: TaskRecord, giveUp: TaskFailure, retryAfterMs?: number, permanent = false): Transition {
  const failures = record.retries + 1;
  if (permanent || failures >= GIVE_UP_AFTER_FAILURES) return fail(record, giveUp);
  return {
    record: { ...record, retries: failures },
    effects: [{ type: 'back_off', failures, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) }],
  };
}

function startChecking(record: TaskRecord): Transition {
  return { record: moveTo(record, 'checking'), effects: [{ type: 'show', view: { kind: 'checking' } }, { type: 'check_picture' }] };
}

/**
 * Downloads the video while its link lives. A link just handed out is used at once however short its life;
 * a stored one must have a few minutes left, or a poll hands out a new one. A link dead on arrival is asked
 * for again only a poll interval later, so a task is never polled in a loop.
 */
function fetchVideo(
  record: TaskRecord,
  state: 'downloading' | 'delivering',
  at: number,
  tuning: LifecycleTuning,
  fresh = false,
): Transition {
  const provider = record.provider;
  const margin = fresh ? 0 : LINK_MIN_REMAINING_MS;
  if (provider?.videoUrl === undefined || (provider.videoUrlExpiresAt !== undefined && provider.videoUrlExpiresAt - at <= margin)) {
    return { record: moveTo(record, 'processing'), effects: [fresh ? { type: 'wait', delayMs: tuning.pollIntervalMs } : { type: 'poll' }] };
  }
  const effects: TaskEffect[] = state === 'downloading' ? [{ type: 'show', view: { kind: 'delivering' } }] : [];
  return { record: moveTo(record, state), effects: [...effects, { type: 'download_video' }] };
}

function pollOrTimeOut(record: TaskRecord, at: number, tuning: LifecycleTuning): Transition {
  if (!record.provider) return fail(record, { kind: 'internal', ref: record.id.slice(0, 8) });
  if (tooOld(record, at, tuning)) return fail(record, { kind: 'generation_timed_out' });
  return { record, effects: [{ type: 'poll' }] };
}

/** The events every open state answers the same way. */
function common(record: TaskRecord, event: TaskEvent): Transition {
  return event.type === 'crashed' ? retryOrFail(record, { kind: 'internal', ref: event.ref }) : stay(record);
}

const pollingState: Handler<'queued' | 'processing'> = (record, event, tuning) => {
  switch (event.type) {
    case 'resumed':
      return pollOrTimeOut(record, event.at, tuning);
    case 'progressed': {
      const provider = record.provider ?? { taskId: 'unknown', submittedAt: event.at };
      const etaAt = event.etaSeconds !== undefined && event.etaSeconds > 0 ? event.at + event.etaSeconds * 1000 : undefined;
      const updated = moveTo(record, event.status, {
        retries: 0,
        provider: {
          ...provider,
          ...(event.progressPercent !== undefined ? { progressPercent: event.progressPercent } : {}),
          etaAt: keepEstimate(provider.etaAt, etaAt),
        },
      });
      const shownProvider = updated.provider;
      const view: ProgressView =
        event.status === 'queued'
          ? { kind: 'waiting' }
          : {
              kind: 'generating',
              ...(shownProvider?.progressPercent !== undefined ? { progressPercent: shownProvider.progressPercent } : {}),
              ...(shownProvider?.etaAt !== undefined ? { etaAt: shownProvider.etaAt } : {}),
            };
      const delayMs = nextPollDelayMs({
        pollIntervalMs: tuning.pollIntervalMs,
        ...(event.etaSeconds !== undefined ? { etaSeconds: event.etaSeconds } : {}),
        runningForMs: event.at - provider.submittedAt,
      });
      return {
        record: updated,
        effects: [
          { type: 'show', view: progress(record, event.at, view) },
          { type: 'wait', delayMs },
        ],
      };
    }
    case 'generation_succeeded': {
      if (!event.video || !record.provider) return fail(record, { kind: 'video_lost' });
      const ttl = event.video.ttlSeconds;
      const withVideo = moveTo(record, 'downloading', {
        // A task that already had a link is here for a fresh one after a failed download or delivery: it
        // keeps counting those failures, or a link that goes stale between tries would make it try for ever.
        retries: record.provider.videoUrl === undefined ? 0 : record.retries,
        provider: {
          ...record.provider,
          videoUrl: event.video.url,
          ...(ttl !== undefined ? { videoUrlExpiresAt: event.at + ttl * 1000 } : {}),
        },
      });
      return fetchVideo(withVideo, 'downloading', event.at, tuning, true);
    }
    case 'generation_failed':
      return fail(record, { kind: 'generation_failed', ...(event.reason !== undefined ? { reason: event.reason } : {}) });
    case 'poll_refused':
      return fail(record, event.failure);
    case 'polling_paused':
      return { record, effects: [{ type: 'wait', delayMs: POLL_PAUSE_MS }] };
    case 'step_failed':
      return retryOrFail(record, event.giveUp, event.retryAfterMs, event.permanent);
    default:
      return common(record, event);
  }
};

const fetchingState: Handler<'downloading' | 'delivering'> = (record, event, tuning) => {
  switch (event.type) {
    case 'resumed':
      return fetchVideo(record, record.state, event.at, tuning);
    case 'video_downloaded':
      // Stored as `delivering` before the send: after a crash mid-send the resumed task sends again, and
      // editing the same reply twice shows the member one message.
      return { record: moveTo(record, 'delivering'), effects: [{ type: 'deliver', view: videoView(record, event.download, event.at) }] };
    case 'step_failed':
      return retryOrFail(record, event.giveUp, event.retryAfterMs, event.permanent);
    default:
      return record.state === 'delivering' ? deliveringState(record, event) : common(record, event);
  }
};

/** The answers to a send, which only a task in `delivering` is waiting for. */
function deliveringState(record: TaskRecord, event: TaskEvent): Transition {
  switch (event.type) {
    case 'delivered':
      return {
        record: moveTo(record, event.outcome === 'delivered' ? 'delivered' : 'undelivered', { retries: 0, ...postedOf(event) }),
        effects: [{ type: 'settle', refund: false, operatorRefund: false }, { type: 'wake_waiting' }],
      };
    case 'delivery_failed': {
      const failures = record.retries + 1;
      if (failures >= GIVE_UP_AFTER_FAILURES) {
        return {
          record: moveTo(record, 'undelivered'),
          effects: [{ type: 'settle', refund: false, operatorRefund: false }, { type: 'wake_waiting' }],
        };
      }
      return { record: { ...record, retries: failures }, effects: [{ type: 'back_off', failures }] };
    }
    default:
      return common(record, event);
  }
}

const final: Handler<'delivered' | 'failed' | 'undelivered'> = (record) => stay(record);

export const lifecycle: Table = {
  received: (record, event, tuning) => {
    if (event.type !== 'resumed') return common(record, event);
    return tooOld(record, event.at, tuning) ? fail(record, { kind: 'generation_timed_out' }) : startChecking(record);
  },
  checking: (record, event, tuning) => {
    switch (event.type) {
      case 'resumed':
        return tooOld(record, event.at, tuning) ? fail(record, { kind: 'generation_timed_out' }) : startChecking(record);
      case 'picture_checked':
        return { record: moveTo(record, 'waiting'), effects: [{ type: 'take_turn' }] };
      case 'picture_refused':
        return fail(record, event.problem);
      default:
        return common(record, event);
    }
  },
  waiting: (record, event, tuning) => {
    switch (event.type) {
      case 'resumed':
        return tooOld(record, event.at, tuning)
          ? fail(record, { kind: 'generation_timed_out' })
          : { record, effects: [{ type: 'take_turn' }] };
      case 'turn_taken':
        // Stored before the request leaves: if the bot dies now, the resumed task knows a charge may exist.
        return { record: moveTo(record, 'submitting'), effects: [{ type: 'submit' }] };
      case 'turn_not_yet':
        return {
          record,
          effects: [
            { type: 'show', view: progress(record, event.at, { kind: 'waiting_turn', position: event.position, paused: event.paused }) },
            { type: 'wait', delayMs: Math.max(tuning.pollIntervalMs, WAITING_RECHECK_MIN_MS) },
          ],
        };
      case 'cancelled':
        return fail(record, { kind: 'cancelled' });
      default:
        return common(record, event);
    }
  },
  submitting: (record, event, tuning) => {
    switch (event.type) {
      case 'resumed':
        // The bot stopped between recording `submitting` and learning the outcome. Since submission marks
        // (records with a revision), the mark says whether the request may have left: it is taken only
        // right before sending (task-steps.ts), so the submit step sends the task if it is absent and reports
        // `submit_unknown` if it is taken. Stored again first: the write moves the revision on, so a stalled
        // earlier driver that re-reads it after taking the mark does not send too. An older version's record
        // (no revision) had no mark: the provider may have a (paid) task for it, and sending could charge twice.
        if (record.revision === undefined) return fail(record, { kind: 'submit_unknown' });
        return { record: moveTo(record, 'submitting'), effects: [{ type: 'submit' }] };
      case 'picture_missing': {
        // The slot stays taken: starting again with the same task takes the same slot. Counted, so a store
        // that keeps losing the picture ends the task instead of checking it again in a loop.
        const failures = record.retries + 1;
        if (failures >= GIVE_UP_AFTER_FAILURES) return fail(record, { kind: 'internal', ref: record.id.slice(0, 8) });
        return startChecking({ ...record, retries: failures });
      }
      case 'submitted':
        return {
          record: moveTo(record, 'queued', { retries: 0, provider: { taskId: event.providerTaskId, submittedAt: event.at } }),
          effects: [
            { type: 'show', view: { kind: 'waiting' } },
            { type: 'wait', delayMs: tuning.pollIntervalMs },
          ],
        };
      case 'submit_refused':
        return fail(record, event.failure, event.failure.kind === 'provider_out_of_credit' ? [{ type: 'pause_submissions' }] : []);
      case 'submit_unknown':
        return fail(record, { kind: 'submit_unknown' });
      default:
        return common(record, event);
    }
  },
  queued: pollingState,
  processing: pollingState,
  downloading: fetchingState,
  delivering: fetchingState,
  failing: (record, event) => {
    switch (event.type) {
      case 'resumed':
        return { record, effects: tellFailure(record) };
      case 'delivered':
        // Settled (with the refund) before the member was told.
        return { record: { ...record, state: 'failed', retries: 0, ...postedOf(event) }, effects: [{ type: 'wake_waiting' }] };
      case 'delivery_failed': {
        const failures = record.retries + 1;
        if (failures >= GIVE_UP_AFTER_FAILURES) return { record: { ...record, state: 'failed' }, effects: [{ type: 'wake_waiting' }] };
        return { record: { ...record, retries: failures }, effects: [{ type: 'back_off', failures }] };
      }
      default:
        // Already failing: a second failure (a crash while telling) is told as the first one.
        return event.type === 'crashed' ? retryFailing(record) : stay(record);
    }
  },
  delivered: final,
  failed: final,
  undelivered: final,
};

function retryFailing(record: FailedTaskRecord): Transition {
  const failures = record.retries + 1;
  if (failures >= GIVE_UP_AFTER_FAILURES) return { record: { ...record, state: 'failed' }, effects: [{ type: 'wake_waiting' }] };
  return { record: { ...record, retries: failures }, effects: [{ type: 'back_off', failures }] };
}

/** The lifecycle's one entry point. */
export function next(record: TaskRecord, event: TaskEvent, tuning: LifecycleTuning): Transition {
  const handler = lifecycle[record.state] as Handler<TaskState>;
  return handler(record, event, tuning);
}
