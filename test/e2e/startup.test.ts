/** What an operator reads when the bot starts: one ready line, and a warning when the commands are stale. */
import { afterEach, describe, expect, it } from 'vitest';
import { COMMANDS_CHECK_DELAY_MS } from '../../src/app.ts';
import { commandPayloads } from '../../src/command-registry.ts';
import { BotHarness } from '../support/bot-harness.ts';
import { ManualClock } from '../support/manual-clock.ts';

interface LogRecord {
  level: string;
  msg: string;
  [field: string]: unknown;
}

describe('start-up', () => {
  let h: BotHarness;
  const records = () => h.logs.map((line) => JSON.parse(line) as LogRecord);
  const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

  afterEach(async () => {
    await h.stop();
  });

  it('says in one line that it is ready: version, store, quota defaults, application, user and servers', async () => {
    h = await BotHarness.start();
    await h.startBot();
    await settle();
    const ready = records().find((r) => r.msg === 'connected to Discord');
    expect(ready).toMatchObject({
      level: 'info',
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
      store: 'sqlite',
      quota: { period: 'day', memberUnits: 3, serverUnits: 30, globalUnitsPerDay: 200, serverMaxUnitsPerDay: 100 },
      applicationId: h.discord.applicationId,
      user: expect.any(String),
      servers: 1,
    });
  });

  it("collects the start's garbage before it connects, when no command can arrive yet: a burst then finds a clean heap", async () => {
    h = await BotHarness.start();
    await h.startBot();
    await settle();
    const all = records();
    const collected = all.findIndex((r) => r.msg === "start's garbage collected");
    const connected = all.findIndex((r) => r.msg === 'connected to Discord');
    expect(collected).toBeGreaterThanOrEqual(0);
    expect(collected).toBeLessThan(connected);
    const { heapMiBBefore, heapMiBAfter, pauseMs } = all[collected] as unknown as Record<string, number>;
    expect(heapMiBAfter).toBeLessThan(heapMiBBefore ?? 0);
    expect(pauseMs).toBeGreaterThanOrEqual(0);
    // Nothing had been asked of Discord yet: the collection came before the connection began.
    const firstAskedAt = Math.min(...h.discord.requests.map((r) => r.at));
    expect(Date.parse(String(all[collected]?.time))).toBeLessThanOrEqual(firstAskedAt);
  });

  const commandListsAsked = () => h.discord.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/commands'));

  it('warns once, naming npm run deploy-commands, when Discord does not have the commands of this version', async () => {
    h = await BotHarness.start();
    const clock = new ManualClock(Date.now());
    await h.startBot({ clock });
    await settle();
    clock.advance(COMMANDS_CHECK_DELAY_MS);
    await settle();
    const warnings = records().filter((r) => r.msg.includes('npm run deploy-commands'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ level: 'warn', missing: commandPayloads().map((c) => c.name) });
  });

  it('says nothing more when the deployed commands are those of this version', async () => {
    h = await BotHarness.start();
    h.discord.registeredCommands.set(
      'global',
      commandPayloads().map((c) => ({ id: '1', ...c })),
    );
    const clock = new ManualClock(Date.now());
    await h.startBot({ clock });
    await settle();
    clock.advance(COMMANDS_CHECK_DELAY_MS);
    await settle();
    expect(commandListsAsked()).not.toEqual([]);
    expect(records().filter((r) => r.msg.includes('deploy-commands'))).toEqual([]);
  });

  it('compares the commands only once the first moments after a start are over: a burst of retries lands then', async () => {
    h = await BotHarness.start();
    const clock = new ManualClock(Date.now());
    await h.startBot({ clock });
    await settle();
    // Connected, and nothing asked of Discord yet but what connecting takes.
    expect(records().some((r) => r.msg === 'connected to Discord')).toBe(true);
    expect(commandListsAsked()).toEqual([]);
    clock.advance(COMMANDS_CHECK_DELAY_MS - 1);
    await settle();
    expect(commandListsAsked()).toEqual([]);
    clock.advance(1);
    await settle();
    expect(commandListsAsked()).toHaveLength(2);
    expect(records().filter((r) => r.msg.includes('npm run deploy-commands'))).toHaveLength(1);
  });

  it('stopped before then, it leaves no timer behind and asks nothing', async () => {
    h = await BotHarness.start();
    const clock = new ManualClock(Date.now());
    const app = await h.startBot({ clock });
    await settle();
    await app.stop();
    h.app = undefined;
    clock.advance(COMMANDS_CHECK_DELAY_MS);
    await settle();
    expect(commandListsAsked()).toEqual([]);
  });
});
