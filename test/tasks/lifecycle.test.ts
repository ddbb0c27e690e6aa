import { describe, expect, it } from 'vitest';
import { GIVE_UP_AFTER_FAILURES, LATE_NOTICE_AFTER_MS, LINK_MIN_REMAINING_MS, next, type TaskEvent } from '../../src/tasks/lifecycle.ts';
import type { TaskRecord } from '../../src/tasks/task-record.ts';
import { makeTaskRecord } from '../support/task-fixtures.ts';

const MAX_AGE_MS = 30 * 60_000;
const tuning = { pollIntervalMs: 1_000, maxTaskAgeMs: MAX_AGE_MS };
const AT = 1_000_000;
/** Records are made at 1 000 ms; this is when they are 30 minutes old. */
const TOO_OLD = 1_000 + MAX_AGE_MS + 1;
const submitted = { taskId: 'provider-1', submittedAt: AT - 10_000 };

const step = (record: TaskRecord, event: TaskEvent) => next(record, event, tuning);
const effectTypes = (record: TaskRecord, event: TaskEvent) => step(record, event).effects.map((e) => e.type);

describe('task lifecycle table', () => {
  it('a new task shows that the picture is being checked, then checks it', () => {
    const t = step(makeTaskRecord(), { type: 'resumed', at: AT });
    expect(t.record.state).toBe('checking');
    expect(t.effects).toEqual([{ type: 'show', view: { kind: 'checking' } }, { type: 'check_picture' }]);
  });

  it('a checked picture waits for its turn, and submits once it has it', () => {
    const waiting = step(makeTaskRecord({ state: 'checking' }), { type: 'picture_checked' });
    expect(waiting.record.state).toBe('waiting');
    expect(waiting.effects).toEqual([{ type: 'take_turn' }]);
    const submitting = step(waiting.record, { type: 'turn_taken' });
    expect(submitting.record.state).toBe('submitting');
    expect(submitting.effects).toEqual([{ type: 'submit' }]);
  });

  it('a task not yet at the front shows its place and looks again later', () => {
    const t = step(makeTaskRecord({ state: 'waiting' }), { type: 'turn_not_yet', position: 2, paused: false, at: 2_000 });
    expect(t.record.state).toBe('waiting');
    expect(t.effects).toEqual([
      { type: 'show', view: { kind: 'waiting_turn', position: 2, paused: false } },
      { type: 'wait', delayMs: 5_000 },
    ]);
  });

  it('a refused picture is refunded first, then told privately', () => {
    const problem = { kind: 'picture_too_small', width: 200, height: 200, minWidth: 300, minHeight: 300 } as const;
    const t = step(makeTaskRecord({ state: 'checking', options: { prompt: 'p', duration: '10', cfgScale: 0.5 } }), {
      type: 'picture_refused',
      problem,
    });
    expect(t.record).toMatchObject({ state: 'failing', failure: problem, refundedUnits: 2 });
    expect(t.effects).toEqual([
      { type: 'settle', refund: true, operatorRefund: true },
      { type: 'deliver', view: { kind: 'image_refused', failure: problem, refundedUnits: 2 } },
    ]);
  });

  it('a task found mid-submission after a restart is submitted, after storing it again (its mark decides whether it may go)', () => {
    const found = makeTaskRecord({ state: 'submitting', revision: 4 });
    const t = step(found, { type: 'resumed', at: AT });
    // A new record to store before the request: the write moves the revision on, which fences a stalled
    // earlier driver of the task that has not yet re-read it (task-steps.ts).
    expect(t.record).not.toBe(found);
    expect(t.record).toMatchObject({ state: 'submitting', revision: 4 });
    expect(t.effects).toEqual([{ type: 'submit' }]);
  });

  it('a task found mid-submission written by a version without submission marks is failed as "outcome unknown", never submitted again', () => {
    const t = step(makeTaskRecord({ state: 'submitting' }), { type: 'resumed', at: AT });
    expect(t.record).toMatchObject({ state: 'failing', failure: { kind: 'submit_unknown' } });
    expect(t.effects.map((e) => e.type)).not.toContain('submit');
  });

  it('out of credit pauses submissions before the member is told', () => {
    expect(
      effectTypes(makeTaskRecord({ state: 'submitting' }), { type: 'submit_refused', failure: { kind: 'provider_out_of_credit' } }),
    ).toEqual(['pause_submissions', 'settle', 'deliver']);
  });

  it('a submission is recorded with the provider task id, then polled after the interval', () => {
    const t = step(makeTaskRecord({ state: 'submitting' }), { type: 'submitted', providerTaskId: 'provider-9', at: AT });
    expect(t.record).toMatchObject({ state: 'queued', provider: { taskId: 'provider-9', submittedAt: AT } });
    expect(t.effects).toEqual([
      { type: 'show', view: { kind: 'waiting' } },
      { type: 'wait', delayMs: 1_000 },
    ]);
  });

  it('progress is shown with its ETA, and a small change of ETA keeps the one shown', () => {
    const first = step(
      makeTaskRecord({ state: 'queued', provider: submitted, interaction: { ...makeTaskRecord().interaction, createdAt: AT } }),
      {
        type: 'progressed',
        status: 'processing',
        progressPercent: 40,
        etaSeconds: 60,
        at: AT,
      },
    );
    expect(first.record).toMatchObject({ state: 'processing', provider: { progressPercent: 40, etaAt: AT + 60_000 } });
    expect(first.effects[0]).toEqual({ type: 'show', view: { kind: 'generating', progressPercent: 40, etaAt: AT + 60_000 } });
    const second = step(first.record, { type: 'progressed', status: 'processing', progressPercent: 50, etaSeconds: 50, at: AT + 5_000 });
    expect(second.record.provider?.etaAt).toBe(AT + 60_000);
  });

  it('a finished video is downloaded while its link is fresh', () => {
    const t = step(makeTaskRecord({ state: 'processing', provider: submitted }), {
      type: 'generation_succeeded',
      video: { url: 'https://cdn/v.mp4', ttlSeconds: 3600 },
      at: AT,
    });
    expect(t.record).toMatchObject({
      state: 'downloading',
      provider: { videoUrl: 'https://cdn/v.mp4', videoUrlExpiresAt: AT + 3_600_000 },
    });
    expect(t.effects).toEqual([{ type: 'show', view: { kind: 'delivering' } }, { type: 'download_video' }]);
  });

  it('a stored link about to expire is replaced by polling again', () => {
    const record = makeTaskRecord({
      state: 'downloading',
      provider: { ...submitted, videoUrl: 'https://cdn/v.mp4', videoUrlExpiresAt: AT + LINK_MIN_REMAINING_MS - 1 },
    });
    const t = step(record, { type: 'resumed', at: AT });
    expect(t.record.state).toBe('processing');
    expect(t.effects).toEqual([{ type: 'poll' }]);
  });

  it('a fresh link is downloaded at once, however short-lived', () => {
    const t = step(makeTaskRecord({ state: 'processing', provider: submitted }), {
      type: 'generation_succeeded',
      video: { url: 'https://cdn/v.mp4', ttlSeconds: 60 },
      at: AT,
    });
    expect(t.record.state).toBe('downloading');
    expect(t.effects.map((e) => e.type)).toEqual(['show', 'download_video']);
  });

  it('a link dead on arrival is asked for again a poll interval later: a task is never polled in a loop', () => {
    const t = step(makeTaskRecord({ state: 'processing', provider: submitted }), {
      type: 'generation_succeeded',
      video: { url: 'https://cdn/v.mp4', ttlSeconds: 0 },
      at: AT,
    });
    expect(t.record.state).toBe('processing');
    expect(t.effects).toEqual([{ type: 'wait', delayMs: 1_000 }]);
  });

  /**
   * Found by the property test (lifecycle-properties.test.ts): with a link shorter-lived than a back-off,
   * every retry went stale, was polled again, and the fresh link reset the failure count, so a download or
   * a delivery that kept failing was tried (and the provider polled) for ever.
   */
  it.each([
    ['a download', 'download_video', { type: 'step_failed', giveUp: { kind: 'video_lost' } }, 'failing'],
    ['a delivery', 'deliver', { type: 'delivery_failed' }, 'undelivered'],
  ] as const)('%s that keeps failing ends even when each retry needs a fresh short-lived link', (_what, failingStep, failure, ending) => {
    let record = makeTaskRecord({ state: 'processing', provider: submitted });
    let at = AT;
    let event: TaskEvent = { type: 'generation_succeeded', video: { url: 'https://cdn/v.mp4', ttlSeconds: 60 }, at };
    for (let steps = 0; steps < 500 && !['failing', 'failed', 'delivered', 'undelivered'].includes(record.state); steps++) {
      const t = step(record, event);
      record = t.record;
      const types = t.effects.map((e) => e.type);
      at += 10_000;
      if (types.includes(failingStep)) event = failure;
      else if (types.includes('download_video')) event = { type: 'video_downloaded', download: { kind: 'too_large' }, at };
      else if (types.includes('poll')) event = { type: 'generation_succeeded', video: { url: 'https://cdn/v.mp4', ttlSeconds: 60 }, at };
      else event = { type: 'resumed', at: (at += 60_000) };
    }
    expect(record.state).toBe(ending);
  });

  it('a checked picture that keeps going missing from the store is checked again a few times, then reported and refunded in full', () => {
    let record = makeTaskRecord({ state: 'waiting' });
    let event: TaskEvent = { type: 'turn_taken' };
    for (let steps = 0; steps < 500 && record.state !== 'failing'; steps++) {
      const t = step(record, event);
      record = t.record;
      const types = t.effects.map((e) => e.type);
      // Nothing has reached the provider: the picture is missing before the request leaves.
      if (types.includes('submit')) event = { type: 'picture_missing' };
      else if (types.includes('check_picture')) event = { type: 'picture_checked' };
      else event = { type: 'turn_taken' };
    }
    expect(record).toMatchObject({ state: 'failing', failure: { kind: 'internal' } });
    expect(step(record, { type: 'resumed', at: AT }).effects).toContainEqual({ type: 'settle', refund: true, operatorRefund: true });
  });

  it('success without a video is a lost video, refunded', () => {
    const t = step(makeTaskRecord({ state: 'processing', provider: submitted }), { type: 'generation_succeeded', at: AT });
    expect(t.record).toMatchObject({ state: 'failing', failure: { kind: 'video_lost' } });
  });

  it('a task not finished after TASK_MAX_AGE_MS is reported and refunded rather than polled for ever', () => {
    for (const state of ['received', 'checking', 'waiting', 'queued', 'processing'] as const) {
      const record = makeTaskRecord({ state, provider: { taskId: 'p', submittedAt: 2_000 } });
      expect(step(record, { type: 'resumed', at: TOO_OLD - 2 }).record.state, state).not.toBe('failing');
      const t = step(record, { type: 'resumed', at: TOO_OLD });
      expect(t.record, state).toMatchObject({ state: 'failing', failure: { kind: 'generation_timed_out' }, refundedUnits: 1 });
      expect(t.effects[0], state).toMatchObject({ type: 'settle', refund: true });
    }
  });

  it('a video already made is still delivered after TASK_MAX_AGE_MS', () => {
    const record = makeTaskRecord({ state: 'downloading', provider: { taskId: 'p', submittedAt: 2_000, videoUrl: 'https://cdn/v.mp4' } });
    expect(step(record, { type: 'resumed', at: TOO_OLD }).effects.map((e) => e.type)).toEqual(['show', 'download_video']);
  });

  it('at about 13 minutes a still-running task says once that the video will be posted here with a mention', () => {
    const record = makeTaskRecord({ state: 'processing', provider: { taskId: 'p', submittedAt: 2_000 } });
    const early = step(record, { type: 'progressed', status: 'processing', progressPercent: 50, at: 1_000 + LATE_NOTICE_AFTER_MS - 1 });
    expect(early.effects[0]).toMatchObject({ type: 'show', view: { kind: 'generating' } });
    const late = step(record, { type: 'progressed', status: 'processing', progressPercent: 60, at: 1_000 + LATE_NOTICE_AFTER_MS });
    expect(late.effects[0]).toEqual({ type: 'show', view: { kind: 'still_working' } });
    const waiting = step(makeTaskRecord({ state: 'waiting' }), {
      type: 'turn_not_yet',
      position: 1,
      paused: false,
      at: 1_000 + LATE_NOTICE_AFTER_MS,
    });
    expect(waiting.effects[0]).toEqual({ type: 'show', view: { kind: 'still_working' } });
  });

  it('a downloaded file is stored as "delivering" before it is sent, then settled without refund', () => {
    const record = makeTaskRecord({ state: 'downloading', provider: { ...submitted, videoUrl: 'https://cdn/v.mp4' } });
    const t = step(record, {
      type: 'video_downloaded',
      download: { kind: 'file', file: { path: '/tmp/animate-test/v.mp4', sizeBytes: 3 } },
      at: AT,
    });
    expect(t.record.state).toBe('delivering');
    expect(t.effects).toEqual([
      {
        type: 'deliver',
        view: { kind: 'video', video: { path: '/tmp/animate-test/v.mp4', sizeBytes: 3 }, filename: 'animate-task-000.mp4' },
      },
    ]);
    const done = step(t.record, { type: 'delivered', outcome: 'delivered' });
    expect(done.record.state).toBe('delivered');
    expect(done.effects).toEqual([{ type: 'settle', refund: false, operatorRefund: false }, { type: 'wake_waiting' }]);
  });

  it('a video too large to attach is delivered as its link with its expiry', () => {
    const record = makeTaskRecord({
      state: 'downloading',
      provider: { ...submitted, videoUrl: 'https://cdn/v.mp4', videoUrlExpiresAt: AT + 3_600_000 },
    });
    const t = step(record, { type: 'video_downloaded', download: { kind: 'too_large', sizeBytes: 20e6 }, at: AT });
    expect(t.effects).toEqual([
      {
        type: 'deliver',
        view: { kind: 'video_link', url: 'https://cdn/v.mp4', expiresAt: AT + 3_600_000, limitBytes: 10 * 1024 * 1024, sizeBytes: 20e6 },
      },
    ]);
  });

  it('a made video nobody could be shown is undelivered, not failed, and keeps its units', () => {
    const t = step(makeTaskRecord({ state: 'delivering' }), { type: 'delivered', outcome: 'undeliverable' });
    expect(t.record.state).toBe('undelivered');
    expect(t.effects).toContainEqual({ type: 'settle', refund: false, operatorRefund: false });
  });

  it('the message a late delivery posted is kept on the final record, for a video and for a failure', () => {
    const posted = { channelId: '400000000000000001', messageId: '700000000000000001' };
    expect(step(makeTaskRecord({ state: 'delivering' }), { type: 'delivered', outcome: 'delivered', posted }).record).toMatchObject({
      state: 'delivered',
      delivery: posted,
    });
    const failing = makeTaskRecord({ state: 'failing', failure: { kind: 'video_lost' }, refundedUnits: 1 });
    expect(step(failing, { type: 'delivered', outcome: 'delivered', posted }).record).toMatchObject({ state: 'failed', delivery: posted });
  });

  it('a download that cannot work (a refused video URL) fails at once; one that may pass is retried', () => {
    const record = makeTaskRecord({ state: 'downloading', provider: { ...submitted, videoUrl: 'http://10.0.0.7/v.mp4' } });
    const lost = step(record, { type: 'step_failed', giveUp: { kind: 'video_lost' }, permanent: true });
    expect(lost.record).toMatchObject({ state: 'failing', failure: { kind: 'video_lost' } });
    expect(step(record, { type: 'step_failed', giveUp: { kind: 'video_lost' } }).record).toMatchObject({
      state: 'downloading',
      retries: 1,
    });
  });

  it('a failure the member could not be told of is still a failure', () => {
    const failing = makeTaskRecord({ state: 'failing', failure: { kind: 'cancelled' }, refundedUnits: 1 });
    expect(step(failing, { type: 'delivered', outcome: 'undeliverable' }).record.state).toBe('failed');
  });

  it('a restart while the member is being told of a failure tells (and settles) again', () => {
    const failing = makeTaskRecord({ state: 'failing', failure: { kind: 'provider_unavailable' }, refundedUnits: 1 });
    expect(step(failing, { type: 'resumed', at: AT }).effects).toEqual([
      { type: 'settle', refund: true, operatorRefund: true },
      { type: 'deliver', view: { kind: 'failed', failure: { kind: 'provider_unavailable' }, refundedUnits: 1 } },
    ]);
  });

  it("the member is refunded for every failure; the operator's spend only when the provider charged nothing", () => {
    const settleOf = (record: TaskRecord, event: TaskEvent) => step(record, event).effects.find((e) => e.type === 'settle');
    const submitting = makeTaskRecord({ state: 'submitting' });
    const polling = makeTaskRecord({ state: 'processing', provider: submitted });
    expect(settleOf(submitting, { type: 'submit_refused', failure: { kind: 'provider_rejected' } })).toEqual({
      type: 'settle',
      refund: true,
      operatorRefund: true,
    });
    for (const [record, event] of [
      [submitting, { type: 'submit_unknown' }],
      [submitting, { type: 'resumed', at: AT }],
      [polling, { type: 'generation_failed', reason: 'nsfw' }],
      [polling, { type: 'poll_refused', failure: { kind: 'provider_rejected' } }],
      [polling, { type: 'generation_succeeded', at: AT }],
      [
        makeTaskRecord({ state: 'downloading', provider: { ...submitted, videoUrl: 'https://cdn/v.mp4' }, retries: 11 }),
        { type: 'step_failed', giveUp: { kind: 'video_lost' } },
      ],
    ] as [TaskRecord, TaskEvent][]) {
      expect(settleOf(record, event), `${record.state} + ${event.type}`).toEqual({ type: 'settle', refund: true, operatorRefund: false });
    }
  });

  it('transient errors back off, and give up with the member told after the limit', () => {
    let record = makeTaskRecord({ state: 'processing', provider: submitted });
    for (let i = 1; i < GIVE_UP_AFTER_FAILURES; i++) {
      const t = step(record, { type: 'step_failed', giveUp: { kind: 'provider_unavailable' }, retryAfterMs: 30_000 });
      expect(t.effects).toEqual([{ type: 'back_off', failures: i, retryAfterMs: 30_000 }]);
      record = t.record;
    }
    expect(step(record, { type: 'step_failed', giveUp: { kind: 'provider_unavailable' } }).record).toMatchObject({
      state: 'failing',
      failure: { kind: 'provider_unavailable' },
    });
  });

  it('a bug of ours is retried, then reported with its reference', () => {
    const record = makeTaskRecord({ state: 'queued', provider: submitted, retries: GIVE_UP_AFTER_FAILURES - 1 });
    expect(step(record, { type: 'crashed', ref: 'abcd1234' }).record).toMatchObject({
      state: 'failing',
      failure: { kind: 'internal', ref: 'abcd1234' },
    });
  });

  it('only a waiting task can be cancelled; the event changes nothing elsewhere', () => {
    expect(step(makeTaskRecord({ state: 'waiting' }), { type: 'cancelled' }).record).toMatchObject({
      state: 'failing',
      failure: { kind: 'cancelled' },
    });
    const queued = makeTaskRecord({ state: 'queued', provider: submitted });
    expect(step(queued, { type: 'cancelled' })).toEqual({ record: queued, effects: [] });
  });

  it('a final task ignores every event', () => {
    for (const state of ['delivered', 'undelivered'] as const) {
      const record = makeTaskRecord({ state });
      expect(step(record, { type: 'resumed', at: AT })).toEqual({ record, effects: [] });
    }
  });
});
