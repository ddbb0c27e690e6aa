import { describe, expect, it } from 'vitest';
import { pollPriority, resumeOrder, submitPriority } from '../../src/tasks/request-priority.ts';
import { makeTaskRecord } from '../support/task-fixtures.ts';

const NOW = 10_000_000;

describe('which provider request goes first', () => {
  it('puts the poll of a generation whose ETA has come, or is seconds away, in the most urgent rank', () => {
    const due = makeTaskRecord({ state: 'processing', provider: { taskId: 'p', submittedAt: NOW - 120_000, etaAt: NOW - 1_000 } });
    const near = makeTaskRecord({ state: 'processing', provider: { taskId: 'p', submittedAt: NOW - 120_000, etaAt: NOW + 5_000 } });
    const far = makeTaskRecord({ state: 'processing', provider: { taskId: 'p', submittedAt: NOW - 10_000, etaAt: NOW + 90_000 } });
    expect(pollPriority(due, NOW)).toEqual({ rank: 'finishing', order: NOW - 1_000 });
    expect(pollPriority(near, NOW)).toEqual({ rank: 'finishing', order: NOW + 5_000 });
    expect(pollPriority(far, NOW)).toEqual({ rank: 'poll', order: NOW + 90_000, urgentAt: NOW + 80_000 });
  });

  it('without an ETA, expects a generation to take about two minutes, so older submissions are polled first', () => {
    const old = makeTaskRecord({ state: 'queued', provider: { taskId: 'p', submittedAt: NOW - 115_000 } });
    const recent = makeTaskRecord({ state: 'queued', provider: { taskId: 'p', submittedAt: NOW - 30_000 } });
    expect(pollPriority(old, NOW)).toEqual({ rank: 'finishing', order: NOW + 5_000 });
    expect(pollPriority(recent, NOW)).toEqual({ rank: 'poll', order: NOW + 90_000, urgentAt: NOW + 80_000 });
  });

  it('submits in the order members asked', () => {
    expect(submitPriority(makeTaskRecord({ createdAt: 1_234 }))).toEqual({ rank: 'submit', order: 1_234 });
  });
});

describe('the order a restarted bot resumes its tasks in', () => {
  it('finishes fetched videos first, then generations by expected end, then tasks not yet submitted, oldest first', () => {
    const tasks = [
      makeTaskRecord({ id: 'waiting, newer', state: 'waiting', createdAt: 2_000 }),
      makeTaskRecord({ id: 'ends later', state: 'processing', provider: { taskId: 'a', submittedAt: NOW, etaAt: NOW + 80_000 } }),
      makeTaskRecord({ id: 'waiting, older', state: 'waiting', createdAt: 1_000 }),
      makeTaskRecord({ id: 'delivering', state: 'delivering', provider: { taskId: 'b', submittedAt: NOW, videoUrl: 'https://x' } }),
      makeTaskRecord({ id: 'ends soon', state: 'queued', provider: { taskId: 'c', submittedAt: NOW, etaAt: NOW + 20_000 } }),
    ];
    expect(resumeOrder(tasks, NOW).map((task) => task.id)).toEqual([
      'delivering',
      'ends soon',
      'ends later',
      'waiting, older',
      'waiting, newer',
    ]);
  });
});
