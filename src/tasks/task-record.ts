/**
 * The task record: everything needed to finish one request after a restart. Stored records outlive code
 * versions, so each carries a version and is checked with zod on read; older versions are migrated here.
 * Records keep outcomes as data (src/outcomes.ts), never sentences, and the member's locale, so a message
 * rendered later (after a restart, or posted in the channel) is in today's words and the member's language.
 */
import { z } from 'zod';
import { PICTURE_FORMAT_NAMES, type TaskFailure } from '../outcomes.ts';

export const OPEN_STATES = [
  'received',
  'checking',
  'waiting',
  'submitting',
  'queued',
  'processing',
  'downloading',
  'delivering',
  /** Failed, and the member has not been told yet: a restart tells them (and refunds) again. */
  'failing',
] as const;
export const FINAL_STATES = ['delivered', 'failed', 'undelivered'] as const;
export const TASK_STATES = [...OPEN_STATES, ...FINAL_STATES] as const;
export type TaskState = (typeof TASK_STATES)[number];
export type FinalState = (typeof FINAL_STATES)[number];

const finalStates: ReadonlySet<TaskState> = new Set(FINAL_STATES);
export const isFinal = (state: TaskState): state is FinalState => finalStates.has(state);

export const videoDurationSchema = z.enum(['5', '10']);
export type VideoDuration = z.infer<typeof videoDurationSchema>;

export const animateOptionsSchema = z.object({
  prompt: z.string().min(1).max(2500),
  negativePrompt: z.string().min(1).max(2500).optional(),
  duration: videoDurationSchema,
  cfgScale: z.number().min(0).max(1),
});
export type AnimateOptions = z.infer<typeof animateOptionsSchema>;

/** 5 s costs one unit, 10 s two: the provider charges by length. */
export function unitsFor(duration: VideoDuration): number {
  return duration === '10' ? 2 : 1;
}

/** The locale a record without one (version 1) is told in. */
export const DEFAULT_LOCALE = 'en-US';

const snowflake = z.string().regex(/^\d{1,20}$/);
const reason = z.string().max(2000).optional();

export const taskFailureSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('picture_not_an_image') }),
  z.object({ kind: z.literal('picture_gif') }),
  z.object({ kind: z.literal('picture_webp') }),
  z.object({ kind: z.literal('picture_heic') }),
  z.object({ kind: z.literal('picture_damaged'), format: z.enum(PICTURE_FORMAT_NAMES) }),
  z.object({
    kind: z.literal('picture_too_small'),
    width: z.number(),
    height: z.number(),
    minWidth: z.number(),
    minHeight: z.number(),
  }),
  z.object({ kind: z.literal('picture_too_many_pixels'), maxPixels: z.number() }),
  z.object({ kind: z.literal('picture_too_large'), maxBytes: z.number() }),
  z.object({ kind: z.literal('picture_unusable') }),
  z.object({ kind: z.literal('picture_unavailable') }),
  z.object({ kind: z.literal('picture_not_on_discord') }),
  z.object({ kind: z.literal('provider_rejected'), reason }),
  z.object({ kind: z.literal('generation_failed'), reason }),
  z.object({ kind: z.literal('generation_timed_out') }),
  z.object({ kind: z.literal('video_lost') }),
  z.object({ kind: z.literal('provider_misconfigured') }),
  z.object({ kind: z.literal('provider_out_of_credit') }),
  z.object({ kind: z.literal('provider_unavailable') }),
  z.object({ kind: z.literal('submit_unknown') }),
  z.object({ kind: z.literal('cancelled') }),
  z.object({ kind: z.literal('internal'), ref: z.string() }),
]) satisfies z.ZodType<TaskFailure>;

const commonFields = {
  /** The shape of the record (migrated on read), not how often it was written: that is `revision`. */
  version: z.literal(2),
  /**
   * How many times the record was written: every write compares and sets on it, so a process that stalled
   * or lost its lease can never write over what another driver stored since (task-store.ts `put`). Absent on
   * records written before it existed, which count as revision 0.
   */
  revision: z.number().int().nonnegative().optional(),
  id: z.string().min(1),
  /** The member's Discord locale (e.g. `en-US`, `ja`): every later message is rendered in it. */
  locale: z.string().min(2).max(10),
  /** Where the request came from and how to answer it. */
  requester: z.object({
    userId: snowflake,
    guildId: snowflake,
    channelId: snowflake,
  }),
  interaction: z.object({
    id: snowflake,
    applicationId: snowflake,
    /** Lets the bot edit the reply for 15 minutes; a credential, never logged. */
    token: z.string().min(1),
    createdAt: z.number(),
    /** Upload limit Discord gave with the interaction (boosted servers allow more than 10 MiB). */
    attachmentSizeLimit: z.number().int().positive(),
  }),
  options: animateOptionsSchema,
  image: z.object({
    url: z.string(),
    filename: z.string(),
    reportedSize: z.number().int().nonnegative().optional(),
    /**
     * A Re-roll, Remix or 10 s version: the id of the task whose kept picture (the prepared bytes) to use
     * instead of downloading `url` again, which is only tried when that picture is gone.
     */
    keptFrom: z.string().min(1).optional(),
  }),
  provider: z
    .object({
      taskId: z.string().min(1),
      submittedAt: z.number(),
      progressPercent: z.number().optional(),
      etaAt: z.number().optional(),
      videoUrl: z.string().optional(),
      videoUrlExpiresAt: z.number().optional(),
    })
    .optional(),
  /**
   * The message a late delivery posted (in the channel, or as a direct message), stored as soon as Discord
   * answers: a task that has one is never posted again, whatever happens next.
   */
  delivery: z.object({ channelId: snowflake, messageId: snowflake }).optional(),
  /** Consecutive failed polls, downloads or deliveries; drives the back-off. */
  retries: z.number().int().nonnegative().default(0),
  /** Fingerprint of what the member's reply shows now, so it is edited only when that changes. */
  shown: z.string().optional(),
  createdAt: z.number(),
  updatedAt: z.number(),
};

const failedStates = ['failing', 'failed'] as const;
const otherStates = TASK_STATES.filter((s): s is Exclude<TaskState, (typeof failedStates)[number]> => s !== 'failing' && s !== 'failed');

const taskRecordV2Schema = z.discriminatedUnion('state', [
  z.object({ ...commonFields, state: z.enum(otherStates) }),
  z.object({
    ...commonFields,
    state: z.enum(failedStates),
    failure: taskFailureSchema,
    /** Units given back to the member for it (the member's message says so). */
    refundedUnits: z.number().int().nonnegative(),
  }),
]);

export type TaskRecord = z.infer<typeof taskRecordV2Schema>;
export type FailedTaskRecord = Extract<TaskRecord, { state: 'failing' | 'failed' }>;
/** The fields every record has, whatever its state. */
export type TaskCommon = Omit<TaskRecord, 'state' | 'failure' | 'refundedUnits'>;

/** Reads a stored record of any version, as the current version. */
export const taskRecordSchema = z.preprocess(migrateToCurrent, taskRecordV2Schema);

/**
 * Whether the provider may have charged for this task: it was submitted, or its submission may have
 * reached the provider. The operator's spend is given back only when this is false.
 */
export function providerMayHaveCharged(record: TaskRecord): boolean {
  return record.provider !== undefined || ('failure' in record && record.failure.kind === 'submit_unknown');
}

/** The fields shared by every state, without the state's own. */
export function commonOf(record: TaskRecord): TaskCommon {
  const { state: _state, ...rest } = record;
  if ('failure' in rest) {
    const { failure: _failure, refundedUnits: _refunded, ...common } = rest;
    return common;
  }
  return rest;
}

// --- version 1 ----------------------------------------------------------------------------------------
// Version 1 kept a `failure` of any state, with the member's words in it, and a `submit_unknown` state.

interface V1Failure {
  kind?: unknown;
  message?: unknown;
  refundedUnits?: unknown;
}

function migrateToCurrent(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null || (raw as { version?: unknown }).version !== 1) return raw;
  const v1 = raw as Record<string, unknown> & { id?: unknown; state?: unknown; failure?: V1Failure; options?: { duration?: unknown } };
  const { failure, ...rest } = v1;
  const units = v1.options?.duration === '10' ? 2 : 1;
  const base = { ...rest, version: 2, locale: DEFAULT_LOCALE };
  const ref = typeof v1.id === 'string' ? v1.id.slice(0, 8) : 'unknown';
  if (v1.state === 'submit_unknown') {
    return { ...base, state: 'failing', failure: { kind: 'submit_unknown' }, refundedUnits: units };
  }
  if (failure === undefined && v1.state !== 'failed') return base;
  const refundedUnits = typeof failure?.refundedUnits === 'number' ? failure.refundedUnits : units;
  return {
    ...base,
    state: v1.state === 'failed' ? 'failed' : 'failing',
    failure: v1Failure(failure, ref),
    refundedUnits,
  };
}

/** Maps version 1's kind (and, where the kind was shared, its words) onto today's outcomes. */
function v1Failure(failure: V1Failure | undefined, ref: string): TaskFailure {
  const message = typeof failure?.message === 'string' ? failure.message : '';
  const after = (prefix: string) => (message.startsWith(prefix) ? message.slice(prefix.length).trim() || undefined : undefined);
  switch (failure?.kind) {
    case 'invalid_image':
      return { kind: 'picture_unusable' };
    case 'image_unavailable':
      return { kind: 'picture_unavailable' };
    case 'provider_rejected': {
      const generation = after('The video service could not make this video:');
      if (generation !== undefined) return { kind: 'generation_failed', reason: generation };
      const rejected = after('The provider rejected this picture or prompt:');
      return rejected !== undefined ? { kind: 'provider_rejected', reason: rejected } : { kind: 'provider_rejected' };
    }
    case 'generation_failed':
      return message.includes('took too long') ? { kind: 'generation_timed_out' } : { kind: 'video_lost' };
    case 'provider_misconfigured':
    case 'provider_out_of_credit':
    case 'provider_unavailable':
    case 'submit_unknown':
    case 'cancelled':
      return { kind: failure.kind };
    default:
      return { kind: 'internal', ref };
  }
}
