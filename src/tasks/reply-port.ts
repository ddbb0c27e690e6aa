import type { PictureProblem, TaskFailure } from '../outcomes.ts';
import type { VideoFile } from '../videos/video-files.ts';
import type { TaskRecord } from './task-record.ts';

/** What the member's reply shows while the task runs; the chat layer words each in the record's locale. */
export type ProgressView =
  | { kind: 'checking' }
  /** Queued at the provider. */
  | { kind: 'waiting' }
  /** Waiting for one of the member's (or the server's) running generations to finish; 1 = next. */
  | { kind: 'waiting_turn'; position: number; paused: boolean }
  | { kind: 'generating'; progressPercent?: number; etaAt?: number }
  | { kind: 'delivering' }
  /**
   * Shown once, near the end of the reply's 15 minutes: the video is still being made and will be posted
   * in the channel with a mention.
   */
  | { kind: 'still_working' };

/** The task's final answer. */
export type FinalView =
  /**
   * `video`: the file on disk, uploaded from there and removed once the delivery is over.
   * `link`: where the video can be fetched meanwhile, for when a file cannot be posted.
   */
  | { kind: 'video'; video: VideoFile; filename: string; link?: { url: string; expiresAt: number; limitBytes: number } }
  /** Delivered as a link: the file is over the upload limit, or (`cannotAttach`) the bot may not attach files there. */
  | { kind: 'video_link'; url: string; expiresAt: number; sizeBytes?: number; limitBytes: number; cannotAttach?: boolean }
  | { kind: 'failed'; failure: TaskFailure; refundedUnits?: number }
  /** Answered privately: nothing public should remain of a request whose picture could not be used. */
  | { kind: 'image_refused'; failure: PictureProblem; refundedUnits?: number };

export type ReplyView = ProgressView | FinalView;

export type DeliveryOutcome = 'delivered' | 'undeliverable';

/** A message a delivery created with the bot's token (not the reply, which the interaction owns). */
export interface PostedMessage {
  channelId: string;
  messageId: string;
}

export interface Delivery {
  outcome: DeliveryOutcome;
  /** Set when the answer went out as a new message (the channel, a direct message): the record keeps it. */
  posted?: PostedMessage;
}

/** How the core talks to the member, implemented by the chat layer (Discord today). */
export interface ReplyPort {
  /** Progress on the member's reply. Best effort: a lost progress edit is not worth failing a task. */
  showProgress(task: TaskRecord, view: ProgressView): Promise<void>;
  /**
   * The final answer. Resolves 'undeliverable' when no way to reach the member is left; throws when the
   * failure may pass (rate limit, network), so the caller tries again later. A task whose record already has
   * a `delivery` is not posted again.
   */
  deliver(task: TaskRecord, view: FinalView): Promise<Delivery>;
}
