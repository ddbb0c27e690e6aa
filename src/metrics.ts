/**
 * What the bot tells its operator about itself, as an observer the core calls: the task runner, the video
 * API client, delivery and the animation request each report what they see through one narrow interface.
 * Nothing here knows Prometheus; src/http/prometheus-metrics.ts turns these calls into metrics, and
 * `noMetrics` (the default everywhere) ignores them, so tests and a bot without HTTP_PORT pay nothing.
 */
import type { QuotaRefusal } from './quota/quota-outcomes.ts';
import type { TaskEffect, TaskEvent } from './tasks/task-events.ts';
import type { TaskRecord, TaskState } from './tasks/task-record.ts';

/** What the task runner sees. */
export interface TaskMetrics {
  /** The runner picked up a task (new, resumed after a restart, or due for its next step). */
  taskPickedUp(task: TaskRecord): void;
  /** A task's record was stored; `from` is the state it was in before, undefined for a new task. */
  taskStored(task: TaskRecord, from: TaskState | undefined): void;
  /** The runner performed an effect, which reported `event` (undefined for effects that report nothing). */
  effectPerformed(effect: TaskEffect, event: TaskEvent | undefined): void;
}

export type ProviderOperation = 'submit' | 'getResult';

/** What the video API client sees of each HTTP exchange (a retried call is several exchanges). */
export interface ProviderMetrics {
  /** `status` is the HTTP status, or `network` when no answer came back (refused, reset, timed out). */
  providerRequest(operation: ProviderOperation, status: number | 'network', durationMs: number): void;
}

/**
 * How a final answer reached the member: `edit` of their reply, `channel` (a new message mentioning them,
 * once the reply can no longer be edited), `link` (the video as a download link instead of a file, by either
 * route), `private` (an ephemeral follow-up: the picture was refused).
 */
export type DeliveryKind = 'edit' | 'channel' | 'direct' | 'link' | 'private';

export interface DeliveryMetrics {
  delivered(kind: DeliveryKind): void;
}

/** What a request for a video sees before its task exists. */
export interface AnimationMetrics {
  /** From the interaction's creation (Discord's clock, in its id) to the deferral's answer, failed or not. */
  acknowledged(latencyMs: number): void;
  quotaRefused(kind: QuotaRefusal['kind']): void;
}

export interface Metrics extends TaskMetrics, ProviderMetrics, DeliveryMetrics, AnimationMetrics {}

const ignore = (): void => undefined;

export const noMetrics: Metrics = Object.freeze({
  taskPickedUp: ignore,
  taskStored: ignore,
  effectPerformed: ignore,
  providerRequest: ignore,
  delivered: ignore,
  acknowledged: ignore,
  quotaRefused: ignore,
});

/**
 * Performs one provider exchange and reports its status (`network` when it threw) and duration, so the
 * client's request loop stays as it is but for one call.
 */
export async function observeProviderRequest<T extends { status: number }>(
  metrics: ProviderMetrics,
  operation: ProviderOperation,
  now: () => number,
  send: () => Promise<T>,
): Promise<T> {
  const startedAt = now();
  try {
    const answer = await send();
    metrics.providerRequest(operation, answer.status, now() - startedAt);
    return answer;
  } catch (error) {
    metrics.providerRequest(operation, 'network', now() - startedAt);
    throw error;
  }
}
