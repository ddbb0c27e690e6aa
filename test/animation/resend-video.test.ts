import { describe, expect, it } from 'vitest';
import { VideoResends, type ResendRequest } from '../../src/animation/resend-video.ts';
import { silentLogger } from '../../src/logger.ts';
import { VideoDownloadError, type VideoDownload } from '../../src/video-api/download-video.ts';
import type { TaskResult } from '../../src/video-api/video-api-client.ts';
import { ProviderRejected, ProviderUnavailable } from '../../src/video-api/video-api-errors.ts';
import { makeTaskRecord } from '../support/task-fixtures.ts';

const MEMBER = '200000000000000001';
const GUILD = '300000000000000001';
const NOW = 1_700_000_000_000;

const delivered = makeTaskRecord({
  id: 'abcdef12-made',
  state: 'delivered',
  provider: { taskId: 'provider-1', submittedAt: 1, videoUrl: 'https://old.example/v.mp4?expired', videoUrlExpiresAt: 2 },
});
const fresh: TaskResult = {
  status: 'succeeded',
  rawStatus: 'TASK_STATUS_SUCCEED',
  video: { url: 'https://new.example/v.mp4', ttlSeconds: 600 },
};

function setUp(
  result: TaskResult | Error,
  download: VideoDownload | Error = { kind: 'file', file: { path: '/tmp/animate-test/v.mp4', sizeBytes: 3 } },
) {
  const polled: string[] = [];
  const fetched: { url: string; maxBytes: number }[] = [];
  const resends = new VideoResends({
    tasks: {
      get: async (id) =>
        [delivered, makeTaskRecord({ id: 'failed', state: 'failed', failure: { kind: 'cancelled' }, refundedUnits: 1 })].find(
          (r) => r.id === id,
        ),
    },
    videoApi: {
      getResult: async (taskId) => {
        polled.push(taskId);
        if (result instanceof Error) throw result;
        return result;
      },
    },
    downloadVideo: async (url, maxBytes) => {
      fetched.push({ url, maxBytes });
      if (download instanceof Error) throw download;
      return download;
    },
    clock: { now: () => NOW },
    logger: silentLogger,
  });
  const ask = (overrides: Partial<ResendRequest> = {}) =>
    resends.resend({ taskId: delivered.id, userId: MEMBER, guildId: GUILD, maxBytes: 1234, ...overrides });
  return { ask, polled, fetched };
}

describe('sending a finished video again', () => {
  it('asks the provider for a fresh link and sends the file fetched from it', async () => {
    const { ask, polled, fetched } = setUp(fresh);
    expect(await ask()).toEqual({
      kind: 'found',
      view: { kind: 'video', video: { path: '/tmp/animate-test/v.mp4', sizeBytes: 3 }, filename: 'animate-abcdef12.mp4' },
      prompt: 'the waves roll in',
    });
    expect(polled).toEqual(['provider-1']);
    expect(fetched).toEqual([{ url: 'https://new.example/v.mp4', maxBytes: 1234 }]);
  });

  it('gives the fresh link, and when it expires, when the file is over the upload limit', async () => {
    const { ask } = setUp(fresh, { kind: 'too_large', sizeBytes: 99_999 });
    expect(await ask()).toEqual({
      kind: 'found',
      view: { kind: 'video_link', url: 'https://new.example/v.mp4', expiresAt: NOW + 600_000, limitBytes: 1234, sizeBytes: 99_999 },
      prompt: 'the waves roll in',
    });
  });

  it('does not believe a link that claims to live for ever', async () => {
    const { ask } = setUp({ ...fresh, video: { url: 'https://new.example/v.mp4', ttlSeconds: 1e306 } }, { kind: 'too_large' });
    const outcome = await ask();
    expect(outcome.kind === 'found' && outcome.view.kind === 'video_link' && outcome.view.expiresAt).toBe(NOW + 7 * 24 * 3_600_000);
  });

  it.each([
    ['the provider no longer knows the task', new ProviderRejected('task not found', { status: 404 }), undefined, 'gone'],
    ['the provider says it failed', { status: 'failed', rawStatus: 'TASK_STATUS_FAILED' }, undefined, 'gone'],
    ['the provider gives no video', { status: 'succeeded', rawStatus: 'TASK_STATUS_SUCCEED' }, undefined, 'gone'],
    ['the fresh link answers 404', fresh, new VideoDownloadError('video download answered 404', 404), 'gone'],
    ['the provider is not answering', new ProviderUnavailable({ status: 503 }), undefined, 'unavailable'],
    ['the download is cut', fresh, new VideoDownloadError('video download was interrupted'), 'unavailable'],
  ] as const)('says why when %s', async (_name, result, download, why) => {
    const { ask } = setUp(result, download);
    expect(await ask()).toEqual({ kind: 'not_sent', why });
  });

  it('sends nothing of another member, another server, a forgotten task or one without a video, and asks the provider nothing', async () => {
    const { ask, polled } = setUp(fresh);
    expect(await ask({ userId: '200000000000000002' })).toEqual({ kind: 'not_sent', why: 'not_allowed' });
    expect(await ask({ guildId: '300000000000000002' })).toEqual({ kind: 'not_sent', why: 'not_found' });
    expect(await ask({ taskId: 'forgotten' })).toEqual({ kind: 'not_sent', why: 'not_found' });
    expect(await ask({ taskId: 'failed' })).toEqual({ kind: 'not_sent', why: 'not_made' });
    expect(polled).toEqual([]);
  });
});
