/**
 * Each provider request's place in the request budget (request-budget.ts), from the task it serves: the budget
 * is spent on the tasks closest to finishing first. A poll is worth most when its generation should be done,
 * because a finished video may be waiting for the member: those go first. Then submissions, oldest first: each
 * starts a member's generation. Last, polls of generations far from their end, which can only report progress;
 * each becomes urgent, while it waits, as its generation nears its end. So a burst of submissions drains at
 * the budget's rate and never delays a poll that could find a video.
 */
import type { RequestPriority } from '../video-api/request-budget.ts';
import type { TaskRecord } from './task-record.ts';

/** A generation expected to end within this is polled before every other. */
export const FINISHING_WITHIN_MS = 10_000;
/**
 * Without an ETA from the provider, a generation is expected to take about this long ("around 2–3 minutes for a
 * 5 s clip", docs: kling-2.5-turbo-i2v.md), so the oldest submissions are polled first.
 */
const TYPICAL_GENERATION_MS = 2 * 60_000;

export function pollPriority(record: TaskRecord, now: number): RequestPriority {
  const provider = record.provider;
  const expectedEnd = provider?.etaAt ?? (provider ? provider.submittedAt + TYPICAL_GENERATION_MS : now);
  if (expectedEnd - now <= FINISHING_WITHIN_MS) return { rank: 'finishing', order: expectedEnd };
  return { rank: 'poll', order: expectedEnd, urgentAt: expectedEnd - FINISHING_WITHIN_MS };
}

export function submitPriority(record: TaskRecord): RequestPriority {
  return { rank: 'submit', order: record.createdAt };
}

/**
 * The order in which a restarted bot picks its open tasks up, closest to finishing first: a video already
 * fetched or being sent, then generations by expected end, then the tasks not yet submitted, oldest first.
 */
export function resumeOrder(tasks: readonly TaskRecord[], now: number): TaskRecord[] {
  const key = (task: TaskRecord): [number, number] => {
    switch (task.state) {
      case 'downloading':
      case 'delivering':
      case 'failing':
        return [0, task.createdAt];
      case 'submitting':
      case 'queued':
      case 'processing':
        return [1, pollPriority(task, now).order];
      default:
        return [2, task.createdAt];
    }
  };
  return tasks
    .map((task) => ({ task, key: key(task) }))
    .sort((a, b) => a.key[0] - b.key[0] || a.key[1] - b.key[1])
    .map(({ task }) => task);
}
