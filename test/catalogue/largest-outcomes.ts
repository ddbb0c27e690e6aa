/**
 * Every outcome the catalogue words, each kind at least once, carrying the largest data it can: the
 * longest prompt and provider reason, 20-digit ids, the most channels, roles and members a server may set.
 * The mapped types make a new kind fail to compile here until it has a sample.
 */
import type { AdminAnswer, SettingChange } from '../../src/catalogue/render-admin.ts';
import type { OptionProblem } from '../../src/catalogue/render-reply.ts';
import type { CancelOutcome } from '../../src/tasks/task-tracker.ts';
import type { PictureProblem, TaskFailure, TaskFailureKind } from '../../src/outcomes.ts';
import type { MemberStanding, QuotaRefusal } from '../../src/quota/quota-service.ts';
import type { EffectiveQuota, Limit } from '../../src/quota/quota-settings.ts';
import type { ReplyView } from '../../src/tasks/reply-port.ts';
import type { ResendOutcome, ResendRefusal } from '../../src/animation/resend-video.ts';
import type { RetryRefusal } from '../../src/animation/retry-animation.ts';
import type { TaskRecord, TaskState } from '../../src/tasks/task-record.ts';
import { makeTaskRecord } from '../support/task-fixtures.ts';

/** The longest snowflake Discord can send. */
export const ID = '18446744073709551615';
const ids = (count: number) => Array.from({ length: count }, (_, i) => `${10_000_000_000_000_000_000n + BigInt(i)}`);
const BIG = Number.MAX_SAFE_INTEGER;
const LATE = 8_640_000_000_000_000; // the last millisecond a Date can hold

/** A 2500-character prompt (the option's maximum) made of everything that escaping or defusing lengthens. */
export const PROMPT = '**@everyone** <@123456789012345678> <#1> _~`|>\\ @here <@&99> '.repeat(60).slice(0, 2500);
/** A provider's 2000-character reason (the record's maximum), with untidy whitespace. */
export const REASON = 'The image violates the content policy:\n\n\t  '.concat('because '.repeat(300)).slice(0, 2000);

type ByKind<U extends { kind: string }> = { [K in U['kind']]: readonly Extract<U, { kind: K }>[] };

export const FAILURES: ByKind<TaskFailure> = {
  picture_not_an_image: [{ kind: 'picture_not_an_image' }],
  picture_gif: [{ kind: 'picture_gif' }],
  picture_webp: [{ kind: 'picture_webp' }],
  picture_heic: [{ kind: 'picture_heic' }],
  picture_damaged: [
    { kind: 'picture_damaged', format: 'PNG' },
    { kind: 'picture_damaged', format: 'JPEG' },
    { kind: 'picture_damaged', format: 'WebP' },
    { kind: 'picture_damaged', format: 'AVIF' },
  ],
  picture_too_small: [{ kind: 'picture_too_small', width: BIG, height: BIG, minWidth: BIG, minHeight: BIG }],
  picture_too_many_pixels: [{ kind: 'picture_too_many_pixels', maxPixels: BIG }],
  picture_too_large: [{ kind: 'picture_too_large', maxBytes: BIG }],
  picture_unusable: [{ kind: 'picture_unusable' }],
  picture_unavailable: [{ kind: 'picture_unavailable' }],
  picture_not_on_discord: [{ kind: 'picture_not_on_discord' }],
  provider_rejected: [
    { kind: 'provider_rejected' },
    { kind: 'provider_rejected', reason: REASON },
    { kind: 'provider_rejected', reason: ' \n ' },
  ],
  generation_failed: [{ kind: 'generation_failed' }, { kind: 'generation_failed', reason: REASON }],
  generation_timed_out: [{ kind: 'generation_timed_out' }],
  video_lost: [{ kind: 'video_lost' }],
  provider_misconfigured: [{ kind: 'provider_misconfigured' }],
  provider_out_of_credit: [{ kind: 'provider_out_of_credit' }],
  provider_unavailable: [{ kind: 'provider_unavailable' }],
  submit_unknown: [{ kind: 'submit_unknown' }],
  cancelled: [{ kind: 'cancelled' }],
  internal: [{ kind: 'internal', ref: 'x'.repeat(64) }],
};
export const allFailures: TaskFailure[] = Object.values(FAILURES).flat();
const isPicture = (f: TaskFailure): f is PictureProblem => f.kind.startsWith('picture_');
export const FAILURE_KINDS = Object.keys(FAILURES) as TaskFailureKind[];

const link = { url: `https://cdn.example/${'v'.repeat(1000)}.mp4`, expiresAt: LATE, limitBytes: BIG };

export const VIEWS: ByKind<ReplyView> = {
  checking: [{ kind: 'checking' }],
  waiting: [{ kind: 'waiting' }],
  waiting_turn: [
    { kind: 'waiting_turn', position: BIG, paused: false },
    { kind: 'waiting_turn', position: 1, paused: true },
  ],
  generating: [
    { kind: 'generating' },
    { kind: 'generating', progressPercent: 99.99 },
    { kind: 'generating', etaAt: LATE },
    { kind: 'generating', progressPercent: 100, etaAt: LATE },
  ],
  delivering: [{ kind: 'delivering' }],
  still_working: [{ kind: 'still_working' }],
  video: [{ kind: 'video', video: { path: '/tmp/a.mp4', sizeBytes: 0 }, filename: 'a.mp4', link }],
  video_link: [
    { kind: 'video_link', ...link, sizeBytes: BIG },
    { kind: 'video_link', ...link },
    { kind: 'video_link', ...link, cannotAttach: true },
  ],
  failed: allFailures.flatMap((failure) => [
    { kind: 'failed' as const, failure, refundedUnits: BIG },
    { kind: 'failed' as const, failure },
  ]),
  image_refused: allFailures.filter(isPicture).map((failure) => ({ kind: 'image_refused' as const, failure, refundedUnits: BIG })),
};

const roles = [{ kind: 'member' }, { kind: 'role', roleId: ID }, { kind: 'server' }] as const;

export const REFUSALS: ByKind<QuotaRefusal> = {
  channel: [
    { kind: 'channel', allowedChannels: ids(25) },
    { kind: 'channel', allowedChannels: ids(1000) },
  ],
  paused: [{ kind: 'paused', until: LATE }],
  blocked: roles.map((rule) => ({ kind: 'blocked' as const, rule })),
  member_units: roles.flatMap((rule) => [
    { kind: 'member_units' as const, left: BIG, needed: BIG, renewsAt: LATE, rule },
    { kind: 'member_units' as const, left: 0, needed: 2, renewsAt: LATE, rule },
  ]),
  server_units: [{ kind: 'server_units', renewsAt: LATE }],
  global_units: [{ kind: 'global_units', renewsAt: LATE }],
  server_ceiling: [{ kind: 'server_ceiling', units: BIG, renewsAt: LATE }],
  active_limit: [
    { kind: 'active_limit', running: BIG, waiting: BIG },
    { kind: 'active_limit', running: null, waiting: null },
  ],
};
export const allRefusals: QuotaRefusal[] = Object.values(REFUSALS).flat();

const period = { kind: 'month', id: 'month:2026-11', start: 0, end: LATE } as const;

export const STANDINGS: MemberStanding[] = roles.flatMap((rule) => [
  { allowance: BIG, rule, used: BIG, granted: BIG, left: BIG, period },
  { allowance: 3, rule, used: 1, granted: 0, left: 2, period },
  { allowance: null, rule, used: BIG, granted: 0, left: null, period },
]);

const manyLimits = (count: number, limit: Limit): Record<string, Limit> => Object.fromEntries(ids(count).map((id) => [id, limit]));

const quota: EffectiveQuota = {
  period: 'week',
  memberDefault: BIG,
  serverUnits: BIG,
  memberRunning: BIG,
  memberWaiting: null,
  serverRunning: BIG,
  roleUnits: manyLimits(250, BIG),
  memberUnits: manyLimits(1000, null),
  allowedChannels: ids(1000),
};

const CHANGES: { [S in SettingChange['setting']]: SettingChange & { setting: S } } = {
  member_default: { setting: 'member_default', before: BIG, after: null, period: 'month' },
  server_budget: { setting: 'server_budget', before: null, after: BIG, period: 'month' },
  period: { setting: 'period', before: 'month', after: 'week' },
  period_unchanged: { setting: 'period_unchanged', period: 'month' },
  member_running: { setting: 'member_running', before: BIG, after: null },
  member_waiting: { setting: 'member_waiting', before: null, after: BIG },
  server_running: { setting: 'server_running', before: BIG, after: BIG },
};

export const ADMIN_ANSWERS: ByKind<AdminAnswer> = {
  unknown_subcommand: [{ kind: 'unknown_subcommand' }],
  conflict: (['units_unlimited', 'running_unlimited', 'waiting_unlimited'] as const).map((options) => ({
    kind: 'conflict' as const,
    options,
  })),
  last_channel: [{ kind: 'last_channel', channelId: '18446744073709551615' }],
  missing: (['units', 'units_or_period', 'units_or_clear', 'limits', 'channel'] as const).map((needs) => ({
    kind: 'missing' as const,
    needs,
  })),
  settings_changed: [
    { kind: 'settings_changed', changes: Object.values(CHANGES) },
    ...(['day', 'week', 'month'] as const).map((after) => ({
      kind: 'settings_changed' as const,
      changes: [{ setting: 'period' as const, before: 'day' as const, after }],
    })),
  ],
  allowance_set: (['role', 'member'] as const).flatMap((target) => [
    { kind: 'allowance_set' as const, target, id: ID, before: undefined, after: BIG, period: 'month' as const },
    { kind: 'allowance_set' as const, target, id: ID, before: null, after: null, period: 'day' as const },
  ]),
  allowance_cleared: (['role', 'member'] as const).flatMap((target) => [
    { kind: 'allowance_cleared' as const, target, id: ID, before: BIG },
    { kind: 'allowance_cleared' as const, target, id: ID, before: undefined },
  ]),
  channels_changed: [
    { kind: 'channels_changed', change: { action: 'clear' }, allowed: [] },
    { kind: 'channels_changed', change: { action: 'add', channelId: ID }, allowed: ids(1000) },
    { kind: 'channels_changed', change: { action: 'remove', channelId: ID }, allowed: ids(25) },
    { kind: 'channels_changed', change: { action: 'remove', channelId: ID }, allowed: [] },
  ],
  granted: [
    { kind: 'granted', userId: ID, units: BIG, period, left: BIG },
    { kind: 'granted', userId: ID, units: 1, period, left: null },
  ],
  reset: [
    { kind: 'reset', userId: ID, units: BIG },
    { kind: 'reset', userId: ID, units: 0 },
  ],
  usage: [
    {
      kind: 'usage',
      usage: { period, used: BIG, budget: BIG, topMembers: ids(10).map((userId) => ({ userId, used: BIG })) },
      quota,
      running: ids(500),
      waiting: ids(500),
    },
    {
      kind: 'usage',
      usage: { period, used: 0, budget: null, topMembers: [] },
      quota: { ...quota, roleUnits: {}, memberUnits: {}, allowedChannels: [] },
      running: [],
      waiting: [],
    },
  ],
};
export const allAdminAnswers: AdminAnswer[] = Object.values(ADMIN_ANSWERS).flat();

export const CANCEL_OUTCOMES: readonly CancelOutcome[] = ['cancelled', 'not_found', 'not_allowed', 'started', 'finished'];

export const OPTION_PROBLEMS: { [F in OptionProblem['field']]: Extract<OptionProblem, { field: F }> } = {
  prompt: { field: 'prompt', max: BIG },
  negative_prompt: { field: 'negative_prompt', max: BIG },
  server: { field: 'server' },
  image: { field: 'image' },
  options: { field: 'options' },
};

/** A generation in /animate-history: the longest prompt, the latest time, every state and every kind of failure. */
const historyRecord = (state: TaskState, failure?: TaskFailure): TaskRecord =>
  makeTaskRecord({
    id: `${ID}-${state}`,
    state,
    options: { prompt: PROMPT, duration: '10', cfgScale: 1, negativePrompt: PROMPT },
    createdAt: LATE,
    provider: { taskId: 'p'.repeat(200), submittedAt: LATE },
    ...(failure ? { failure, refundedUnits: BIG } : {}),
  });

export const HISTORY_RECORDS: Record<TaskState, readonly TaskRecord[]> = {
  received: [historyRecord('received')],
  checking: [historyRecord('checking')],
  waiting: [historyRecord('waiting')],
  submitting: [historyRecord('submitting')],
  queued: [historyRecord('queued')],
  processing: [historyRecord('processing')],
  downloading: [historyRecord('downloading')],
  delivering: [historyRecord('delivering')],
  failing: allFailures.map((failure) => historyRecord('failing', failure)),
  failed: allFailures.map((failure) => historyRecord('failed', failure)),
  delivered: [historyRecord('delivered')],
  undelivered: [historyRecord('undelivered')],
};
export const allHistoryRecords: TaskRecord[] = Object.values(HISTORY_RECORDS).flat();

const RESEND_REFUSALS: { [R in ResendRefusal]: R } = {
  not_found: 'not_found',
  not_allowed: 'not_allowed',
  not_made: 'not_made',
  gone: 'gone',
  unavailable: 'unavailable',
  deleted: 'deleted',
};
export const RESEND_OUTCOMES: readonly ResendOutcome[] = [
  { kind: 'found', view: { kind: 'video', video: { path: '/tmp/a.mp4', sizeBytes: 0 }, filename: 'a.mp4' }, prompt: PROMPT },
  { kind: 'found', view: { kind: 'video_link', ...link, sizeBytes: BIG }, prompt: PROMPT },
  { kind: 'found', view: { kind: 'video_link', ...link }, prompt: PROMPT },
  ...Object.values(RESEND_REFUSALS).map((why) => ({ kind: 'not_sent' as const, why })),
];

const RETRY_REFUSAL_KINDS: { [R in RetryRefusal]: R } = {
  not_found: 'not_found',
  not_allowed: 'not_allowed',
  not_retryable: 'not_retryable',
  already_retried: 'already_retried',
};
export const RETRY_REFUSALS: readonly RetryRefusal[] = Object.values(RETRY_REFUSAL_KINDS);
