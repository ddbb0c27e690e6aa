import { silentLogger } from '../../src/logger.ts';
import type { CheckedImage } from '../../src/images/check-image.ts';
import type { Delivery, ReplyPort } from '../../src/tasks/reply-port.ts';
import type { QuotaGate, TaskTrackerDeps } from '../../src/tasks/task-tracker.ts';

/** A quota that starts every task, settles every one and never pauses: for tests that are not about the quota. */
export const openQuota: QuotaGate = {
  tryStart: async () => true,
  settle: async () => true,
  pauseSubmissions: async () => false,
  pausedUntil: async () => undefined,
};

/** Replies that show nothing and deliver every video: for tests that are not about the replies. */
export const deliveringReplies: ReplyPort = {
  showProgress: async () => undefined,
  deliver: async (): Promise<Delivery> => ({ outcome: 'delivered' }),
};

/** Any picture passes as a 512x512 PNG. */
export const acceptAnyPicture = (bytes: Buffer): CheckedImage => ({
  format: 'png',
  width: 512,
  height: 512,
  bytes,
  base64: bytes.toString('base64'),
  mimeType: 'image/png',
});

/**
 * The tracker's dependencies for a test about something else: an open quota, replies that deliver, a
 * picture that passes, a small video file and no jitter. A test gives what it is about (store, provider,
 * clock, poll interval) and overrides the rest it needs.
 */
export function trackerDeps(
  deps: Pick<TaskTrackerDeps, 'store' | 'videoApi' | 'clock' | 'pollIntervalMs'> & Partial<TaskTrackerDeps>,
): TaskTrackerDeps {
  return {
    quota: openQuota,
    replies: deliveringReplies,
    logger: silentLogger,
    downloadImage: async () => Buffer.from('picture'),
    checkImage: acceptAnyPicture,
    downloadVideo: async () => ({ kind: 'file', file: { path: '/tmp/animate-test/v.mp4', sizeBytes: 3 } }),
    random: () => 0.5,
    ...deps,
  };
}

/** Lets every promise and store call started so far run to its next wait on the test's clock. */
export async function flush(rounds = 10): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setImmediate(resolve));
}
