/**
 * Stopping the bot the way supervisors do: `npm start` for real, and a signal sent to npm alone (Docker and
 * most supervisors signal PID 1 only), or to npm's whole process group (Ctrl-C in a terminal).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { openStore } from '../../src/store/open-store.ts';
import { TaskStore } from '../../src/tasks/task-store.ts';
import { BotHarness } from '../support/bot-harness.ts';
import { BotProcess, isRunning } from '../support/bot-process.ts';
import type { RecordedRequest } from '../support/discord-stand-in.ts';
import { animateUntilPolled, dispatchAnimate, videoAfterRestart } from '../support/e2e-requests.ts';
import { makePng } from '../support/image-fixtures.ts';

async function until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}

/** The bot's log lines (JSON), without npm's own banner. */
function logLines(output: string): { msg: string; level: string; [key: string]: unknown }[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { msg: string; level: string });
}

describe('npm start, stopped by a signal', () => {
  let h: BotHarness;
  const processes: BotProcess[] = [];

  beforeEach(async () => {
    h = await BotHarness.start();
  });

  afterEach(async () => {
    await Promise.all(processes.splice(0).map((p) => p.dispose()));
    await h.stop();
  });

  /** `npm start` with the bot connected to the stand-in, and the processes npm started. */
  async function npmStart(): Promise<{ npm: BotProcess; below: number[] }> {
    const npm = BotProcess.startNpm(h.env());
    processes.push(npm);
    const connected = await until(() => npm.stdout.includes('"connected to Discord"'), 20_000);
    expect(connected, npm.stdout + npm.stderr).toBe(true);
    const below = npm.track();
    expect(below.length).toBeGreaterThan(0);
    return { npm, below };
  }

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal} sent to npm alone stops the bot: nothing keeps running, exit 0, the last line is "stopped"`, async () => {
      const { npm, below } = await npmStart();
      process.kill(npm.child.pid ?? 0, signal);

      const gone = await until(() => below.every((pid) => !isRunning(pid)), 15_000);
      expect(gone, `still running: ${below.filter(isRunning).join(' ')}\n${npm.stdout}${npm.stderr}`).toBe(true);
      expect(await npm.exited).toEqual({ code: 0, signal: null });
      const lines = logLines(npm.stdout);
      expect(lines.find((line) => line.msg === 'stopping')).toMatchObject({ signal });
      expect(lines.at(-1)?.msg).toBe('stopped');
      expect(npm.stderr).not.toMatch(/\n\s+at /);
    });
  }

  it('Ctrl-C in a terminal (SIGINT to npm and the bot at once) is one request to stop, not two', async () => {
    const { npm, below } = await npmStart();
    // The terminal signals the whole foreground group, and npm forwards its own SIGINT to the bot as well.
    process.kill(-(npm.child.pid ?? 0), 'SIGINT');

    expect(await until(() => below.every((pid) => !isRunning(pid)), 15_000)).toBe(true);
    expect(await npm.exited).toEqual({ code: 0, signal: null });
    const lines = logLines(npm.stdout);
    expect(lines.filter((line) => line.msg === 'stopping')).toHaveLength(1);
    // A clean stop, not "second signal: exiting at once".
    expect(lines.filter((line) => /signal|stop/.test(line.msg))).toEqual([
      expect.objectContaining({ msg: 'stopping', signal: 'SIGINT' }),
      { level: 'info', time: expect.any(String) as unknown, msg: 'stopped' },
    ]);
    expect(lines.at(-1)?.msg).toBe('stopped');
  });
});

describe('the bot, stopping', () => {
  let h: BotHarness;

  beforeEach(async () => {
    h = await BotHarness.start();
  });

  afterEach(async () => {
    await h.stop();
  });

  function animate(userId: string) {
    return dispatchAnimate(h.discord, { userId, prompt: 'the tide comes in', picture: makePng(400, 400), filename: 'p.png' });
  }
  const callbackOf = (token: string) =>
    h.discord.waitForRequest((r) => r.method === 'POST' && r.path.includes(token) && r.path.endsWith('/callback'), 10_000);
  const dataOf = (r: RecordedRequest) => (r.body as { data?: { content?: string; flags?: number } }).data ?? {};

  const quiet = createLogger({ level: 'error', write: () => undefined });
  /** The open tasks as the SQLite file holds them, once the bot has closed it (it locks the file while open). */
  async function storedTasks() {
    const store = await openStore(h.env().STORE_URL ?? '');
    try {
      return await new TaskStore(store, quiet).listOpen();
    } finally {
      await store.close();
    }
  }

  it('takes no new command while stopping ("restarting", privately, nothing reserved) and lets the step in flight finish', async () => {
    const app = await h.startBot();
    h.video.nextTask({ pollsBeforeDone: 20, etaSeconds: 60 });
    // The first poll is answered slowly: it is still in flight when the bot is told to stop.
    h.video.delayPoll(2_500);
    animate('700000000000000001');
    await h.video.waitForSubmission(20_000);
    await until(() => h.video.polls.length > 0, 20_000);
    const [before] = await new TaskStore(app.store, quiet).listOpen();
    expect(before?.provider?.etaAt).toBeUndefined();

    const stopped = app.stop();
    const late = animate('700000000000000002');
    const answer = await callbackOf(late.token);
    expect(dataOf(answer)).toEqual(
      expect.objectContaining({ content: '🔄 The bot is restarting. Please try again in a minute.', flags: 64 }),
    );
    await stopped;
    h.app = undefined;

    // The poll answered during the stop was recorded; the late command left no task and no submission.
    const after = await storedTasks();
    expect(after.map((task) => task.requester.userId)).toEqual(['700000000000000001']);
    expect(after[0]?.provider?.etaAt).toBeDefined();
    expect(h.video.submissions).toHaveLength(1);
    expect(h.video.polls).toHaveLength(1);

    // Nothing was reserved for the late member: a restarted bot shows their whole allowance.
    await h.startBot();
    const quota = await callbackOf(
      h.discord.dispatchCommand({ commandName: 'animate-quota', userId: '700000000000000002', options: [] }).token,
    );
    expect(dataOf(quota).content).toContain('**3 units** left this day');
  });
});

describe('the bot process, stopped by a signal', () => {
  let h: BotHarness;
  const processes: BotProcess[] = [];

  beforeEach(async () => {
    h = await BotHarness.start();
  });

  afterEach(async () => {
    await Promise.all(processes.splice(0).map((p) => p.dispose()));
    await h.stop();
  });

  async function startBot(): Promise<BotProcess> {
    const identifies = h.discord.identifyCount;
    const bot = BotProcess.start('src/index.ts', h.env());
    processes.push(bot);
    await h.discord.waitForIdentify(20_000, identifies + 1);
    return bot;
  }

  it('SIGTERM mid-generation: exit 0, "stopped" last, and a restart delivers the video once, with one submission', async () => {
    h.video.nextTask({ pollsBeforeDone: 6, etaSeconds: 1 });
    const first = await startBot();
    const token = await animateUntilPolled(h);
    first.kill('SIGTERM');
    expect(await first.exited).toEqual({ code: 0, signal: null });
    expect(logLines(first.stdout).at(-1)?.msg).toBe('stopped');
    expect(first.stdout + first.stderr).not.toMatch(/\n\s+at /);
    expect(h.discord.requests.filter((r) => r.files.length > 0)).toEqual([]);

    const second = await startBot();
    await videoAfterRestart(h.discord, token, { first, second });
    expect(h.video.submissions).toHaveLength(1);
    expect(h.discord.requests.filter((r) => r.files.length > 0)).toHaveLength(1);
    expect(h.discord.requests.filter((r) => r.path.includes('/channels/'))).toEqual([]);
  }, 60_000);

  it('a step that hangs does not hold the stop: the process exits anyway at the 8 s cap, saying so', async () => {
    h.video.delayPoll(60_000);
    const bot = await startBot();
    await animateUntilPolled(h);
    bot.kill('SIGTERM');
    expect(await bot.exited).toEqual({ code: 1, signal: null });
    const messages = logLines(bot.stdout).map((line) => line.msg);
    expect(messages.slice(-2)).toEqual(['the stop did not finish in time: exiting anyway', 'stopped']);
    expect(bot.stdout + bot.stderr).not.toMatch(/\n\s+at /);
  });

  it('a second signal, while the stop waits, exits at once', async () => {
    h.video.delayPoll(60_000);
    const bot = await startBot();
    await animateUntilPolled(h);
    bot.kill('SIGTERM');
    await until(() => bot.stdout.includes('"stopping"'), 5_000);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    bot.kill('SIGINT');
    expect(await bot.exited).toEqual({ code: 1, signal: null });
    const messages = logLines(bot.stdout).map((line) => line.msg);
    expect(messages.slice(messages.indexOf('stopping'))).toEqual(['stopping', 'second signal: exiting at once', 'stopped']);
  });
});
