import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.ts';
import { ProcessStop, SAME_REQUEST_MS, STOP_HARD_CAP_MS } from '../src/process-stop.ts';
import { ManualClock } from './support/manual-clock.ts';

/** A ProcessStop whose exits and log lines are recorded, on a clock the test moves. */
function setup() {
  const clock = new ManualClock(1_000);
  const lines: { msg: string; level: string; [key: string]: unknown }[] = [];
  const exits: number[] = [];
  const logger = createLogger({ level: 'debug', write: (line) => lines.push(JSON.parse(line) as (typeof lines)[number]) });
  const stop = new ProcessStop({ logger, clock, exit: (code) => exits.push(code) });
  return { clock, lines, exits, stop, messages: () => lines.map((line) => line.msg) };
}

/** A bot's stop() that finishes when the test says so. */
function pendingStop() {
  let finish: () => void = () => undefined;
  let fail: (error: Error) => void = () => undefined;
  let calls = 0;
  const stop = () => {
    calls += 1;
    return new Promise<void>((resolve, reject) => {
      finish = resolve;
      fail = reject;
    });
  };
  return { stop, finish: () => finish(), fail: (error: Error) => fail(error), calls: () => calls };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('stopping the process', () => {
  it('a signal stops the bot once, then exits 0 with "stopped" as the last line', async () => {
    const { stop, exits, messages, lines } = setup();
    const bot = pendingStop();
    stop.attach(bot.stop);
    stop.signal('SIGTERM');
    await settle();
    expect(exits).toEqual([]);
    bot.finish();
    await settle();
    expect(exits).toEqual([0]);
    expect(bot.calls()).toBe(1);
    expect(messages()).toEqual(['stopping', 'stopped']);
    expect(lines[0]).toMatchObject({ signal: 'SIGTERM' });
  });

  it('a stop that hangs still exits at the cap, saying so', async () => {
    const { stop, exits, clock, messages } = setup();
    stop.attach(pendingStop().stop);
    stop.signal('SIGTERM');
    clock.advance(STOP_HARD_CAP_MS - 1);
    await settle();
    expect(exits).toEqual([]);
    clock.advance(1);
    expect(exits).toEqual([1]);
    expect(messages()).toEqual(['stopping', 'the stop did not finish in time: exiting anyway', 'stopped']);
  });

  it('a second signal exits at once; the same signal delivered twice together (Ctrl-C under npm) does not', async () => {
    const { stop, exits, clock, messages } = setup();
    const bot = pendingStop();
    stop.attach(bot.stop);
    stop.signal('SIGINT');
    clock.advance(SAME_REQUEST_MS - 1);
    stop.signal('SIGINT');
    expect(exits).toEqual([]);
    clock.advance(1_000);
    stop.signal('SIGINT');
    expect(exits).toEqual([1]);
    expect(messages()).toEqual(['stopping', 'second signal: exiting at once', 'stopped']);
    // The bot's own stop finishing later changes nothing: the process has already been told to exit.
    bot.finish();
    clock.advance(STOP_HARD_CAP_MS);
    await settle();
    expect(exits).toEqual([1]);
    expect(bot.calls()).toBe(1);
  });

  it('a signal during start-up is kept: the stop begins once the bot is there', async () => {
    const { stop, exits, messages } = setup();
    stop.signal('SIGTERM');
    expect(stop.requested).toBe(true);
    const bot = pendingStop();
    stop.attach(bot.stop);
    expect(bot.calls()).toBe(1);
    bot.finish();
    await settle();
    expect(exits).toEqual([0]);
    expect(messages()).toEqual(['stopping', 'stopped']);
  });

  it('a stop that fails exits 1 with a one-line reason and no stack', async () => {
    const { stop, exits, lines } = setup();
    const bot = pendingStop();
    stop.attach(bot.stop);
    stop.signal('SIGTERM');
    bot.fail(new Error('database is locked'));
    await settle();
    expect(exits).toEqual([1]);
    expect(lines.map((line) => line.msg)).toEqual(['stopping', 'the stop failed', 'stopped']);
    expect(lines[1]).toEqual(expect.objectContaining({ reason: 'database is locked' }));
    expect(JSON.stringify(lines)).not.toContain('    at ');
  });
});
