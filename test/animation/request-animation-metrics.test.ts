import { describe, expect, it } from 'vitest';
import { AnimationRequests, type AnimationQuota, type AnimationRequest } from '../../src/animation/request-animation.ts';
import type { ReserveOutcome } from '../../src/quota/quota-service.ts';
import { ManualClock } from '../support/manual-clock.ts';
import { RecordingMetrics } from '../support/recording-metrics.ts';

const quota = (outcome: ReserveOutcome): AnimationQuota => ({
  reserve: async () => outcome,
  quota: async () => ({ period: 'day' }),
  settle: async () => true,
  tryStart: async () => true,
  pauseSubmissions: async () => false,
  pausedUntil: async () => undefined,
});

function setUp(outcome: ReserveOutcome = { ok: true, units: 1, left: 2, renewsAt: 0 }) {
  const metrics = new RecordingMetrics();
  const clock = new ManualClock(10_000);
  const requests = new AnimationRequests({
    quota: quota(outcome),
    tasks: { newTaskId: () => 'task-1', accept: async () => undefined },
    clock,
    metrics,
  });
  const request = (acknowledge: () => Promise<void>): AnimationRequest => ({
    requester: { userId: '1', guildId: '2', channelId: '3', roleIds: [] },
    locale: 'en-US',
    // Created 400 ms before the command reached the bot (Discord's clock, from the interaction id).
    reply: { id: '4', applicationId: '5', token: 'tok', createdAt: 9_600, attachmentSizeLimit: 10 },
    options: { prompt: 'waves', duration: '5', cfgScale: 0.5 },
    image: { url: 'https://cdn/p.png', filename: 'p.png' },
    acknowledge,
  });
  return { metrics, clock, requests, request };
}

describe('requesting an animation reports', () => {
  it('the time from the interaction’s creation to the deferral', async () => {
    const { metrics, clock, requests, request } = setUp();
    await requests.request(
      request(async () => {
        clock.advance(150);
      }),
    );
    expect(metrics.of('acknowledged')).toEqual([[550]]);
    expect(metrics.of('quotaRefused')).toEqual([]);
  });

  it('a deferral Discord refused, with its time, since a late one is what the operator must see', async () => {
    const { metrics, clock, requests, request } = setUp();
    const late = request(async () => {
      clock.advance(3_000);
      throw new Error('10062 Unknown interaction');
    });
    await expect(requests.request(late)).rejects.toThrow('10062');
    expect(metrics.of('acknowledged')).toEqual([[3_400]]);
  });

  it('a quota refusal by its rule, and no acknowledgement', async () => {
    const { metrics, requests, request } = setUp({
      ok: false,
      refusal: { kind: 'member_units', left: 0, needed: 1, renewsAt: 0, rule: { kind: 'server' } },
    });
    await requests.request(request(async () => undefined));
    expect(metrics.of('quotaRefused')).toEqual([['member_units']]);
    expect(metrics.of('acknowledged')).toEqual([]);
  });
});
