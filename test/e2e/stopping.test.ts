/**
 * Stopping the bot the way supervisors do: `npm start` for real, and a signal sent to npm alone (Docker and
 * most supervisors signal PID 1 only), or to npm's whole process group (Ctrl-C in a terminal).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BotHarness } from '../support/bot-harness.ts';
import { BotProcess, isRunning } from '../support/bot-process.ts';

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
