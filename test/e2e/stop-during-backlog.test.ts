/**
 * A deploy during a burst: a real bot process whose provider request budget (HIGHWAY_REQUESTS_PER_MINUTE)
 * is so small that most of a handful of commands wait in it for their submission, stopped (SIGTERM) or
 * killed (SIGKILL) there, then started again on the same SQLite file. The waiting submissions were never
 * sent, so none of them may fail as "outcome unknown": each task is submitted once in all, and delivered once.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BotHarness } from '../support/bot-harness.ts';
import { BotProcess } from '../support/bot-process.ts';
import { makePng } from '../support/image-fixtures.ts';

const COMMANDS = 4;

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The bot's log lines (JSON). */
function logLines(output: string): { msg: string; [key: string]: unknown }[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { msg: string });
}

describe('a bot stopped while submissions wait in the request budget, then started again', () => {
  let h: BotHarness;
  const processes: BotProcess[] = [];

  beforeEach(async () => {
    h = await BotHarness.start({
      env: {
        // One request a minute: the first submission goes, every other one waits in the budget.
        HIGHWAY_REQUESTS_PER_MINUTE: '1',
        // One member sends the whole burst; the quota must let all of it run at once.
        QUOTA_MEMBER_RUNNING: 'off',
        QUOTA_MEMBER_WAITING: 'off',
        QUOTA_MEMBER_UNITS: 'off',
        QUOTA_SERVER_UNITS: 'off',
      },
    });
  });

  afterEach(async () => {
    await Promise.all(processes.splice(0).map((p) => p.dispose()));
    await h.stop();
  });

  const output = () => processes.map((p, i) => `--- run ${i + 1} ---\n${p.stdout}${p.stderr}`).join('\n');

  async function startBot(env: Record<string, string>): Promise<BotProcess> {
    const identifies = h.discord.identifyCount;
    const bot = BotProcess.start('src/index.ts', env);
    processes.push(bot);
    await h.discord.waitForIdentify(15_000, identifies + 1).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${output()}`);
    });
    return bot;
  }

  function animate(n: number): string {
    const name = `burst-${n}.png`;
    const picture = makePng(512, 512);
    const url = h.discord.hostAttachment(name, picture, 'image/png');
    const id = `90000000000000001${n}`;
    const { token } = h.discord.dispatchCommand({
      commandName: 'animate',
      options: [
        { name: 'image', type: 11, value: id },
        { name: 'prompt', type: 3, value: `the candle flame sways ${n}` },
      ],
      attachments: [{ id, filename: name, size: picture.length, url, proxy_url: url, content_type: 'image/png' }],
    });
    return token;
  }

  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    it(`${signal}: the waiting submissions are not sent; the next start submits each task once and delivers it once`, async () => {
      const first = await startBot(h.env());
      const tokens = Array.from({ length: COMMANDS }, (_, n) => animate(n));
      // Every task has had its turn (stored `submitting`), and the budget let one submission go.
      await until(
        () => (first.stdout.match(/"outcome":"turn_taken"/g) ?? []).length === COMMANDS && h.video.submissions.length === 1,
        20_000,
        'every task submitting, one sent',
      ).catch((error: unknown) => {
        throw new Error(`${String(error)}\n${output()}`);
      });
      // Long enough for each waiting submission to be queued in the budget, far shorter than its wait.
      await new Promise((resolve) => setTimeout(resolve, 300));

      first.kill(signal);
      const exited = await first.exited;
      if (signal === 'SIGTERM') {
        // A clean stop, not the 8 s hard cap (exit 1): nothing waited for the backlog.
        expect(exited, output()).toEqual({ code: 0, signal: null });
        const lines = logLines(first.stdout);
        expect(lines.at(-1)?.msg).toBe('stopped');
        // The submissions waiting in the budget (all of them, unless a slow machine stopped one before it got there).
        const abandoned = lines.filter((line) => line.step === 'submit' && line.outcome === 'abandoned');
        expect(abandoned.length).toBeGreaterThan(0);
        expect(abandoned.length).toBeLessThanOrEqual(COMMANDS - 1);
      } else {
        expect(exited.signal).toBe('SIGKILL');
      }
      expect(h.video.submissions).toHaveLength(1);
      expect(first.stdout).not.toContain('"msg":"task failed"');

      // Started again, with budget to spare (the operator raised it, say): everything is sent once, and delivered.
      const second = await startBot({ ...h.env(), HIGHWAY_REQUESTS_PER_MINUTE: '600' });
      await until(
        () => tokens.every((token) => (h.discord.originalMessage(token)?.attachments.length ?? 0) > 0),
        30_000,
        'every video delivered',
      ).catch((error: unknown) => {
        throw new Error(`${String(error)}\n${output()}`);
      });
      await until(() => (second.stdout.match(/"msg":"task delivered"/g) ?? []).length >= COMMANDS - 1, 10_000, 'tasks recorded');
      second.kill('SIGTERM');
      expect((await second.exited).code).toBe(0);

      const prompts = h.video.submissions.map((s) => s.body.prompt);
      expect([...prompts].sort()).toEqual(tokens.map((_, n) => `the candle flame sways ${n}`));
      for (const token of tokens) {
        expect(h.discord.originalMessage(token)?.attachments.map((a) => a.filename)).toEqual([expect.stringMatching(/\.mp4$/)]);
        expect(h.discord.followUps(token)).toEqual([]);
      }
      const bothRuns = first.stdout + second.stdout;
      expect(bothRuns).not.toContain('"msg":"task failed"');
      expect(bothRuns).not.toContain('outcome unknown');
      expect((bothRuns.match(/"msg":"task delivered"/g) ?? []).length).toBe(COMMANDS);
    }, 90_000);
  }
});
