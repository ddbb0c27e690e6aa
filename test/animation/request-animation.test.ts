import { describe, expect, it } from 'vitest';
import { AnimationRequests, type AnimationQuota, type AnimationRequest } from '../../src/animation/request-animation.ts';
import type { ReserveOutcome, ReserveRequest } from '../../src/quota/quota-service.ts';
import { AcknowledgementsFirst } from '../../src/tasks/acknowledgements-first.ts';
import type { NewTask } from '../../src/tasks/task-tracker.ts';

class FakeQuota implements AnimationQuota {
  readonly calls: string[] = [];
  readonly reserved: ReserveRequest[] = [];
  outcome: ReserveOutcome = { ok: true, units: 1, left: 2, renewsAt: 0 };
  async reserve(request: ReserveRequest): Promise<ReserveOutcome> {
    this.calls.push('reserve');
    this.reserved.push(request);
    return this.outcome;
  }
  async quota(): Promise<{ period: 'day' }> {
    return { period: 'day' };
  }
  async settle(taskId: string, refund: boolean): Promise<boolean> {
    this.calls.push(`settle:${taskId}:${String(refund)}`);
    return true;
  }
  async tryStart(): Promise<boolean> {
    return true;
  }
  async pauseSubmissions(): Promise<boolean> {
    return false;
  }
  async pausedUntil(): Promise<number | undefined> {
    return undefined;
  }
}

function setUp(acknowledgements?: AcknowledgementsFirst) {
  const quota = new FakeQuota();
  const accepted: { id: string; task: NewTask }[] = [];
  const tasks = {
    failAccept: false,
    newTaskId: () => 'task-1',
    accept: async (id: string, task: NewTask) => {
      quota.calls.push('accept');
      if (tasks.failAccept) throw new Error('store down');
      accepted.push({ id, task });
    },
  };
  const requests = new AnimationRequests({ quota, tasks, ...(acknowledgements ? { acknowledgements } : {}) });
  const request = (acknowledge = async () => void quota.calls.push('acknowledge')): AnimationRequest => ({
    requester: { userId: '1', guildId: '2', channelId: '3', roleIds: ['9'] },
    locale: 'ja',
    reply: { id: '4', applicationId: '5', token: 'tok', createdAt: 0, attachmentSizeLimit: 10 },
    options: { prompt: 'waves', duration: '10', cfgScale: 0.5 },
    image: { url: 'https://cdn/p.png', filename: 'p.png' },
    acknowledge,
  });
  return { quota, tasks, accepted, requests, request };
}

describe('requesting an animation', () => {
  it('reserves the units of the duration, acknowledges, then records the task in the member locale', async () => {
    const { quota, accepted, requests, request } = setUp();
    expect(await requests.request(request())).toEqual({ kind: 'accepted', taskId: 'task-1', units: 2 });
    expect(quota.calls).toEqual(['reserve', 'acknowledge', 'accept']);
    expect(quota.reserved[0]).toMatchObject({ taskId: 'task-1', guildId: '2', userId: '1', roleIds: ['9'], units: 2 });
    expect(accepted[0]?.task).toMatchObject({ locale: 'ja', requester: { userId: '1', guildId: '2', channelId: '3' } });
  });

  it('keeps with the reservation how to answer the member (reply handle and locale), in case the task is never recorded', async () => {
    const { quota, requests, request } = setUp();
    await requests.request(request());
    // Not the upload limit nor the interaction id: only what editing the reply needs.
    expect(quota.reserved[0]?.caller).toEqual({ reply: { applicationId: '5', token: 'tok', createdAt: 0 }, locale: 'ja' });
  });

  it('counts a request as in flight from its reservation until it is recorded or refunded, so no sweep takes it for an orphan', async () => {
    const { requests, request } = setUp();
    const seen: boolean[] = [];
    await requests.request(request(async () => void seen.push(requests.isInFlight('task-1'))));
    expect(seen).toEqual([true]);
    expect(requests.isInFlight('task-1')).toBe(false);
  });

  it('a refusal says which limit and the period, and nothing public happens', async () => {
    const { quota, requests, request } = setUp();
    quota.outcome = { ok: false, refusal: { kind: 'server_units', renewsAt: 5 } };
    expect(await requests.request(request())).toEqual({ kind: 'refused', refusal: { kind: 'server_units', renewsAt: 5 }, period: 'day' });
    expect(quota.calls).toEqual(['reserve']);
  });

  it('gives the units back when the acknowledgement fails', async () => {
    const { quota, requests, request } = setUp();
    await expect(requests.request(request(() => Promise.reject(new Error('10062'))))).rejects.toThrow('10062');
    expect(quota.calls).toEqual(['reserve', 'settle:task-1:true']);
  });

  it('gives the units back when the task cannot be recorded', async () => {
    const { quota, tasks, requests, request } = setUp();
    tasks.failAccept = true;
    await expect(requests.request(request())).rejects.toThrow('store down');
    expect(quota.calls).toEqual(['reserve', 'acknowledge', 'accept', 'settle:task-1:true']);
  });

  it('records the task only once the other interactions waiting to be answered are, its own counted as answered', async () => {
    const acknowledgements = new AcknowledgementsFirst({ maxHoldMs: 60_000 });
    const { quota, requests, request } = setUp(acknowledgements);
    // This request's own interaction (id 4, as the router counts it) and another member's, not yet deferred.
    acknowledgements.arrived('4');
    const other = acknowledgements.arrived('other');

    const requesting = requests.request(request());
    for (let i = 0; i < 20; i++) await new Promise<void>((resolve) => setImmediate(resolve));
    expect(quota.calls).toEqual(['reserve', 'acknowledge']);

    other();
    expect(await requesting).toEqual({ kind: 'accepted', taskId: 'task-1', units: 2 });
    expect(quota.calls).toEqual(['reserve', 'acknowledge', 'accept']);
  });
});
