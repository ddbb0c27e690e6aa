/**
 * The README's state diagram is the lifecycle table drawn by hand; this test fails when they disagree.
 * It walks the real table (every state, with records and events chosen to reach each branch) and compares
 * the state changes it finds with the Mermaid diagram's arrows.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GIVE_UP_AFTER_FAILURES, next, type TaskEvent } from '../../src/tasks/lifecycle.ts';
import { TASK_STATES, type TaskRecord, type TaskState } from '../../src/tasks/task-record.ts';
import { makeTaskRecord } from '../support/task-fixtures.ts';

const MAX_AGE_MS = 30 * 60_000;
const AT = 10 * MAX_AGE_MS;
const fresh = { taskId: 'p', submittedAt: AT - 1_000 };

function recordsIn(state: TaskState): TaskRecord[] {
  const failure = state === 'failing' || state === 'failed' ? { failure: { kind: 'cancelled' as const }, refundedUnits: 1 } : {};
  const providers = [
    undefined,
    fresh,
    { ...fresh, videoUrl: 'https://cdn/v.mp4', videoUrlExpiresAt: AT + 3_600_000 },
    { ...fresh, videoUrl: 'https://cdn/v.mp4', videoUrlExpiresAt: AT + 1_000 },
  ];
  // Asked a moment ago, or longer ago than TASK_MAX_AGE_MS.
  const ages = [AT - 1_000, AT - MAX_AGE_MS - 1];
  return providers.flatMap((provider) =>
    ages.flatMap((createdAt) =>
      [0, GIVE_UP_AFTER_FAILURES - 1].map((retries) =>
        makeTaskRecord({ state, retries, createdAt, ...failure, ...(provider ? { provider } : {}) }),
      ),
    ),
  );
}

const events: TaskEvent[] = [
  { type: 'resumed', at: AT },
  { type: 'picture_checked' },
  { type: 'picture_refused', problem: { kind: 'picture_gif' } },
  { type: 'picture_missing' },
  { type: 'turn_taken' },
  { type: 'turn_not_yet', position: 2, paused: false, at: AT },
  { type: 'submitted', providerTaskId: 'p', at: AT },
  { type: 'submit_refused', failure: { kind: 'provider_rejected' } },
  { type: 'submit_unknown' },
  { type: 'progressed', status: 'queued', at: AT },
  { type: 'progressed', status: 'processing', at: AT },
  { type: 'generation_succeeded', video: { url: 'https://cdn/v.mp4', ttlSeconds: 3600 }, at: AT },
  { type: 'generation_succeeded', at: AT },
  { type: 'generation_succeeded', video: { url: 'https://cdn/v.mp4', ttlSeconds: 0 }, at: AT },
  { type: 'generation_failed', reason: 'nsfw' },
  { type: 'poll_refused', failure: { kind: 'provider_rejected' } },
  { type: 'polling_paused' },
  { type: 'video_downloaded', download: { kind: 'file', file: { path: '/tmp/a.mp4', sizeBytes: 1 } }, at: AT },
  { type: 'step_failed', giveUp: { kind: 'provider_unavailable' } },
  { type: 'delivered', outcome: 'delivered' },
  { type: 'delivered', outcome: 'undeliverable' },
  { type: 'delivery_failed' },
  { type: 'cancelled' },
  { type: 'crashed', ref: 'r' },
];

/** Every `from --> to : event` the table can take. */
function tableEdges(): Set<string> {
  const edges = new Set<string>();
  for (const state of TASK_STATES) {
    for (const record of recordsIn(state)) {
      for (const event of events) {
        const to = next(record, event, { pollIntervalMs: 1_000, maxTaskAgeMs: MAX_AGE_MS }).record.state;
        if (to !== state) edges.add(`${state} --> ${to} : ${event.type}`);
      }
    }
  }
  return edges;
}

function diagramEdges(): Set<string> {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const block = /```mermaid\n(stateDiagram-v2[\s\S]*?)```/.exec(readme)?.[1] ?? '';
  const edges = new Set<string>();
  for (const line of block.split('\n')) {
    const match = /^\s*(\w+)\s*-->\s*(\w+)\s*:\s*(.+?)\s*$/.exec(line);
    if (match) for (const event of (match[3] ?? '').split(/\s*,\s*/)) edges.add(`${match[1] ?? ''} --> ${match[2] ?? ''} : ${event}`);
  }
  return edges;
}

describe('the README state diagram', () => {
  it('has exactly the transitions of the lifecycle table', () => {
    const table = [...tableEdges()].sort();
    const drawn = [...diagramEdges()].sort();
    expect(drawn.length).toBeGreaterThan(0);
    expect({ missingFromDiagram: table.filter((e) => !drawn.includes(e)), notInTable: drawn.filter((e) => !table.includes(e)) }).toEqual({
      missingFromDiagram: [],
      notInTable: [],
    });
  });

  it('shows every state', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    for (const state of TASK_STATES) expect(readme).toMatch(new RegExp(`\\b${state}\\b -->|--> ${state}\\b`));
  });
});
