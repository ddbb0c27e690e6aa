/** What the member is shown at the end of a task, worked out from its record (pure). */
import { isPictureProblem } from '../outcomes.ts';
import type { VideoDownload } from '../video-api/download-video.ts';
import type { FinalView } from './reply-port.ts';
import type { FailedTaskRecord, TaskRecord } from './task-record.ts';

/** How long a link stays on offer when the provider gave no expiry for it. */
export const LINK_ASSUMED_LIFETIME_MS = 60 * 60_000;

/** A refused picture is answered privately; every other failure replaces the public reply. */
export function failureView(record: FailedTaskRecord): FinalView {
  const { failure, refundedUnits } = record;
  return isPictureProblem(failure) ? { kind: 'image_refused', failure, refundedUnits } : { kind: 'failed', failure, refundedUnits };
}

/** The answer for a downloaded video: the file, or its link when it is over the upload limit. */
export function videoView(record: TaskRecord, download: VideoDownload, at: number): FinalView {
  const provider = record.provider;
  const url = provider?.videoUrl ?? '';
  const limitBytes = record.interaction.attachmentSizeLimit;
  const expiresAt = provider?.videoUrlExpiresAt;
  if (download.kind === 'file') {
    return {
      kind: 'video',
      video: download.file,
      filename: `animate-${record.id.slice(0, 8)}.mp4`,
      ...(expiresAt !== undefined ? { link: { url, expiresAt, limitBytes } } : {}),
    };
  }
  return {
    kind: 'video_link',
    url,
    expiresAt: expiresAt ?? at + LINK_ASSUMED_LIFETIME_MS,
    limitBytes,
    ...(download.sizeBytes !== undefined ? { sizeBytes: download.sizeBytes } : {}),
  };
}
