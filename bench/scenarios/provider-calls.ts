/**
 * What a delivered video costs at the provider, and how long the member waits after it is ready: a few
 * generations of different lengths, each counted by the video stand-in (submit + polls + downloads) and
 * timed from the moment the stand-in finished it to the moment Discord received the reply with the file.
 */
import { withContender, type Contender, type Stores } from '../contenders.ts';
import { BenchStandIns } from '../stand-ins.ts';
import { providerCalls } from '../video-stand-in-thread.ts';
import { percentile, sleep, waitFor } from '../stats.ts';

const TASKS = 30;
/**
 * The production default (5 s between polls, generations of 75 to 105 s) scaled down by five, so the
 * run takes half a minute: the ratio of generation time to poll interval is what decides the calls.
 */
export const POLL_INTERVAL_MS = 1_000;
const SHORTEST_MS = 15_000;
const LONGEST_MS = 21_000;

export interface ProviderFigures {
  delivered: number;
  callsPerTask: number;
  delayP50Ms: number | undefined;
  delayMaxMs: number | undefined;
}

export async function measureProviderCalls(contender: Contender, stores: Stores): Promise<ProviderFigures> {
  const standIns = await BenchStandIns.start();
  for (let i = 0; i < TASKS; i++) await standIns.video.nextTask({ runMs: SHORTEST_MS + ((LONGEST_MS - SHORTEST_MS) * i) / (TASKS - 1) });
  try {
    return await withContender(contender, standIns, stores, { POLL_INTERVAL_MS: String(POLL_INTERVAL_MS) }, async () => {
      const tokens = new Map<string, string>();
      for (let i = 0; i < TASKS; i++) tokens.set(standIns.animate(i, `bench generation ${i}`).token, `bench generation ${i}`);
      await waitFor(() => standIns.videoEdits().length >= TASKS, LONGEST_MS + 60_000, 100);
      // Requests already on their way when the last video arrived still count.
      await sleep(500);

      // The stand-in keeps tasks in submission order, and each submission carries its prompt.
      const readings = await standIns.video.readings();
      const finishedByPrompt = new Map<string, number>();
      readings.submissions.forEach((submission, index) => {
        const finishedAt = readings.timings[index]?.finishedAt;
        if (submission.prompt !== undefined && finishedAt !== undefined) finishedByPrompt.set(submission.prompt, finishedAt);
      });
      const delays = standIns.videoEdits().flatMap((edit) => {
        const token = [...tokens.keys()].find((t) => edit.path.includes(t));
        const finishedAt = token === undefined ? undefined : finishedByPrompt.get(tokens.get(token) ?? '');
        return finishedAt === undefined ? [] : [edit.at - finishedAt];
      });
      const delivered = standIns.videoEdits().length;
      return {
        delivered,
        callsPerTask: providerCalls(readings) / Math.max(1, delivered),
        delayP50Ms: percentile(delays, 50),
        delayMaxMs: percentile(delays, 100),
      };
    });
  } finally {
    await standIns.close();
  }
}
