/**
 * Acknowledgement under a burst: `size` distinct members run /animate at the same moment, and the
 * Discord stand-in times each deferral from sending INTERACTION_CREATE to receiving the callback.
 * After a burst of 1000 the same process also gives its resident memory with those tasks open.
 */
import type { DispatchedInteraction } from '../../test/support/discord-stand-in.ts';
import { withContender, type Contender, type Stores } from '../contenders.ts';
import { ACK_DEADLINE_MS, BenchStandIns } from '../stand-ins.ts';
import { percentile, sleep, waitFor } from '../stats.ts';

/** Generations outlast the measurement, so every accepted task is still open when memory is read. */
const GENERATION_MS = 30 * 60_000;
/** Time after the last submission for first polls and progress edits to pass, before memory is read. */
const SETTLE_MS = 5_000;

export interface BurstFigures {
  p50Ms: number | undefined;
  p99Ms: number | undefined;
  /** Deferrals refused with 10062 (over 3 s) or never sent. */
  misses: number;
  /**
   * With `openTasks`: VmRSS once every acknowledged command is submitted and polled, and the JS heap still in
   * use after a full garbage collection in the bot (what it holds, as opposed to what it has not given back);
   * and the bot's CPU time from the burst to that moment, per command: the work that competes with the
   * deferrals still waiting.
   */
  openTasks?: { count: number; rssBytes: number; heapInUseBytes: number | undefined; cpuMsPerCommand: number };
}

export async function measureBurst(contender: Contender, stores: Stores, size: number, openTasks: boolean): Promise<BurstFigures> {
  const standIns = await BenchStandIns.start();
  await standIns.video.setDefaultTask({ runMs: GENERATION_MS });
  try {
    // The production default interval: what a burst costs a bot as it is usually run.
    return await withContender(contender, standIns, stores, { POLL_INTERVAL_MS: '5000' }, async ({ bot }) => {
      const cpuBefore = bot.cpuMs();
      const dispatched: DispatchedInteraction[] = [];
      for (let member = 0; member < size; member++) dispatched.push(standIns.animate(member));
      // Past the deadline every late answer is a 10062; a little more lets the last ones be recorded.
      await waitFor(() => standIns.answeredCount(dispatched) === size, ACK_DEADLINE_MS + 5_000, 100);
      const acks = standIns.acknowledgements(dispatched);
      const latencies = acks.flatMap((ack) => (ack.latencyMs === undefined ? [] : [ack.latencyMs]));
      const misses = acks.filter((ack) => ack.missed).length;
      const figures: BurstFigures = { p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), misses };
      if (!openTasks) return figures;

      // Only acknowledged commands become tasks; the defer-only bot makes none and gives the floor.
      const expected = contender.bot === 'defer-only' ? 0 : size - misses;
      const submitted = async () => (await standIns.video.readings()).submissions.length;
      await waitFor(async () => (await submitted()) >= expected, 120_000, 250);
      await sleep(SETTLE_MS);
      const cpuMsPerCommand = (bot.cpuMs() - cpuBefore) / size;
      const { rssBytes } = bot.memory();
      figures.openTasks = { count: await submitted(), rssBytes, heapInUseBytes: await bot.heapInUseAfterCollection(), cpuMsPerCommand };
      return figures;
    });
  } finally {
    await standIns.close();
  }
}
