import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { missingRuntimeSettings, RUNTIME_ENV, RUNTIME_NODE_FLAGS } from '../src/runtime-settings.ts';
import { BotHarness } from './support/bot-harness.ts';
import { BotProcess } from './support/bot-process.ts';

const settingsLines = () => [...RUNTIME_NODE_FLAGS, ...Object.entries(RUNTIME_ENV).map(([name, value]) => `${name}=${value}`)];

describe('the runtime settings', () => {
  it('a bare `node src/start.js` lacks them all', () => {
    expect(missingRuntimeSettings([], {})).toEqual({ flags: [...RUNTIME_NODE_FLAGS], env: { ...RUNTIME_ENV } });
  });

  it('what the operator set is theirs: a flag on the command line or in NODE_OPTIONS, a variable they set', () => {
    const flagNames = RUNTIME_NODE_FLAGS.map((flag) => flag.split('=')[0] ?? flag);
    // V8 reads `_` and `-` alike in its flags' names.
    const onCommandLine = flagNames.map((name) => `${name.replaceAll('-', '_').replace(/^__/, '--')}=8`);
    expect(missingRuntimeSettings(onCommandLine, {}).flags).toEqual([]);
    expect(missingRuntimeSettings([], { NODE_OPTIONS: `--no-warnings ${flagNames.map((name) => `${name}=8`).join(' ')}` }).flags).toEqual(
      [],
    );
    const operators = Object.fromEntries(Object.keys(RUNTIME_ENV).map((name) => [name, '4']));
    expect(missingRuntimeSettings([], operators).env).toEqual({});
  });

  it("an operator's `--no-` form of a flag is theirs too: the flag stays off", () => {
    const switches = RUNTIME_NODE_FLAGS.filter((flag) => !flag.includes('='));
    expect(switches).not.toEqual([]);
    const turnedOff = switches.map((flag) => flag.replace(/^--/, '--no-'));
    expect(missingRuntimeSettings(turnedOff, {}).flags).toEqual(RUNTIME_NODE_FLAGS.filter((flag) => flag.includes('=')));
  });
});

describe('the bot started as in production (src/start.js)', () => {
  let h: BotHarness | undefined;
  let bot: BotProcess | undefined;

  afterEach(async () => {
    await bot?.dispose();
    await h?.stop();
  });

  it('runs with every runtime setting, in the one process it was started as (same pid: signals still reach it)', async () => {
    h = await BotHarness.start();
    bot = BotProcess.start('src/start.js', h.env());
    await h.discord.waitForIdentify(20_000);
    const pid = bot.child.pid ?? -1;
    const commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    const environment = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    expect(commandLine).toEqual(expect.arrayContaining([...RUNTIME_NODE_FLAGS]));
    expect(commandLine.at(-2)).toMatch(/src\/start\.js$/);
    expect(environment).toEqual(expect.arrayContaining(settingsLines().filter((line) => !line.startsWith('--'))));
    bot.kill('SIGTERM');
    expect((await bot.exited).code).toBe(0);
    expect(bot.stderr).not.toContain('running without');
  }, 40_000);
});
