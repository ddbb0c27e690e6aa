/**
 * Memory while large videos are delivered together: 20 generations of 25 MB finish at the same moment in
 * a server whose upload limit (100 MiB, boost level 3) lets them all be sent as files. The figure is the
 * bot process's peak resident memory (VmHWM) from start to the last delivery; a fresh process per bot, so
 * the peak is this work's.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withContender, type Contender, type Stores } from '../contenders.ts';
import { BenchStandIns } from '../stand-ins.ts';
import { waitFor } from '../stats.ts';

export const VIDEOS = 20;
export const VIDEO_BYTES = 25_000_000;
const UPLOAD_LIMIT_BYTES = 100 * 1024 * 1024;
const GENERATION_MS = 3_000;

export interface DeliveryFigures {
  delivered: number;
  /** VmRSS once connected, before any command. */
  idleRssBytes: number;
  /** VmHWM after the last delivery. */
  peakRssBytes: number;
}

/** Writes the 25 MB "video" the stand-in serves from disk (random bytes: nothing compresses it on the way). */
export function writeLargeVideo(dir: string): string {
  const path = join(dir, 'large-video.mp4');
  writeFileSync(path, randomBytes(VIDEO_BYTES));
  return path;
}

export async function measureLargeDeliveries(contender: Contender, stores: Stores, videoFile: string): Promise<DeliveryFigures> {
  const standIns = await BenchStandIns.start({ uploadLimitBytes: UPLOAD_LIMIT_BYTES });
  await standIns.video.setDefaultTask({ runMs: GENERATION_MS, outcome: { kind: 'succeed', videoFile } });
  try {
    return await withContender(contender, standIns, stores, { POLL_INTERVAL_MS: '1000' }, async ({ bot }) => {
      const idleRssBytes = bot.memory().rssBytes;
      for (let i = 0; i < VIDEOS; i++) standIns.animate(i);
      await waitFor(() => standIns.videoEdits().length >= VIDEOS, 180_000, 100);
      return { delivered: standIns.videoEdits().length, idleRssBytes, peakRssBytes: bot.memory().peakRssBytes };
    });
  } finally {
    await standIns.close();
  }
}
