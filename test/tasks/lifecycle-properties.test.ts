/**
 * Properties of the lifecycle table (lifecycle.ts), checked with fast-check on random records and random
 * sequences of events, including events that make no sense in the state they arrive in (a late answer, a
 * duplicate, a cancel after the submit). The table is pure, so thousands of steps take milliseconds.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PictureProblem, TaskFailure } from '../../src/outcomes.ts';
import { GIVE_UP_AFTER_FAILURES, next, type TaskEffect, type TaskEvent, type Transition } from '../../src/tasks/lifecycle.ts';
import { errorBackoffMs } from '../../src/tasks/poll-policy.ts';
import { FINAL_STATES, isFinal, TASK_STATES, taskRecordSchema, type TaskRecord, type TaskState } from '../../src/tasks/task-record.ts';
import { MAX_ETA_SECONDS, MAX_FAILURE_REASON_CHARS, MAX_LINK_TTL_SECONDS } from '../../src/video-api/schemas.ts';
import { makeTaskRecord } from '../support/task-fixtures.ts';

const tuning = { pollIntervalMs: 1_000, maxTaskAgeMs: 30 * 60_000 };
/** When the records are made (a real epoch time: the clock's numbers are that large). */
const CREATED_AT = 1_764_000_000_000;
/** How long after its creation an event may arrive: well past TASK_MAX_AGE_MS. */
const LATEST_MS = 2 * 60 * 60_000;
/** How often the maintenance sweep resumes a task nobody is driving (maintenance.ts). */
const SWEEP_MS = 60_000;
/**
 * Enough steps for the slowest way to the end: polled every second for TASK_MAX_AGE_MS (1800 polls, two
 * events each), plus the retries of a delivery.
 */
const MAX_STEPS = 8_000;

const knownStates: ReadonlySet<string> = new Set(TASK_STATES);
const snowflake = fc.bigInt({ min: 1n, max: 10n ** 19n }).map(String);
const at = fc.integer({ min: CREATED_AT, max: CREATED_AT + LATEST_MS });
const reason = fc.option(fc.string({ maxLength: MAX_FAILURE_REASON_CHARS }), { nil: undefined });
const url = fc.webUrl();

const pictureProblem = fc.constantFrom<PictureProblem>(
  { kind: 'picture_not_an_image' },
  { kind: 'picture_gif' },
  { kind: 'picture_webp' },
  { kind: 'picture_damaged', format: 'PNG' },
  { kind: 'picture_too_small', width: 200, height: 200, minWidth: 300, minHeight: 300 },
  { kind: 'picture_too_many_pixels', maxPixels: 1 },
  { kind: 'picture_too_large', maxBytes: 10 },
  { kind: 'picture_unusable' },
  { kind: 'picture_unavailable' },
  { kind: 'picture_not_on_discord' },
);
const failure: fc.Arbitrary<TaskFailure> = fc.oneof(
  pictureProblem,
  reason.map((r): TaskFailure => ({ kind: 'provider_rejected', ...(r !== undefined ? { reason: r } : {}) })),
  reason.map((r): TaskFailure => ({ kind: 'generation_failed', ...(r !== undefined ? { reason: r } : {}) })),
  fc.constantFrom<TaskFailure>(
    { kind: 'generation_timed_out' },
    { kind: 'video_lost' },
    { kind: 'provider_misconfigured' },
    { kind: 'provider_out_of_credit' },
    { kind: 'provider_unavailable' },
    { kind: 'submit_unknown' },
    { kind: 'cancelled' },
    { kind: 'internal', ref: 'abcd1234' },
  ),
);

/** The provider's part of a record, as the table writes it. */
const provider = fc.record(
  {
    taskId: fc.string({ minLength: 1, maxLength: 40 }),
    submittedAt: at,
    progressPercent: fc.integer({ min: 0, max: 100 }),
    etaAt: at,
    videoUrl: url,
    videoUrlExpiresAt: at,
  },
  { requiredKeys: ['taskId', 'submittedAt'] },
);

/** Any record the store can hold, in any state. */
const record: fc.Arbitrary<TaskRecord> = fc
  .record({
    state: fc.constantFrom(...TASK_STATES),
    provider: fc.option(provider, { nil: undefined }),
    retries: fc.integer({ min: 0, max: GIVE_UP_AFTER_FAILURES - 1 }),
    failure,
    duration: fc.constantFrom<'5' | '10'>('5', '10'),
    delivery: fc.option(fc.record({ channelId: snowflake, messageId: snowflake }), { nil: undefined }),
    // Absent on a record written by a version before revisions (and submission marks).
    revision: fc.option(fc.nat({ max: 1_000 }), { nil: undefined }),
  })
  .map(({ state, provider, retries, failure, duration, delivery, revision }) => {
    const base = makeTaskRecord({
      state,
      retries,
      ...(revision !== undefined ? { revision } : {}),
      createdAt: CREATED_AT,
      updatedAt: CREATED_AT,
      interaction: { ...makeTaskRecord().interaction, createdAt: CREATED_AT },
      options: { prompt: 'the waves roll in', duration, cfgScale: 0.5 },
      ...(provider ? { provider } : {}),
      ...(delivery ? { delivery } : {}),
    });
    if (state !== 'failing' && state !== 'failed') return base;
    return { ...base, state, failure, refundedUnits: duration === '10' ? 2 : 1 };
  });

const download = fc.oneof(
  fc.constant({ kind: 'file' as const, file: { path: '/tmp/animate-test/v.mp4', sizeBytes: 3 } }),
  fc
    .option(fc.nat(), { nil: undefined })
    .map((size) => ({ kind: 'too_large' as const, ...(size !== undefined ? { sizeBytes: size } : {}) })),
);

/** Every event the runner or the outside world can send, with the values the steps can produce. */
const event: fc.Arbitrary<TaskEvent> = fc.oneof(
  at.map((t): TaskEvent => ({ type: 'resumed', at: t })),
  fc.constant<TaskEvent>({ type: 'picture_checked' }),
  pictureProblem.map((problem): TaskEvent => ({ type: 'picture_refused', problem })),
  fc.constant<TaskEvent>({ type: 'picture_missing' }),
  fc.constant<TaskEvent>({ type: 'turn_taken' }),
  fc
    .record({ position: fc.integer({ min: 1, max: 50 }), paused: fc.boolean(), at })
    .map((e): TaskEvent => ({ type: 'turn_not_yet', ...e })),
  fc.record({ providerTaskId: fc.string({ minLength: 1, maxLength: 40 }), at }).map((e): TaskEvent => ({ type: 'submitted', ...e })),
  failure.map((f): TaskEvent => ({ type: 'submit_refused', failure: f })),
  fc.constant<TaskEvent>({ type: 'submit_unknown' }),
  fc
    .record(
      {
        status: fc.constantFrom<'queued' | 'processing'>('queued', 'processing'),
        progressPercent: fc.integer({ min: 0, max: 100 }),
        etaSeconds: fc.integer({ min: 0, max: MAX_ETA_SECONDS }),
        at,
      },
      { requiredKeys: ['status', 'at'] },
    )
    .map((e): TaskEvent => ({ type: 'progressed', ...e })),
  fc
    .record(
      { video: fc.record({ url, ttlSeconds: fc.integer({ min: 0, max: MAX_LINK_TTL_SECONDS }) }, { requiredKeys: ['url'] }), at },
      { requiredKeys: ['at'] },
    )
    .map((e): TaskEvent => ({ type: 'generation_succeeded', ...e })),
  reason.map((r): TaskEvent => ({ type: 'generation_failed', ...(r !== undefined ? { reason: r } : {}) })),
  failure.map((f): TaskEvent => ({ type: 'poll_refused', failure: f })),
  fc.constant<TaskEvent>({ type: 'polling_paused' }),
  fc.record({ download, at }).map((e): TaskEvent => ({ type: 'video_downloaded', ...e })),
  fc
    .record(
      { giveUp: failure, retryAfterMs: fc.integer({ min: 0, max: 60_000 }), permanent: fc.constant(true as const) },
      { requiredKeys: ['giveUp'] },
    )
    .map((e): TaskEvent => ({ type: 'step_failed', ...e })),
  fc
    .record(
      {
        outcome: fc.constantFrom<'delivered' | 'undeliverable'>('delivered', 'undeliverable'),
        posted: fc.record({ channelId: snowflake, messageId: snowflake }),
      },
      { requiredKeys: ['outcome'] },
    )
    .map((e): TaskEvent => ({ type: 'delivered', ...e })),
  fc.constant<TaskEvent>({ type: 'delivery_failed' }),
  fc.constant<TaskEvent>({ type: 'cancelled' }),
  fc.constant<TaskEvent>({ type: 'crashed', ref: 'abcd1234' }),
);

/** What must hold of every single step, whatever the record and the event. */
function checkStep(before: TaskRecord, handled: TaskEvent, after: Transition): void {
  const context = `${before.state} + ${handled.type} -> ${after.record.state}`;
  expect(knownStates.has(after.record.state), context).toBe(true);
  // Storable: what the runner writes must read back (Infinity or NaN would come back as null and be lost).
  expect(taskRecordSchema.safeParse(JSON.parse(JSON.stringify(after.record))).success, context).toBe(true);
  expect(after.record.id).toBe(before.id);
  expect(after.record.retries, context).toBeLessThanOrEqual(GIVE_UP_AFTER_FAILURES);
  if (isFinal(before.state)) {
    // Final stays final, and nothing more happens to it.
    expect(after.record, context).toBe(before);
    expect(after.effects, context).toEqual([]);
  }
  for (const effect of after.effects) checkEffect(before, after, effect, context);
}

function checkEffect(before: TaskRecord, after: Transition, effect: TaskEffect, context: string): void {
  switch (effect.type) {
    case 'submit':
      // The only ways to the provider: a task that had its turn, or one found `submitting` by a driver that
      // can tell from its mark whether it went (a record of a version with marks has a revision). Either way
      // it is stored (again) as `submitting` before the request: a new record, so the revision moves on.
      if (before.state === 'submitting') expect(before.revision, context).toBeDefined();
      else expect(before.state, context).toBe('waiting');
      expect(after.record.state, context).toBe('submitting');
      expect(after.record, context).not.toBe(before);
      break;
    case 'settle':
      // The operator's spend goes back only when the provider provably charged nothing.
      if (effect.operatorRefund) {
        expect(after.record.provider, context).toBeUndefined();
        expect('failure' in after.record && after.record.failure.kind, context).not.toBe('submit_unknown');
      }
      // A member is refunded exactly when the task failed.
      expect(effect.refund, context).toBe(after.record.state === 'failing' || after.record.state === 'failed');
      break;
    case 'wait':
    case 'back_off': {
      const delay = effect.type === 'wait' ? effect.delayMs : (effect.retryAfterMs ?? 0);
      expect(Number.isFinite(delay) && delay >= 0, context).toBe(true);
      if (effect.type === 'wait') expect(effect.delayMs, context).toBeGreaterThanOrEqual(tuning.pollIntervalMs);
      break;
    }
    default:
      break;
  }
}

describe('lifecycle table, random records and events', () => {
  it('never throws, reaches only known and storable states, keeps final states final, and submits only from waiting or a marked-era submitting', () => {
    fc.assert(
      fc.property(record, fc.array(event, { maxLength: 40 }), (start, events) => {
        let current = start;
        for (const e of events) {
          const transition = next(current, e, tuning);
          checkStep(current, e, transition);
          current = transition.record;
        }
      }),
      { numRuns: 2_000 },
    );
  });

  it('a task driven by the runner, whatever the world answers, always reaches a final state', () => {
    fc.assert(
      fc.property(record, worldAnswers, fc.array(event, { maxLength: 10 }), (start, answers, prelude) => {
        let current = start;
        // First, events that arrive out of order; then the runner's own loop until the task ends.
        for (const e of prelude) current = next(current, e, tuning).record;
        const ended = drive(current, answers);
        expect(FINAL_STATES as readonly TaskState[], `${start.state} ended as ${ended.record.state} after ${ended.steps} steps`).toContain(
          ended.record.state,
        );
      }),
      { numRuns: 500 },
    );
  }, 30_000);
});

/** Effects the world answers; each has its own list of picks, used in turn, round and round. */
const ANSWERED = ['check_picture', 'take_turn', 'submit', 'poll', 'download_video', 'deliver', 'settle'] as const;
type Answered = (typeof ANSWERED)[number];
const picks = fc.array(fc.noBias(fc.nat({ max: 99 })), { minLength: 1, maxLength: 4 });
const worldAnswers: fc.Arbitrary<Record<Answered, number[]>> = fc.record({
  check_picture: picks,
  take_turn: picks,
  submit: picks,
  poll: picks,
  download_video: picks,
  deliver: picks,
  settle: picks,
});

/**
 * Runs a task as task-tracker.ts does, with a world that answers each kind of effect from its own list in
 * `answers` (so "every delivery fails" is one short list): a wait or a back-off moves the clock and resumes
 * the task; an answer that asks nothing more leaves it to the maintenance sweep.
 */
function drive(start: TaskRecord, answers: Record<Answered, number[]>): { record: TaskRecord; steps: number } {
  let record = start;
  let clock = CREATED_AT + 1_000;
  let event: TaskEvent = { type: 'resumed', at: clock };
  const turns = new Map<string, number>();
  const answer = (type: TaskEffect['type']): number => {
    const list: readonly number[] = (ANSWERED as readonly string[]).includes(type) ? answers[type as Answered] : [0];
    const turn = turns.get(type) ?? 0;
    turns.set(type, turn + 1);
    return list[turn % list.length] ?? 0;
  };
  for (let steps = 0; steps < MAX_STEPS; steps++) {
    const transition = next(record, event, tuning);
    checkStep(record, event, transition);
    record = transition.record;
    if (isFinal(record.state)) return { record, steps };
    let following: TaskEvent | undefined;
    let resumeAt = clock + SWEEP_MS;
    for (const effect of transition.effects) {
      clock += 50;
      const outcome = worldAnswer(effect, record, answer(effect.type), clock);
      if (outcome) following = outcome;
      // A step that throws ends the batch: the runner reports the crash and performs nothing after it.
      if (outcome?.type === 'crashed') break;
      if (effect.type === 'wait') resumeAt = clock + effect.delayMs;
      if (effect.type === 'back_off') {
        const { failures, retryAfterMs } = effect;
        const backOff = { pollIntervalMs: tuning.pollIntervalMs, failures, random: () => 0.5 };
        resumeAt = clock + errorBackoffMs(retryAfterMs === undefined ? backOff : { ...backOff, retryAfterMs });
      }
    }
    if (following) {
      event = following;
    } else {
      clock = Math.max(clock, resumeAt);
      event = { type: 'resumed', at: clock };
    }
  }
  return { record, steps: MAX_STEPS };
}

/** One plausible answer of the world to an effect; `pick` (0-99) chooses which. */
function worldAnswer(effect: TaskEffect, record: TaskRecord, pick: number, at: number): TaskEvent | undefined {
  const crash: TaskEvent = { type: 'crashed', ref: record.id.slice(0, 8) };
  const choose = (options: TaskEvent[]): TaskEvent => options[pick % options.length] ?? crash;
  switch (effect.type) {
    case 'check_picture':
      return choose([{ type: 'picture_checked' }, { type: 'picture_refused', problem: { kind: 'picture_gif' } }, crash]);
    case 'take_turn':
      return choose([{ type: 'turn_taken' }, { type: 'turn_not_yet', position: 2, paused: pick % 2 === 0, at }]);
    case 'submit':
      return choose([
        { type: 'submitted', providerTaskId: `provider-${pick}`, at },
        { type: 'submit_refused', failure: { kind: 'provider_unavailable' } },
        { type: 'submit_unknown' },
        { type: 'picture_missing' },
        crash,
      ]);
    case 'poll':
      return choose([
        { type: 'progressed', status: 'processing', progressPercent: pick, etaSeconds: pick, at },
        { type: 'progressed', status: 'queued', at },
        // A link living an hour, as the provider documents, and a short-lived one that goes stale between
        // two tries of a download or a delivery.
        { type: 'generation_succeeded', video: { url: 'https://cdn.example/v.mp4', ttlSeconds: 3_600 }, at },
        { type: 'generation_succeeded', video: { url: 'https://cdn.example/v.mp4', ttlSeconds: 60 }, at },
        { type: 'generation_succeeded', at },
        { type: 'generation_failed', reason: 'no' },
        { type: 'poll_refused', failure: { kind: 'provider_rejected' } },
        { type: 'polling_paused' },
        { type: 'step_failed', giveUp: { kind: 'provider_unavailable' }, retryAfterMs: pick * 100 },
        crash,
      ]);
    case 'download_video':
      return choose([
        { type: 'video_downloaded', download: { kind: 'file', file: { path: '/tmp/animate-test/v.mp4', sizeBytes: 3 } }, at },
        { type: 'step_failed', giveUp: { kind: 'video_lost' } },
        { type: 'step_failed', giveUp: { kind: 'video_lost' }, permanent: true },
        crash,
      ]);
    case 'deliver':
      return choose([
        { type: 'delivered', outcome: 'delivered' },
        { type: 'delivered', outcome: 'undeliverable' },
        { type: 'delivery_failed' },
        { type: 'delivery_failed' },
      ]);
    case 'settle':
      // The store failing while settling: the runner reports it as a crash.
      return pick === 0 ? crash : undefined;
    default:
      return undefined;
  }
}
