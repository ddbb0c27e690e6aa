import { describe, expect, it } from 'vitest';
import { TaskScheduler } from '../../src/tasks/task-scheduler.ts';
import { ManualClock } from '../support/manual-clock.ts';

describe('one scheduler for every task', () => {
  it('runs tasks in due order with a single timer', () => {
    const clock = new ManualClock(1_000);
    const ran: string[] = [];
    const scheduler = new TaskScheduler(clock, (id) => ran.push(id));
    scheduler.schedule('late', 1_000 + 30_000);
    scheduler.schedule('soon', 1_000 + 5_000);
    scheduler.schedule('middle', 1_000 + 10_000);
    expect(clock.pendingTimers).toBe(1);
    clock.advance(5_000);
    expect(ran).toEqual(['soon']);
    clock.advance(25_000);
    expect(ran).toEqual(['soon', 'middle', 'late']);
    expect(scheduler.size).toBe(0);
    expect(clock.pendingTimers).toBe(0);
  });

  it('moves a task when it is scheduled again, and forgets cancelled ones', () => {
    const clock = new ManualClock(0);
    const ran: string[] = [];
    const scheduler = new TaskScheduler(clock, (id) => ran.push(id));
    scheduler.schedule('a', 10_000);
    scheduler.schedule('a', 2_000);
    scheduler.schedule('b', 3_000);
    scheduler.cancel('b');
    clock.advance(2_000);
    expect(ran).toEqual(['a']);
    clock.advance(20_000);
    expect(ran).toEqual(['a']);
  });

  it('runs nothing after stop', () => {
    const clock = new ManualClock(0);
    const ran: string[] = [];
    const scheduler = new TaskScheduler(clock, (id) => ran.push(id));
    scheduler.schedule('a', 1_000);
    scheduler.stop();
    scheduler.schedule('b', 1_000);
    clock.advance(5_000);
    expect(ran).toEqual([]);
  });
});
