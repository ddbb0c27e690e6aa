/**
 * A restart with work in hand: 1000 generations running at the provider are already in the store (written
 * through TaskStore, as the bot writes them), and the bot process is started. Measured from the spawn to
 * the first poll the video stand-in receives, and to the moment every task has been polled once: all of
 * them at the same instant is a burst the provider sees after every deploy.
 */
import { randomBytes } from 'node:crypto';
import { silentLogger } from '../../src/logger.ts';
import { openStore } from '../../src/store/open-store.ts';
import { TaskStore } from '../../src/tasks/task-store.ts';
import { makeTaskRecord } from '../../test/support/task-fixtures.ts';
import { withContender, type Contender, type Stores } from '../contenders.ts';
import { BenchStandIns } from '../stand-ins.ts';
import { waitFor } from '../stats.ts';

const TASKS = 1_000;
/** Still running long after the measurement. */
const GENERATION_MS = 30 * 60_000;

export interface ResumeFigures {
  resumed: number;
  /** Spawn to the first poll. */
  firstPollMs: number | undefined;
  /** Spawn to the moment the last of the tasks had its first poll. */
  allPolledMs: number | undefined;
}

export async function measureResume(contender: Contender, stores: Stores): Promise<ResumeFigures> {
  const standIns = await BenchStandIns.start();
  const providerTaskIds = await standIns.video.createTasks(TASKS, { runMs: GENERATION_MS });
  const seed = async (storeUrl: string) => {
    const store = await openStore(storeUrl);
    const tasks = new TaskStore(store, silentLogger);
    const now = Date.now();
    for (const [i, providerTaskId] of providerTaskIds.entries()) {
      await tasks.put(
        makeTaskRecord({
          id: `bench-${i}`,
          state: 'processing',
          requester: {
            userId: String(210_000_000_000_000_000n + BigInt(i)),
            guildId: standIns.discord.guildId,
            channelId: standIns.discord.channelId,
          },
          interaction: {
            id: String(500_000_000_000_000_000n + BigInt(i)),
            applicationId: standIns.discord.applicationId,
            token: randomBytes(48).toString('base64url'),
            createdAt: now - 60_000,
            attachmentSizeLimit: 10 * 1024 * 1024,
          },
          provider: { taskId: providerTaskId, submittedAt: now - 60_000, progressPercent: 10 },
          createdAt: now - 60_000,
          updatedAt: now - 60_000,
        }),
      );
    }
    await store.close();
  };
  try {
    return await withContender(
      contender,
      standIns,
      stores,
      { POLL_INTERVAL_MS: '5000' },
      async ({ bot }) => {
        const firstPolls = new Map<string, number>();
        await waitFor(
          async () => {
            for (const poll of (await standIns.video.readings()).polls)
              if (!firstPolls.has(poll.taskId)) firstPolls.set(poll.taskId, poll.at);
            return firstPolls.size >= TASKS;
          },
          60_000,
          100,
        );
        const times = [...firstPolls.values()];
        return {
          resumed: firstPolls.size,
          firstPollMs: times.length > 0 ? Math.min(...times) - bot.startedAt : undefined,
          allPolledMs: times.length >= TASKS ? Math.max(...times) - bot.startedAt : undefined,
        };
      },
      seed,
    );
  } finally {
    await standIns.close();
  }
}
