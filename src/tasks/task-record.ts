/**
 * The task record: everything needed to finish one /animate request after a restart. Stored records outlive
 * code versions, so each carries a version and is checked with zod on read (migrate here when it changes).
 */
import { z } from 'zod';

export const TASK_STATES = [
  'received',
  'checking',
  'waiting',
  'submitting',
  'submit_unknown',
  'queued',
  'processing',
  'downloading',
  'delivering',
  'delivered',
  'failed',
  'undelivered',
] as const;
export type TaskState = (typeof TASK_STATES)[number];

export const FINAL_STATES: ReadonlySet<TaskState> = new Set(['delivered', 'failed', 'undelivered']);
export const isFinal = (state: TaskState): boolean => FINAL_STATES.has(state);

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

const snowflake = z.string().regex(/^\d{1,20}$/);

export const taskRecordSchema = z.object({
  version: z.literal(1),
  id: z.string().min(1),
  state: z.enum(TASK_STATES),
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
  /** Consecutive failed polls or downloads; drives the back-off. */
  retries: z.number().int().nonnegative().default(0),
  /** Set when the task has failed; kept while the member is being told, so a restart tells them again. */
  failure: z.object({ kind: z.string(), message: z.string(), refundedUnits: z.number().int().nonnegative().optional() }).optional(),
  /** Fingerprint of what the member's reply shows now, so it is edited only when that changes. */
  shown: z.string().optional(),
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type TaskRecord = z.infer<typeof taskRecordSchema>;
