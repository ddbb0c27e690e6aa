/**
 * The provider's response shapes (docs: /work/shared/api/kling-2.5-turbo-i2v.md), parsed tolerantly: the
 * API family is served by several gateways that disagree on small things (numbers sent as strings, nulls for
 * absent fields, extra keys), and none of those should turn a finished video into an error.
 */
import { z } from 'zod';

/** A number, a numeric string, null or nothing; anything unreadable becomes undefined rather than an error. */
const lenientNumber = z
  .unknown()
  .transform((value): number | undefined => {
    if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
    if (typeof value === 'string' && value.trim() !== '') {
      const n = Number(value.trim());
      return Number.isFinite(n) ? n : undefined;
    }
    return undefined;
  })
  // Without this a missing key fails the object, since zod 4 does not treat `unknown` as optional.
  .optional();

const lenientString = z
  .unknown()
  .transform((value): string | undefined => {
    if (typeof value === 'string') return value;
    if (typeof value === 'number' && Number.isFinite(value)) return String(value);
    return undefined;
  })
  .optional();

/**
 * The provider's numbers are clamped into ranges a stored record can hold and the bot can act on: an ETA of
 * 1e306 s once became `now + Infinity`, stored as null, and a made video was lost.
 */
export const MAX_ETA_SECONDS = 24 * 60 * 60;
export const MAX_LINK_TTL_SECONDS = 7 * 24 * 60 * 60;
const clamp = (value: number, max: number) => Math.min(max, Math.max(0, value));

export const submitResponseSchema = z.object({
  // Gateways that generate numeric ids would still give us something usable as a key.
  task_id: z.union([z.string().trim().min(1), z.number().int().transform(String)]),
});
export type SubmitResponse = z.infer<typeof submitResponseSchema>;

const videoEntrySchema = z.object({
  video_url: z.string().trim().min(1),
  video_url_ttl: lenientNumber,
  video_type: lenientString,
});
export type VideoEntry = z.infer<typeof videoEntrySchema>;

export const taskResultResponseSchema = z.object({
  task: z.object({
    task_id: lenientString,
    status: z.string(),
    reason: lenientString,
    eta: lenientNumber,
    progress_percent: lenientNumber,
  }),
  // One malformed entry must not hide a good one next to it, so entries are checked one by one below.
  videos: z
    .array(z.unknown())
    .nullish()
    .transform((entries) =>
      (entries ?? []).flatMap((entry) => {
        const parsed = videoEntrySchema.safeParse(entry);
        return parsed.success ? [parsed.data] : [];
      }),
    ),
});
export type TaskResultResponse = z.infer<typeof taskResultResponseSchema>;

export type TaskStatus = 'queued' | 'processing' | 'succeeded' | 'failed' | 'unknown';

export interface TaskResult {
  status: TaskStatus;
  /** The provider's status token as sent, for logging an `unknown` one. */
  rawStatus: string;
  /** Why a task failed; absent when the provider gave no reason. */
  reason?: string;
  etaSeconds?: number;
  progressPercent?: number;
  /** The first usable video; the link is presigned and expires after `ttlSeconds`. */
  video?: { url: string; ttlSeconds?: number };
}

const STATUSES: Readonly<Record<string, TaskStatus>> = {
  TASK_STATUS_QUEUED: 'queued',
  TASK_STATUS_PROCESSING: 'processing',
  TASK_STATUS_SUCCEED: 'succeeded',
  TASK_STATUS_FAILED: 'failed',
};

/** The longest provider reason for a failed task that is kept (a 2585-character one was seen). */
export const MAX_FAILURE_REASON_CHARS = 2000;

/**
 * Turns a task-result body into a TaskResult, or undefined when it is not the documented shape at all.
 * An unrecognised status is `unknown` (not final), as the docs ask: the caller logs it and keeps polling.
 */
export function parseTaskResult(body: unknown): TaskResult | undefined {
  const parsed = taskResultResponseSchema.safeParse(body);
  if (!parsed.success) return undefined;
  const { task, videos } = parsed.data;
  const rawStatus = task.status.trim();
  const result: TaskResult = { status: STATUSES[rawStatus.toUpperCase()] ?? 'unknown', rawStatus };
  const reason = task.reason?.trim();
  // Kept on the task record (at most 2000 characters there); the catalogue shortens it further for display.
  if (reason) result.reason = reason.slice(0, MAX_FAILURE_REASON_CHARS);
  if (task.eta !== undefined) result.etaSeconds = clamp(task.eta, MAX_ETA_SECONDS);
  if (task.progress_percent !== undefined) result.progressPercent = clamp(task.progress_percent, 100);
  const video = videos[0];
  if (video) {
    result.video = { url: video.video_url };
    if (video.video_url_ttl !== undefined) result.video.ttlSeconds = clamp(video.video_url_ttl, MAX_LINK_TTL_SECONDS);
  }
  return result;
}

/** The flat error envelope `{code, reason, message, metadata}`; every field optional because a bare `{message}` is seen. */
export const errorEnvelopeSchema = z.object({
  code: lenientNumber,
  reason: lenientString,
  message: lenientString,
  metadata: z.unknown().optional(),
});

export interface ErrorEnvelope {
  code?: number;
  reason?: string;
  message?: string;
}

const MAX_PROVIDER_TEXT = 300;

/**
 * Reads an error body whatever it is: the JSON envelope, a bare `{message}`, or plain text from a proxy.
 * An HTML error page says nothing a member could use, so it yields no message.
 */
export function parseErrorBody(text: string): ErrorEnvelope {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    const plain = text.trim();
    if (plain === '' || plain.startsWith('<')) return {};
    return { message: tidy(plain) };
  }
  const parsed = errorEnvelopeSchema.safeParse(json);
  if (!parsed.success) return {};
  const out: ErrorEnvelope = {};
  if (parsed.data.code !== undefined) out.code = parsed.data.code;
  const reason = parsed.data.reason?.trim();
  if (reason) out.reason = reason;
  const message = parsed.data.message === undefined ? '' : tidy(parsed.data.message);
  if (message) out.message = message;
  return out;
}

/** Collapses whitespace and caps the length so a provider message stays readable on a phone. */
function tidy(text: string): string {
  const collapsed = text.replace(/\s+/g, ' ').trim();
  return collapsed.length > MAX_PROVIDER_TEXT ? `${collapsed.slice(0, MAX_PROVIDER_TEXT - 1)}…` : collapsed;
}
