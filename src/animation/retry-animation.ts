/**
 * "Try again" after a submission whose outcome was unknown: the member was refunded, nothing was sent twice,
 * and one press asks for the same picture and options again. It is one more front end of the one request
 * (`AnimationRequests.request`): the new task has its own id, reservation and settlement, and is refused
 * privately exactly like /animate when the member has no units left.
 */
import type { TaskRecord } from '../tasks/task-record.ts';
import type { AnimationOutcome, AnimationRequest, AnimationRequests } from './request-animation.ts';

/** Why a press of "Try again" asked for nothing. */
export type RetryRefusal =
  /** No such task in this server (never, or forgotten after 30 days). */
  | 'not_found'
  /** Someone other than the member who asked pressed it. */
  | 'not_allowed'
  /** The task did not end with an unknown submission outcome. */
  | 'not_retryable'
  /** It was tried again already (a double press asks once). */
  | 'already_retried';

export type RetryOutcome = AnimationOutcome | { kind: 'cannot_retry'; why: RetryRefusal };

/** The task store operations a retry needs. */
export interface RetryTasks {
  get(id: string): Promise<TaskRecord | undefined>;
  claimRetry(id: string, by: string): Promise<boolean>;
  releaseRetry(id: string, by: string): Promise<void>;
}

export interface RetryRequest {
  /** The task that ended with `submit_unknown`: the key the button carries. */
  taskId: string;
  /** Who pressed it, where (the new task is theirs), and their roles. */
  requester: AnimationRequest['requester'];
  locale: string;
  /** The press's own reply handle: the new generation is told there. */
  reply: AnimationRequest['reply'];
  acknowledge: () => Promise<void>;
}

/** Whether a task's final message offers "Try again". */
export function isRetryable(record: TaskRecord): boolean {
  return (record.state === 'failed' || record.state === 'failing') && record.failure.kind === 'submit_unknown';
}

export async function retryAnimation(
  deps: { tasks: RetryTasks; animations: Pick<AnimationRequests, 'request'> },
  request: RetryRequest,
): Promise<RetryOutcome> {
  const original = await deps.tasks.get(request.taskId);
  if (original?.requester.guildId !== request.requester.guildId) return { kind: 'cannot_retry', why: 'not_found' };
  if (original.requester.userId !== request.requester.userId) return { kind: 'cannot_retry', why: 'not_allowed' };
  if (!isRetryable(original)) return { kind: 'cannot_retry', why: 'not_retryable' };
  // The press's interaction id is unique, so a second press (even a simultaneous one) cannot take it too.
  const claim = request.reply.id;
  if (!(await deps.tasks.claimRetry(original.id, claim))) return { kind: 'cannot_retry', why: 'already_retried' };
  let outcome: AnimationOutcome;
  try {
    outcome = await deps.animations.request({
      requester: request.requester,
      locale: request.locale,
      reply: request.reply,
      options: original.options,
      image: original.image,
      acknowledge: request.acknowledge,
    });
  } catch (error) {
    await deps.tasks.releaseRetry(original.id, claim);
    throw error;
  }
  // Refused (no units, limits): nothing was asked for, so the button still works once the member can pay.
  if (outcome.kind === 'refused') await deps.tasks.releaseRetry(original.id, claim);
  return outcome;
}
