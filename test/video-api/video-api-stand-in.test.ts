/** The stand-in must hold the documented line, or every test built on it proves less than it claims. */
import { request } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VideoApiStandIn } from '../support/video-api-stand-in.ts';

let standIn: VideoApiStandIn;

beforeEach(async () => {
  standIn = await VideoApiStandIn.start();
});

afterEach(async () => {
  await standIn.close();
});

const good = { image: 'aGVsbG8=', prompt: 'a wave', duration: '5', cfg_scale: 0.5, mode: 'pro' };

async function post(body: unknown, key = 'test-api-key'): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await request(`${standIn.baseUrl}/v3/async/kling-2.5-turbo-i2v`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.statusCode, json: (await res.body.json()) as Record<string, unknown> };
}

async function poll(taskId: string, key = 'test-api-key'): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await request(`${standIn.baseUrl}/v3/async/task-result?task_id=${encodeURIComponent(taskId)}`, {
    headers: { authorization: `Bearer ${key}` },
  });
  return { status: res.statusCode, json: (await res.body.json()) as Record<string, unknown> };
}

describe('VideoApiStandIn', () => {
  it('accepts a documented body and records what it received', async () => {
    const { status, json } = await post(good);
    expect(status).toBe(200);
    expect(typeof json.task_id).toBe('string');
    expect(standIn.submissions[0]?.body).toEqual(good);
  });

  it.each([
    ['no image', { ...good, image: undefined }],
    ['a data: prefixed image', { ...good, image: 'data:image/png;base64,aGVsbG8=' }],
    ['no prompt', { ...good, prompt: undefined }],
    ['a prompt over 2500 characters', { ...good, prompt: 'x'.repeat(2501) }],
    ['a numeric duration', { ...good, duration: 5 }],
    ['a 7 s duration', { ...good, duration: '7' }],
    ['cfg_scale as a string', { ...good, cfg_scale: '0.5' }],
    ['cfg_scale above 1', { ...good, cfg_scale: 1.5 }],
    ['another mode', { ...good, mode: 'std' }],
  ])('answers 400 INVALID_REQUEST_BODY for %s', async (_name, body) => {
    const { status, json } = await post(body);
    expect(status).toBe(400);
    expect(json).toMatchObject({ code: 400, reason: 'INVALID_REQUEST_BODY', metadata: {} });
    expect(standIn.taskIds).toEqual([]);
  });

  it('answers 401 INVALID_API_KEY for a wrong key on submit and on poll', async () => {
    expect(await post(good, 'nope')).toEqual({
      status: 401,
      json: { code: 401, reason: 'INVALID_API_KEY', message: 'invalid api key', metadata: {} },
    });
    expect((await poll('x', 'nope')).status).toBe(401);
  });

  it('answers 404 in the envelope for an unknown task', async () => {
    const { status, json } = await poll('missing');
    expect(status).toBe(404);
    expect(json).toMatchObject({ code: 404, reason: 'TASK_NOT_FOUND' });
  });

  it('answers the documented result shape, with the ttl as a string and a link back to itself', async () => {
    standIn.nextTask({ pollsBeforeDone: 0, outcome: { kind: 'succeed', video: Buffer.from('tiny'), ttlSeconds: 60 } });
    const taskId = String((await post(good)).json.task_id);
    const { json } = await poll(taskId);

    expect(Object.keys(json).sort()).toEqual(['audios', 'extra', 'images', 'task', 'videos']);
    expect(json.task).toMatchObject({ task_id: taskId, status: 'TASK_STATUS_SUCCEED', reason: '', eta: 0, progress_percent: 100 });
    expect(json.videos).toEqual([
      { video_url: `${standIn.baseUrl}/files/${taskId}.mp4?X-Amz-Expires=60`, video_url_ttl: '60', video_type: 'mp4' },
    ]);
    const file = await request(`${standIn.baseUrl}/files/${taskId}.mp4?X-Amz-Expires=60`);
    expect(await file.body.text()).toBe('tiny');
    expect(file.headers['content-length']).toBe('4');
  });

  it('serves a real mp4 by default', async () => {
    standIn.nextTask({ pollsBeforeDone: 0 });
    const taskId = String((await post(good)).json.task_id);
    const { json } = await poll(taskId);
    const url = (json.videos as { video_url: string }[])[0]?.video_url ?? '';
    const file = await request(url);
    const bytes = Buffer.from(await file.body.arrayBuffer());
    expect(file.headers['content-type']).toBe('video/mp4');
    expect(bytes.subarray(4, 8).toString('latin1')).toBe('ftyp');
    expect(bytes.length).toBeGreaterThan(1_000);
    expect(bytes.length).toBeLessThan(100_000);
  });

  it('resolves waitForSubmission with the next submission to arrive', async () => {
    const waiting = standIn.waitForSubmission();
    await post({ ...good, prompt: 'second' });
    expect((await waiting).body.prompt).toBe('second');
  });
});
