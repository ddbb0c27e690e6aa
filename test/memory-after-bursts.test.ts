import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.ts';
import { MemoryAfterBursts } from '../src/memory-after-bursts.ts';
import { ManualClock } from './support/manual-clock.ts';

/** `count` pieces of work, all started together (a burst's picture checks), resolved once all are done. */
async function burst(after: MemoryAfterBursts, count: number): Promise<void> {
  await Promise.all(Array.from({ length: count }, () => after.run(async () => undefined)));
}

function setUp() {
  const clock = new ManualClock(1_000_000);
  let releases = 0;
  const after = new MemoryAfterBursts({ clock, release: () => releases++, burstSize: 50, quietMs: 1_000, minIntervalMs: 60_000 });
  return { clock, after, releases: () => releases };
}

describe('memory after a burst', () => {
  it('a burst of 50 picture checks: once the line stayed empty a second, the memory is given back, once', async () => {
    const { clock, after, releases } = setUp();
    await burst(after, 50);
    clock.advance(999);
    expect(releases()).toBe(0);
    clock.advance(1);
    expect(releases()).toBe(1);
    clock.advance(10 * 60_000);
    expect(releases()).toBe(1);
  });

  it('each release is logged for the operator: the pictures since the last, the pause, resident memory before and after', async () => {
    const clock = new ManualClock(1_000_000);
    const lines: string[] = [];
    const after = new MemoryAfterBursts({
      clock,
      release: () => undefined,
      logger: createLogger({ level: 'info', write: (line) => lines.push(line) }),
    });
    await burst(after, 60);
    clock.advance(1_000);
    expect(lines.map((line) => JSON.parse(line) as Record<string, unknown>)).toEqual([
      expect.objectContaining({
        msg: 'memory given back after a burst',
        pictures: 60,
        pauseMs: expect.any(Number),
        residentMiBBefore: expect.any(Number),
        residentMiBAfter: expect.any(Number),
      }),
    ]);
  });

  it('a few checks now and then are no burst: nothing is collected for them', async () => {
    const { clock, after, releases } = setUp();
    for (let i = 0; i < 10; i++) {
      await burst(after, 4);
      clock.advance(5_000);
    }
    expect(releases()).toBe(0);
  });

  it('work arriving while the line is quiet puts the collection off until it has drained again', async () => {
    const { clock, after, releases } = setUp();
    await burst(after, 50);
    clock.advance(500);
    let finish: () => void = () => undefined;
    const late = after.run(() => new Promise<void>((resolve) => (finish = resolve)));
    clock.advance(5_000);
    expect(releases()).toBe(0);
    finish();
    await late;
    clock.advance(1_000);
    expect(releases()).toBe(1);
  });

  it('a second burst within the minute is collected after it, a minute after the first collection', async () => {
    const { clock, after, releases } = setUp();
    await burst(after, 50);
    clock.advance(1_000);
    expect(releases()).toBe(1);
    await burst(after, 50);
    clock.advance(1_000);
    expect(releases()).toBe(1);
    clock.advance(58_999);
    expect(releases()).toBe(1);
    clock.advance(1);
    expect(releases()).toBe(2);
  });

  it('a stopped bot collects nothing more', async () => {
    const { clock, after, releases } = setUp();
    await burst(after, 50);
    after.stop();
    clock.advance(60_000);
    expect(releases()).toBe(0);
  });

  it('the collection gives V8’s kept pages back to the system: a real process, resident memory before and after', () => {
    // In a process of its own, so that what is measured is that process alone: a burst's worth of garbage that
    // grows the heap, a regular full collection (V8 keeps the freed pages), then the one this module runs.
    const module = fileURLToPath(new URL('../src/memory-after-bursts.ts', import.meta.url));
    const script = `
      import { releaseUnusedMemory } from ${JSON.stringify(module)};
      const rss = () => process.memoryUsage().rss;
      let kept = [];
      for (let i = 0; i < 400000; i++) {
        kept.push({ text: 'x'.repeat(100) + i, pair: [i, i] });
        if (kept.length > 200000) kept = kept.slice(100000);
      }
      kept = undefined;
      globalThis.gc?.();
      const before = rss();
      releaseUnusedMemory();
      console.log(JSON.stringify({ before, after: rss(), globalGc: typeof globalThis.gc }));
    `;
    const run = spawnSync(process.execPath, ['--input-type=module', '--eval', script], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    const { before, after, globalGc } = JSON.parse(run.stdout) as { before: number; after: number; globalGc: string };
    expect(after).toBeLessThan(before * 0.6);
    // The collection function stays out of the bot's globals.
    expect(globalGc).toBe('undefined');
  });
});
