/**
 * Sends a finished video to its member again (from /animate-history). The link the provider gave at the time
 * is presigned and has long expired, so the provider is asked for the task again: its answer carries a fresh
 * link, and the video is fetched from it (or the link is given when the file is over the upload limit).
 * Nothing is generated and nothing is spent.
 */
import { UserFacingError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { FinalView } from '../tasks/reply-port.ts';
import type { TaskRecord } from '../tasks/task-record.ts';
import { LINK_ASSUMED_LIFETIME_MS } from '../tasks/task-views.ts';
import { VideoDownloadError, type VideoDownload } from '../video-api/download-video.ts';
import type { TaskResult } from '../video-api/video-api-client.ts';

/** A link's lifetime as the provider states it is trusted up to this; a larger one is not believed. */
const LINK_MAX_LIFETIME_MS = 7 * 24 * 60 * 60_000;

export type ResendRefusal =
  /** No such generation of this member in this server (never, or forgotten after 30 days). */
  | 'not_found'
  /** Someone else's generation. */
  | 'not_allowed'
  /** No video was made for it. */
  | 'not_made'
  /** The provider no longer has the video. */
  | 'gone'
  /** The provider is not answering now; later may work. */
  | 'unavailable'
  /** Removed with its Delete button (by the member or a moderator): not sent again. */
  | 'deleted';

export type ResendOutcome =
  { kind: 'found'; view: Extract<FinalView, { kind: 'video' | 'video_link' }>; prompt: string } | { kind: 'not_sent'; why: ResendRefusal };

export interface VideoResendsDeps {
  tasks: { get(id: string): Promise<TaskRecord | undefined> };
  videoApi: { getResult(taskId: string): Promise<TaskResult> };
  downloadVideo: (url: string, maxBytes: number) => Promise<VideoDownload>;
  clock: { now(): number };
  logger: Logger;
  /** Videos removed with their Delete button. Default: none. */
  deleted?: { has(taskId: string): Promise<boolean> };
}

export interface ResendRequest {
  taskId: string;
  /** Who asked, and in which server: only the member's own generations of this server are sent. */
  userId: string;
  guildId: string;
  /** The upload limit where it is sent (the interaction's); a larger video is given as a link. */
  maxBytes: number;
}

/** Whether a task made a video the provider may still hold: delivered, or made but never shown. */
export function isResendable(record: TaskRecord): boolean {
  return (record.state === 'delivered' || record.state === 'undelivered') && record.provider !== undefined;
}

export class VideoResends {
  readonly #deps: VideoResendsDeps;

  constructor(deps: VideoResendsDeps) {
    this.#deps = deps;
  }

  async resend(request: ResendRequest): Promise<ResendOutcome> {
    const record = await this.#deps.tasks.get(request.taskId);
    if (record?.requester.guildId !== request.guildId) return notSent('not_found');
    if (record.requester.userId !== request.userId) return notSent('not_allowed');
    if (!isResendable(record) || record.provider === undefined) return notSent('not_made');
    if (await this.#deps.deleted?.has(record.id)) return notSent('deleted');
    const log = this.#deps.logger.child({ taskId: record.id, providerTaskId: record.provider.taskId });

    let result: TaskResult;
    try {
      result = await this.#deps.videoApi.getResult(record.provider.taskId);
    } catch (error) {
      // A 4xx is the provider saying no (an unknown or expired task); anything else may pass.
      const gone = error instanceof UserFacingError && error.kind === 'provider_rejected';
      log.info('re-send: the provider did not give the video', { gone, error });
      return notSent(gone ? 'gone' : 'unavailable');
    }
    if (result.status !== 'succeeded' || !result.video) {
      log.info('re-send: the provider no longer has the video', { status: result.rawStatus });
      return notSent('gone');
    }

    const now = this.#deps.clock.now();
    const url = result.video.url;
    const ttlMs = result.video.ttlSeconds === undefined ? LINK_ASSUMED_LIFETIME_MS : result.video.ttlSeconds * 1000;
    const expiresAt = now + Math.min(Math.max(0, ttlMs), LINK_MAX_LIFETIME_MS);
    let download: VideoDownload;
    try {
      download = await this.#deps.downloadVideo(url, request.maxBytes);
    } catch (error) {
      // Storage that answers 4xx for a fresh link no longer holds the file.
      const status = error instanceof VideoDownloadError ? error.status : undefined;
      const gone = status !== undefined && status >= 400 && status < 500;
      log.info('re-send: the video could not be fetched', { gone, status, error });
      return notSent(gone ? 'gone' : 'unavailable');
    }
    log.info('re-sending the video', { as: download.kind });
    const prompt = record.options.prompt;
    if (download.kind === 'file') {
      return { kind: 'found', view: { kind: 'video', video: download.file, filename: `animate-${record.id.slice(0, 8)}.mp4` }, prompt };
    }
    return {
      kind: 'found',
      view: {
        kind: 'video_link',
        url,
        expiresAt,
        limitBytes: request.maxBytes,
        ...(download.sizeBytes !== undefined ? { sizeBytes: download.sizeBytes } : {}),
      },
      prompt,
    };
  }
}

function notSent(why: ResendRefusal): ResendOutcome {
  return { kind: 'not_sent', why };
}
