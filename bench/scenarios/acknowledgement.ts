/**
 * Acknowledgement under a burst: `size` distinct members run /animate at the same moment, and the
 * Discord stand-in times each deferral from sending INTERACTION_CREATE to receiving the callback.
 * After a burst of 1000 the same process also gives its resident memory with those tasks open, then the
 * acknowledgements of bursts of 100 sent to it while it is busy with them.
 */
import type { DispatchedInteraction } from '../../test/support/discord-stand-in.ts';
import { withContender, type Contender, type Stores } from '../contenders.ts';
import { medianRound } from '../results.ts';
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
  /**
   * With `openTasks`, afterwards: bursts of 100 from new members to the same process, while it polls those tasks
   * and edits their progress (the defer-only bot has none, so it is the floor warmed up by the same burst). The
   * burst with the median p99 of `BUSY_BURSTS`.
   */
  busy?: AckFigures;
}

type AckFigures = Pick<BurstFigures, 'p50Ms' | 'p99Ms' | 'misses'>;

/**
 * The bursts sent to a bot with 1000 tasks open. A bot that has been up for a while with generations under way
 * is what a real burst meets; a burst on a process just started (the rounds above) does not show it.
 */
export const BUSY_BURSTS = 3;
const BUSY_BURST_SIZE = 100;
/** The pause between two of them: each then meets the bot at its tasks' work, not just done with the burst before. */
const BUSY_GAP_MS = 2_000;

export async function measureBurst(contender: Contender, stores: Stores, size: number, openTasks: boolean): Promise<BurstFigures> {
  const standIns = await BenchStandIns.start();
  await standIns.video.setDefaultTask({ runMs: GENERATION_MS });
  try {
    // The production default interval: what a burst costs a bot as it is usually run.
    return await withContender(contender, standIns, stores, { POLL_INTERVAL_MS: '5000' }, async ({ bot }) => {
      const cpuBefore = bot.cpuMs();
      const dispatched: DispatchedInteraction[] = [];
      for (let member = 0; member < size; member++) dispatched.push(standIns.animate(member));
      const figures: BurstFigures = await answered(standIns, dispatched);
      if (!openTasks) return figures;

      // Only acknowledged commands become tasks; the defer-only bot makes none and gives the floor.
      const expected = contender.bot === 'defer-only' ? 0 : size - figures.misses;
      const submitted = async () => (await standIns.video.readings()).submissions.length;
      await waitFor(async () => (await submitted()) >= expected, 120_000, 250);
      await sleep(SETTLE_MS);
      const cpuMsPerCommand = (bot.cpuMs() - cpuBefore) / size;
      const { rssBytes } = bot.memory();
      figures.openTasks = { count: await submitted(), rssBytes, heapInUseBytes: await bot.heapInUseAfterCollection(), cpuMsPerCommand };

      const busy: AckFigures[] = [];
      for (let burst = 0; burst < BUSY_BURSTS; burst++) {
        if (burst > 0) await sleep(BUSY_GAP_MS);
        // New members: each is a first request, as in the burst before.
        const first = size + burst * BUSY_BURST_SIZE;
        busy.push(
          await answered(
            standIns,
            Array.from({ length: BUSY_BURST_SIZE }, (_, i) => standIns.animate(first + i)),
          ),
        );
      }
      figures.busy = medianRound(busy);
      return figures;
    });
  } finally {
    await standIns.close();
  }
}

/** Waits for the answers to `dispatched` and gives their latencies and misses. */
async function answered(standIns: BenchStandIns, dispatched: readonly DispatchedInteraction[]): Promise<AckFigures> {
  // Past the deadline every late answer is a 10062; a little more lets the last ones be recorded.
  await waitFor(() => standIns.answeredCount(dispatched) === dispatched.length, ACK_DEADLINE_MS + 5_000, 100);
  const acks = standIns.acknowledgements(dispatched);
  const latencies = acks.flatMap((ack) => (ack.latencyMs === undefined ? [] : [ack.latencyMs]));
  return { p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), misses: acks.filter((ack) => ack.missed).length };
}
