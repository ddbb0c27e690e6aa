import { describe, expect, it } from 'vitest';
import { Semaphore } from '../../src/images/semaphore.ts';

describe('Semaphore', () => {
  it('runs at most two pictures at once, the others in the order they asked', async () => {
    const slots = new Semaphore(2);
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const releases: (() => void)[] = [];
    const work = (n: number) =>
      slots.run(async () => {
        started.push(n);
        running++;
        most = Math.max(most, running);
        await new Promise<void>((resolve) => releases.push(resolve));
        running--;
        return n;
      });
    const all = Promise.all([1, 2, 3, 4, 5].map(work));
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([1, 2]);
    while (started.length < 5 || releases.length > 0) {
      releases.shift()?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(await all).toEqual([1, 2, 3, 4, 5]);
    expect(started).toEqual([1, 2, 3, 4, 5]);
    expect(most).toBe(2);
  });

  it('frees the slot when a task fails', async () => {
    const slots = new Semaphore(1);
    await expect(slots.run(() => Promise.reject(new Error('damaged')))).rejects.toThrow('damaged');
    expect(await slots.run(() => Promise.resolve('next'))).toBe('next');
  });
});
