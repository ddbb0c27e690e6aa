import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { PrometheusMetrics } from '../../src/http/prometheus-metrics.ts';
import type { TaskRecord } from '../../src/tasks/task-record.ts';
import { hasSample, sampleSum } from '../support/prometheus-text.ts';
import { makeTaskRecord } from '../support/task-fixtures.ts';

function setUp() {
  const registry = new Registry();
  const metrics = new PrometheusMetrics(registry, { defaultMetrics: false });
  return { registry, metrics, scrape: () => registry.metrics() };
}

const task = (id: string, state: TaskRecord['state']) => makeTaskRecord({ id, state });
const failing = (id: string, kind: 'cancelled' | 'provider_unavailable') =>
  makeTaskRecord({ id, state: 'failing', failure: { kind }, refundedUnits: 1 });

describe('the Prometheus metrics', () => {
  it('exposes every series at zero before anything happens, so alerts and rate() have a start', async () => {
    const text = await setUp().scrape();
    expect(hasSample(text, 'animate_tasks_open', { state: 'waiting' })).toBe(true);
    expect(hasSample(text, 'animate_task_transitions_total', { state: 'failed' })).toBe(true);
    expect(hasSample(text, 'animate_submissions_total', { outcome: 'unknown' })).toBe(true);
    expect(hasSample(text, 'animate_polls_total', { outcome: 'error' })).toBe(true);
    expect(hasSample(text, 'animate_deliveries_total', { kind: 'link' })).toBe(true);
    expect(hasSample(text, 'animate_quota_refusals_total', { kind: 'member_units' })).toBe(true);
    expect(hasSample(text, 'animate_acknowledgement_seconds_count')).toBe(true);
    expect(sampleSum(text, 'animate_tasks_open') + sampleSum(text, 'animate_task_transitions_total')).toBe(0);
  });

  it('counts each state a task enters once, and its failure by kind', async () => {
    const { metrics, scrape } = setUp();
    metrics.taskStored(task('a', 'received'), undefined);
    metrics.taskPickedUp(task('a', 'received'));
    metrics.taskStored(task('a', 'checking'), 'received');
    // A progress edit stores the record again in the same state: not a transition.
    metrics.taskStored(task('a', 'checking'), 'checking');
    metrics.taskStored(task('a', 'waiting'), 'checking');
    metrics.taskStored(failing('a', 'cancelled'), 'waiting');
    metrics.taskStored({ ...failing('a', 'cancelled'), state: 'failed' } as TaskRecord, 'failing');

    const text = await scrape();
    for (const state of ['received', 'checking', 'waiting', 'failing', 'failed']) {
      expect(sampleSum(text, 'animate_task_transitions_total', { state }), state).toBe(1);
    }
    expect(sampleSum(text, 'animate_task_transitions_total', { state: 'delivered' })).toBe(0);
    expect(sampleSum(text, 'animate_task_failures_total', { kind: 'cancelled' })).toBe(1);
  });

  it('keeps the open-task gauge to the tasks in hand, each in its current state', async () => {
    const { metrics, scrape } = setUp();
    // Picked up after a restart: held, though nothing was stored yet.
    metrics.taskPickedUp(task('old', 'processing'));
    metrics.taskStored(task('new', 'received'), undefined);
    metrics.taskStored(task('new', 'checking'), 'received');
    metrics.taskPickedUp(task('new', 'checking'));
    let text = await scrape();
    expect(sampleSum(text, 'animate_tasks_open', { state: 'processing' })).toBe(1);
    expect(sampleSum(text, 'animate_tasks_open', { state: 'checking' })).toBe(1);
    expect(sampleSum(text, 'animate_tasks_open', { state: 'received' })).toBe(0);
    // A resumed task's first move counts as its transition; the gauge moves it across.
    metrics.taskStored(task('old', 'downloading'), 'processing');
    metrics.taskStored(task('old', 'delivering'), 'downloading');
    metrics.taskStored(task('old', 'delivered'), 'delivering');
    text = await scrape();
    expect(sampleSum(text, 'animate_tasks_open')).toBe(1);
    expect(sampleSum(text, 'animate_task_transitions_total', { state: 'delivered' })).toBe(1);
  });

  it('counts submissions and polls by what they learned', async () => {
    const { metrics, scrape } = setUp();
    metrics.effectPerformed({ type: 'submit' }, { type: 'submitted', providerTaskId: 'p1', at: 0 });
    metrics.effectPerformed({ type: 'submit' }, { type: 'submit_refused', failure: { kind: 'provider_rejected' } });
    metrics.effectPerformed({ type: 'submit' }, { type: 'submit_unknown' });
    // The checked picture was gone: nothing was sent, so nothing is counted.
    metrics.effectPerformed({ type: 'submit' }, { type: 'picture_missing' });
    metrics.effectPerformed({ type: 'poll' }, { type: 'progressed', status: 'processing', at: 0 });
    metrics.effectPerformed({ type: 'poll' }, { type: 'progressed', status: 'queued', at: 0 });
    metrics.effectPerformed({ type: 'poll' }, { type: 'step_failed', giveUp: { kind: 'provider_unavailable' } });
    metrics.effectPerformed({ type: 'poll' }, { type: 'generation_succeeded', at: 0 });
    metrics.effectPerformed({ type: 'check_picture' }, { type: 'picture_checked' });
    metrics.effectPerformed({ type: 'settle', refund: false, operatorRefund: false }, undefined);

    const text = await scrape();
    expect(sampleSum(text, 'animate_submissions_total', { outcome: 'accepted' })).toBe(1);
    expect(sampleSum(text, 'animate_submissions_total', { outcome: 'refused' })).toBe(1);
    expect(sampleSum(text, 'animate_submissions_total', { outcome: 'unknown' })).toBe(1);
    expect(sampleSum(text, 'animate_submissions_total')).toBe(3);
    expect(sampleSum(text, 'animate_polls_total', { outcome: 'running' })).toBe(2);
    expect(sampleSum(text, 'animate_polls_total', { outcome: 'error' })).toBe(1);
    expect(sampleSum(text, 'animate_polls_total', { outcome: 'succeeded' })).toBe(1);
    expect(sampleSum(text, 'animate_polls_total')).toBe(4);
  });

  it('records provider exchanges by operation and status, with their duration in seconds', async () => {
    const { metrics, scrape } = setUp();
    metrics.providerRequest('submit', 200, 1_500);
    metrics.providerRequest('getResult', 200, 40);
    metrics.providerRequest('getResult', 503, 30);
    metrics.providerRequest('getResult', 'network', 90_000);

    const text = await scrape();
    expect(sampleSum(text, 'animate_provider_requests_total', { operation: 'submit', status: '200' })).toBe(1);
    expect(sampleSum(text, 'animate_provider_requests_total', { operation: 'getResult', status: '503' })).toBe(1);
    expect(sampleSum(text, 'animate_provider_requests_total', { operation: 'getResult', status: 'network' })).toBe(1);
    expect(sampleSum(text, 'animate_provider_request_duration_seconds_sum', { operation: 'submit' })).toBe(1.5);
    expect(sampleSum(text, 'animate_provider_request_duration_seconds_bucket', { operation: 'getResult', le: '0.05' })).toBe(2);
    expect(sampleSum(text, 'animate_provider_request_duration_seconds_count', { operation: 'getResult' })).toBe(3);
  });

  it('puts acknowledgements in buckets around Discord’s 3 seconds', async () => {
    const { metrics, scrape } = setUp();
    metrics.acknowledged(80);
    metrics.acknowledged(2_900);
    metrics.acknowledged(3_400);
    // Discord's clock ahead of ours: counted as instant rather than negative.
    metrics.acknowledged(-20);

    const text = await scrape();
    expect(sampleSum(text, 'animate_acknowledgement_seconds_count')).toBe(4);
    expect(sampleSum(text, 'animate_acknowledgement_seconds_bucket', { le: '0.1' })).toBe(2);
    expect(sampleSum(text, 'animate_acknowledgement_seconds_bucket', { le: '3' })).toBe(3);
    expect(sampleSum(text, 'animate_acknowledgement_seconds_bucket', { le: '+Inf' })).toBe(4);
  });

  it('counts deliveries by kind and quota refusals by rule', async () => {
    const { metrics, scrape } = setUp();
    metrics.delivered('edit');
    metrics.delivered('edit');
    metrics.delivered('channel');
    metrics.delivered('link');
    metrics.quotaRefused('member_units');
    metrics.quotaRefused('channel');

    const text = await scrape();
    expect(sampleSum(text, 'animate_deliveries_total', { kind: 'edit' })).toBe(2);
    expect(sampleSum(text, 'animate_deliveries_total', { kind: 'channel' })).toBe(1);
    expect(sampleSum(text, 'animate_deliveries_total', { kind: 'link' })).toBe(1);
    expect(sampleSum(text, 'animate_deliveries_total', { kind: 'private' })).toBe(0);
    expect(sampleSum(text, 'animate_quota_refusals_total', { kind: 'member_units' })).toBe(1);
    expect(sampleSum(text, 'animate_quota_refusals_total', { kind: 'channel' })).toBe(1);
  });

  it('adds the default process metrics, event-loop delay included, to the registry it is given', async () => {
    const registry = new Registry();
    new PrometheusMetrics(registry);
    const text = await registry.metrics();
    expect(text).toMatch(/^process_cpu_seconds_total /m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);
    expect(text).toMatch(/^nodejs_eventloop_lag_p99_seconds /m);
    expect(text).toMatch(/^animate_tasks_open\{state="received"\} 0$/m);
  });

  it('keeps two registries apart (no global default registry)', async () => {
    const first = setUp();
    const second = setUp();
    first.metrics.delivered('edit');
    expect(sampleSum(await first.scrape(), 'animate_deliveries_total', { kind: 'edit' })).toBe(1);
    expect(sampleSum(await second.scrape(), 'animate_deliveries_total', { kind: 'edit' })).toBe(0);
  });
});
