/** What an operator reads when the bot starts: one ready line, and a warning when the commands are stale. */
import { afterEach, describe, expect, it } from 'vitest';
import { commandPayloads } from '../../src/command-registry.ts';
import { BotHarness } from '../support/bot-harness.ts';

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

  it('warns once, naming npm run deploy-commands, when Discord does not have the commands of this version', async () => {
    h = await BotHarness.start();
    await h.startBot();
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
    await h.startBot();
    await settle();
    expect(records().filter((r) => r.msg.includes('deploy-commands'))).toEqual([]);
  });
});
