import { describe, expect, it } from 'vitest';
import type { AnimationRequest, AnimationOutcome } from '../../src/animation/request-animation.ts';
import { retryAnimation, type RetryRequest, type RetryTasks } from '../../src/animation/retry-animation.ts';
import type { TaskRecord } from '../../src/tasks/task-record.ts';
import { makeTaskRecord } from '../support/task-fixtures.ts';

const MEMBER = '200000000000000001';
const GUILD = '300000000000000001';

const unknownOutcome = makeTaskRecord({
  id: 'lost',
  state: 'failed',
  failure: { kind: 'submit_unknown' },
  refundedUnits: 2,
  options: { prompt: 'the waves roll in', duration: '10', cfgScale: 0.8, negativePrompt: 'blur' },
});

function setUp(records: TaskRecord[], outcome: AnimationOutcome | Error = { kind: 'accepted', taskId: 'new', units: 2 }) {
  const claims = new Map<string, string>();
  const tasks: RetryTasks = {
    get: async (id) => records.find((r) => r.id === id),
    claimRetry: async (id, by) => {
      if (claims.has(id) && claims.get(id) !== by) return false;
      claims.set(id, by);
      return true;
    },
    releaseRetry: async (id, by) => {
      if (claims.get(id) === by) claims.delete(id);
    },
  };
  const asked: AnimationRequest[] = [];
  const animations = {
    request: async (request: AnimationRequest): Promise<AnimationOutcome> => {
      asked.push(request);
      if (outcome instanceof Error) throw outcome;
      return outcome;
    },
  };
  let presses = 0;
  const press = (overrides: Partial<RetryRequest['requester']> = {}): RetryRequest => ({
    taskId: 'lost',
    requester: { userId: MEMBER, guildId: GUILD, channelId: '400000000000000009', roleIds: ['7'], ...overrides },
    locale: 'fr',
    reply: { id: `90000000000000000${presses++}`, applicationId: '5', token: 'press-token', createdAt: 9, attachmentSizeLimit: 25 },
    acknowledge: async () => undefined,
  });
  return { deps: { tasks, animations }, asked, claims, press };
}

describe('trying again after an unknown submission outcome', () => {
  it('asks for the same picture and options, for the member who pressed, answered on the press', async () => {
    const { deps, asked, press } = setUp([unknownOutcome]);
    expect(await retryAnimation(deps, press())).toEqual({ kind: 'accepted', taskId: 'new', units: 2 });
    expect(asked).toHaveLength(1);
    expect(asked[0]).toMatchObject({
      requester: { userId: MEMBER, guildId: GUILD, channelId: '400000000000000009', roleIds: ['7'] },
      locale: 'fr',
      reply: { token: 'press-token', attachmentSizeLimit: 25 },
      options: unknownOutcome.options,
      image: unknownOutcome.image,
    });
  });

  it('asks once, however many times it is pressed', async () => {
    const { deps, asked, press } = setUp([unknownOutcome]);
    const [first, second] = await Promise.all([retryAnimation(deps, press()), retryAnimation(deps, press())]);
    expect([first.kind, second.kind].sort()).toEqual(['accepted', 'cannot_retry']);
    expect(await retryAnimation(deps, press())).toEqual({ kind: 'cannot_retry', why: 'already_retried' });
    expect(asked).toHaveLength(1);
  });

  it('can be pressed again when the quota refused it, or when it failed to start', async () => {
    const refused = setUp([unknownOutcome], { kind: 'refused', refusal: { kind: 'server_units', renewsAt: 1 }, period: 'day' });
    expect((await retryAnimation(refused.deps, refused.press())).kind).toBe('refused');
    expect(refused.claims.size).toBe(0);

    const broken = setUp([unknownOutcome], new Error('store down'));
    await expect(retryAnimation(broken.deps, broken.press())).rejects.toThrow('store down');
    expect(broken.claims.size).toBe(0);
  });

  it('refuses another member, another server, a forgotten task and one that did not end that way, asking for nothing', async () => {
    const delivered = makeTaskRecord({ id: 'made', state: 'delivered' });
    const { deps, asked, press } = setUp([unknownOutcome, delivered]);
    expect(await retryAnimation(deps, press({ userId: '200000000000000002' }))).toEqual({ kind: 'cannot_retry', why: 'not_allowed' });
    expect(await retryAnimation(deps, press({ guildId: '300000000000000002' }))).toEqual({ kind: 'cannot_retry', why: 'not_found' });
    expect(await retryAnimation(deps, { ...press(), taskId: 'forgotten' })).toEqual({ kind: 'cannot_retry', why: 'not_found' });
    expect(await retryAnimation(deps, { ...press(), taskId: 'made' })).toEqual({ kind: 'cannot_retry', why: 'not_retryable' });
    expect(asked).toEqual([]);
  });
});
