import { describe, expect, it } from 'vitest';
import { rerollAnimation, type RerollRequest } from '../../src/animation/reroll-animation.ts';
import type { AnimationOutcome, AnimationRequest } from '../../src/animation/request-animation.ts';
import { makeTaskRecord } from '../support/task-fixtures.ts';

const PRESSER = '200000000000000009';

const video = makeTaskRecord({
  id: 'made',
  state: 'delivered',
  options: { prompt: 'the waves roll in', duration: '5', cfgScale: 0.8, negativePrompt: 'blur' },
});

function setUp(kept: Record<string, string> = { made: 'cGljdHVyZQ==' }) {
  const asked: AnimationRequest[] = [];
  const deps = {
    tasks: { get: async (id: string) => (id === video.id ? video : undefined) },
    pictures: { isKept: async (id: string) => kept[id] !== undefined },
    animations: {
      request: async (request: AnimationRequest): Promise<AnimationOutcome> => {
        asked.push(request);
        return { kind: 'accepted', taskId: 'new', units: 1 };
      },
    },
  };
  const press = (overrides: Partial<RerollRequest> = {}): RerollRequest => ({
    taskId: 'made',
    requester: { userId: PRESSER, guildId: video.requester.guildId, channelId: '400000000000000009', roleIds: ['7'] },
    locale: 'ja',
    reply: { id: '900000000000000001', applicationId: '5', token: 'press-token', createdAt: 9, attachmentSizeLimit: 25 },
    acknowledge: async () => undefined,
    ...overrides,
  });
  return { deps, asked, press };
}

describe('asking for another video from the buttons under one', () => {
  it('asks for the same options from the kept picture, for (and billed to) the member who pressed', async () => {
    const { deps, asked, press } = setUp();
    expect(await rerollAnimation(deps, press())).toEqual({ kind: 'accepted', taskId: 'new', units: 1 });
    expect(asked[0]).toMatchObject({
      requester: { userId: PRESSER, roleIds: ['7'] },
      locale: 'ja',
      reply: { token: 'press-token' },
      options: video.options,
      image: { url: video.image.url, filename: video.image.filename, keptFrom: 'made' },
    });
  });

  it('applies the change a button makes (10 s version, Remix) to the video’s options', async () => {
    const { deps, asked, press } = setUp();
    await rerollAnimation(deps, press({ change: (options) => ({ ...options, duration: '10' }) }));
    expect(asked[0]?.options).toEqual({ ...video.options, duration: '10' });
  });

  it('asks nothing once the picture is gone, or for a video of another server', async () => {
    const expired = setUp({});
    expect(await rerollAnimation(expired.deps, expired.press())).toEqual({ kind: 'cannot_reroll', why: 'expired' });
    expect(expired.asked).toEqual([]);

    const elsewhere = setUp();
    const requester = { userId: PRESSER, guildId: '300000000000000999', channelId: '400000000000000009', roleIds: [] };
    expect(await rerollAnimation(elsewhere.deps, elsewhere.press({ requester }))).toEqual({ kind: 'cannot_reroll', why: 'not_found' });
    expect(await rerollAnimation(elsewhere.deps, elsewhere.press({ taskId: 'unknown' }))).toEqual({
      kind: 'cannot_reroll',
      why: 'not_found',
    });
    expect(elsewhere.asked).toEqual([]);
  });
});
