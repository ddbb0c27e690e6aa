/**
 * The buttons under a delivered video that ask for another one: Re-roll (same picture, same options), Remix
 * (the prompts edited in a form) and 10 s version. Any member may press them on any video; the presser is the
 * requester of the new generation, so they pay from their own quota, own the new video, and are refused
 * privately exactly like /animate. Each is one more front end of the one request (`AnimationRequests.request`).
 */
import type { AnimateOptions, TaskRecord } from '../tasks/task-record.ts';
import type { AnimationOutcome, AnimationRequest, AnimationRequests } from './request-animation.ts';

/** Why a press asked for nothing. */
export type RerollRefusal =
  /** No such video in this server (never, or its record was forgotten after 30 days). */
  | 'not_found'
  /** Its picture is no longer kept (IMAGE_RETENTION_HOURS passed, or the video was deleted). */
  | 'expired';

export type RerollOutcome = AnimationOutcome | { kind: 'cannot_reroll'; why: RerollRefusal };

export interface RerollDeps {
  tasks: { get(id: string): Promise<TaskRecord | undefined> };
  pictures: { isKept(taskId: string): Promise<boolean> };
  animations: Pick<AnimationRequests, 'request'>;
}

/** The video a button is under, when it can still be made again: its record, its picture kept. */
export async function rerollableVideo(
  deps: Pick<RerollDeps, 'tasks' | 'pictures'>,
  taskId: string,
  guildId: string,
): Promise<{ video: TaskRecord } | { why: RerollRefusal }> {
  const video = await deps.tasks.get(taskId);
  if (video?.requester.guildId !== guildId) return { why: 'not_found' };
  if (!(await deps.pictures.isKept(video.id))) return { why: 'expired' };
  return { video };
}

export interface RerollRequest {
  /** The video whose button was pressed: the key its custom_id carries. */
  taskId: string;
  /** Who pressed it, where: the new video is theirs, and so is the bill. */
  requester: AnimationRequest['requester'];
  locale: string;
  reply: AnimationRequest['reply'];
  acknowledge: () => Promise<void>;
  /** What changes from the video's options: nothing (Re-roll), the prompts (Remix), the length (10 s version). */
  change?: (options: AnimateOptions) => AnimateOptions;
}

export async function rerollAnimation(deps: RerollDeps, request: RerollRequest): Promise<RerollOutcome> {
  const found = await rerollableVideo(deps, request.taskId, request.requester.guildId);
  if ('why' in found) return { kind: 'cannot_reroll', why: found.why };
  const { video } = found;
  return deps.animations.request({
    requester: request.requester,
    locale: request.locale,
    reply: request.reply,
    options: request.change ? request.change(video.options) : video.options,
    // The kept bytes, not the original link (Discord's attachment links expire): see TaskSteps.checkPicture.
    image: { url: video.image.url, filename: video.image.filename, keptFrom: video.id },
    acknowledge: request.acknowledge,
  });
}
