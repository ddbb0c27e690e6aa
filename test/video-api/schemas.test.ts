import { describe, expect, it } from 'vitest';
import {
  MAX_ETA_SECONDS,
  MAX_LINK_TTL_SECONDS,
  parseErrorBody,
  parseTaskResult,
  submitResponseSchema,
} from '../../src/video-api/schemas.ts';

const documentedSuccess = {
  extra: {
    seed: '1234',
    debug_info: { request_info: '', submit_time_ms: '1732492800000', execute_time_ms: '1732492805000', complete_time_ms: '1732492960000' },
  },
  task: { task_id: '7c9e', task_type: 'KLING_V2_5_TURBO_I2V', status: 'TASK_STATUS_SUCCEED', reason: '', eta: 0, progress_percent: 100 },
  images: [],
  videos: [{ video_url: 'https://cdn.example/output.mp4?X-Amz-Expires=3600&sig=1', video_url_ttl: '3600', video_type: 'mp4' }],
  audios: [],
};

function withTask(task: Record<string, unknown>, rest: Record<string, unknown> = {}): Record<string, unknown> {
  return { task: { task_id: 't1', ...task }, ...rest };
}

describe('submit response', () => {
  it('reads the task id and ignores extra fields', () => {
    expect(submitResponseSchema.parse({ task_id: 'abc', other: 1 })).toEqual({ task_id: 'abc' });
  });

  it('refuses an answer without a task id', () => {
    expect(submitResponseSchema.safeParse({}).success).toBe(false);
    expect(submitResponseSchema.safeParse({ task_id: '' }).success).toBe(false);
  });
});

describe('task result', () => {
  it('reads the documented finished task: status, video url and a ttl sent as a string', () => {
    expect(parseTaskResult(documentedSuccess)).toEqual({
      status: 'succeeded',
      rawStatus: 'TASK_STATUS_SUCCEED',
      etaSeconds: 0,
      progressPercent: 100,
      video: { url: 'https://cdn.example/output.mp4?X-Amz-Expires=3600&sig=1', ttlSeconds: 3600 },
    });
  });

  it('reads a ttl sent as a number', () => {
    const body = withTask({ status: 'TASK_STATUS_SUCCEED' }, { videos: [{ video_url: 'https://x/v.mp4', video_url_ttl: 1800 }] });
    expect(parseTaskResult(body)?.video).toEqual({ url: 'https://x/v.mp4', ttlSeconds: 1800 });
  });

  it('reads a queued task', () => {
    expect(parseTaskResult(withTask({ status: 'TASK_STATUS_QUEUED', eta: 180 }, { videos: [] }))).toEqual({
      status: 'queued',
      rawStatus: 'TASK_STATUS_QUEUED',
      etaSeconds: 180,
    });
  });

  it('reads a processing task with eta and progress, numbers sent as strings included', () => {
    expect(parseTaskResult(withTask({ status: 'TASK_STATUS_PROCESSING', eta: '42', progress_percent: '60' }))).toEqual({
      status: 'processing',
      rawStatus: 'TASK_STATUS_PROCESSING',
      etaSeconds: 42,
      progressPercent: 60,
    });
  });

  it('reads a processing task whose eta and progress are missing or null', () => {
    expect(parseTaskResult(withTask({ status: 'TASK_STATUS_PROCESSING' }))).toEqual({
      status: 'processing',
      rawStatus: 'TASK_STATUS_PROCESSING',
    });
    expect(parseTaskResult(withTask({ status: 'TASK_STATUS_PROCESSING', eta: null, progress_percent: null, reason: null }))).toEqual({
      status: 'processing',
      rawStatus: 'TASK_STATUS_PROCESSING',
    });
  });

  it('treats an unreadable eta as absent rather than failing the poll', () => {
    expect(parseTaskResult(withTask({ status: 'TASK_STATUS_PROCESSING', eta: 'soon', progress_percent: '' }))).toEqual({
      status: 'processing',
      rawStatus: 'TASK_STATUS_PROCESSING',
    });
  });

  it('clamps huge or negative numbers from the provider into a range a record can hold', () => {
    const result = parseTaskResult({
      task: { task_id: 't', status: 'TASK_STATUS_PROCESSING', eta: 1e306, progress_percent: 250 },
      videos: [],
    });
    expect(result?.etaSeconds).toBe(MAX_ETA_SECONDS);
    expect(result?.progressPercent).toBe(100);
    const done = parseTaskResult({
      task: { task_id: 't', status: 'TASK_STATUS_SUCCEED', eta: -5, progress_percent: -1 },
      videos: [{ video_url: 'https://cdn/v.mp4', video_url_ttl: '1e308' }],
    });
    expect(done?.video?.ttlSeconds).toBe(MAX_LINK_TTL_SECONDS);
    expect(done?.etaSeconds).toBe(0);
    expect(done?.progressPercent).toBe(0);
  });

  it('reads a failed task with its reason', () => {
    expect(parseTaskResult(withTask({ status: 'TASK_STATUS_FAILED', reason: 'content moderation' }))).toEqual({
      status: 'failed',
      rawStatus: 'TASK_STATUS_FAILED',
      reason: 'content moderation',
    });
  });

  it('keeps at most 2000 characters of a failed task reason, so the task record stays readable', () => {
    const reason = 'The image violates the content policy because '.repeat(60).slice(0, 2585);
    const parsed = parseTaskResult(withTask({ status: 'TASK_STATUS_FAILED', reason }));
    expect(parsed?.reason).toBe(reason.slice(0, 2000));
  });

  it('maps an unknown status to unknown, keeping the raw token for the log', () => {
    expect(parseTaskResult(withTask({ status: 'TASK_STATUS_PAUSED' }))).toEqual({ status: 'unknown', rawStatus: 'TASK_STATUS_PAUSED' });
  });

  it('reads a success whose videos are missing, null or empty as a success without a video', () => {
    for (const videos of [undefined, null, []]) {
      const result = parseTaskResult(withTask({ status: 'TASK_STATUS_SUCCEED' }, { videos }));
      expect(result).toEqual({ status: 'succeeded', rawStatus: 'TASK_STATUS_SUCCEED' });
    }
  });

  it('skips a malformed video entry and uses the next good one', () => {
    const body = withTask({ status: 'TASK_STATUS_SUCCEED' }, { videos: [{ video_type: 'mp4' }, { video_url: 'https://x/ok.mp4' }] });
    expect(parseTaskResult(body)?.video).toEqual({ url: 'https://x/ok.mp4' });
  });

  it('ignores unknown extra fields everywhere', () => {
    const body = {
      ...documentedSuccess,
      brand_new: { nested: true },
      task: { ...documentedSuccess.task, queue_position: 3 },
      videos: [{ ...documentedSuccess.videos[0], width: 1920 }],
    };
    expect(parseTaskResult(body)?.status).toBe('succeeded');
    expect(parseTaskResult(body)?.video?.url).toBe(documentedSuccess.videos[0]?.video_url);
  });

  it('refuses bodies that are not a task result at all', () => {
    expect(parseTaskResult(undefined)).toBeUndefined();
    expect(parseTaskResult({})).toBeUndefined();
    expect(parseTaskResult({ task: {} })).toBeUndefined();
    expect(parseTaskResult('TASK_STATUS_SUCCEED')).toBeUndefined();
  });
});

describe('error body', () => {
  it('reads the flat envelope', () => {
    expect(
      parseErrorBody(JSON.stringify({ code: 400, reason: 'INVALID_REQUEST_BODY', message: 'prompt is required', metadata: {} })),
    ).toEqual({
      code: 400,
      reason: 'INVALID_REQUEST_BODY',
      message: 'prompt is required',
    });
  });

  it('reads a bare message', () => {
    expect(parseErrorBody('{"message":"image too small"}')).toEqual({ message: 'image too small' });
  });

  it('reads plain text as the message and ignores an html error page', () => {
    expect(parseErrorBody('upstream connect error')).toEqual({ message: 'upstream connect error' });
    expect(parseErrorBody('<html><body>502 Bad Gateway</body></html>')).toEqual({});
    expect(parseErrorBody('')).toEqual({});
  });

  it('tolerates odd field types and trims long messages for a phone screen', () => {
    const parsed = parseErrorBody(JSON.stringify({ code: '429', reason: null, message: `too\n  many ${'x'.repeat(1000)}` }));
    expect(parsed.code).toBe(429);
    expect(parsed.reason).toBeUndefined();
    expect(parsed.message?.startsWith('too many x')).toBe(true);
    expect(parsed.message?.length).toBeLessThanOrEqual(300);
  });

  it('reads a JSON value that is not an object as no details', () => {
    expect(parseErrorBody('[1,2]')).toEqual({});
    expect(parseErrorBody('null')).toEqual({});
  });
});
