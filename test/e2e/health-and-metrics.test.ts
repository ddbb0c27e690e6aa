/**
 * The operator's endpoint end to end: the real bot with HTTP_PORT set, against the Discord and video-API
 * stand-ins, probed and scraped over HTTP as an orchestrator and Prometheus would.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BotHarness } from '../support/bot-harness.ts';
import { freePort } from '../support/free-port.ts';
import { makePng } from '../support/image-fixtures.ts';
import { sampleSum } from '../support/prometheus-text.ts';

describe('health and metrics', () => {
  let h: BotHarness;
  let base: string;

  beforeEach(async () => {
    const port = await freePort();
    h = await BotHarness.start({ env: { HTTP_PORT: String(port) } });
    await h.startBot();
    base = `http://127.0.0.1:${port}`;
  });

  afterEach(async () => {
    await h.stop();
  });

  async function health(): Promise<{ status: number; body: unknown }> {
    const response = await fetch(`${base}/healthz`);
    return { status: response.status, body: await response.json() };
  }

  async function scrape(): Promise<string> {
    const response = await fetch(`${base}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return response.text();
  }

  /** Polls until `check` passes (the bot reacts to a dropped connection or a finished step in its own time). */
  async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await read();
      if (check(value) || Date.now() > deadline) return value;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('is healthy while connected to Discord and the store answers', async () => {
    const ready = await eventually(health, (r) => r.status === 200);
    expect(ready).toEqual({ status: 200, body: { status: 'ok', checks: { discord: 'up', store: 'up' } } });
  });

  it('turns unhealthy while the gateway is down, and healthy again once the bot has reconnected', async () => {
    await eventually(health, (r) => r.status === 200);
    h.discord.dropGateway();
    const down = await eventually(health, (r) => r.status === 503);
    expect(down).toEqual({ status: 503, body: { status: 'unavailable', checks: { discord: 'down', store: 'up' } } });

    h.discord.restoreGateway();
    // discord.js spaces identifies 5 s apart, so coming back takes a few seconds.
    await h.discord.waitForIdentify(15_000, 2);
    const back = await eventually(health, (r) => r.status === 200);
    expect(back.status).toBe(200);
  });

  it('turns unhealthy when the store stops answering', async () => {
    await eventually(health, (r) => r.status === 200);
    await h.app?.store.close();
    expect(await health()).toEqual({ status: 503, body: { status: 'unavailable', checks: { discord: 'up', store: 'down' } } });
  });

  it('answers nothing but its two paths', async () => {
    for (const path of ['/', '/metrics/extra', '/health', '/favicon.ico']) {
      expect((await fetch(`${base}${path}`)).status, path).toBe(404);
    }
    const post = await fetch(`${base}/metrics`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  function animate(input: { picture?: Buffer; attachmentSizeLimit?: number } = {}) {
    const picture = input.picture ?? makePng(640, 480);
    const url = h.discord.hostAttachment(`${Math.random().toString(36).slice(2)}.png`, picture, 'image/png');
    return h.discord.dispatchCommand({
      commandName: 'animate',
      options: [
        { name: 'image', type: 11, value: '900000000000000001' },
        { name: 'prompt', type: 3, value: 'the waves roll in slowly' },
      ],
      attachments: [
        { id: '900000000000000001', filename: 'photo.png', size: picture.length, url, content_type: 'image/png', width: 640, height: 480 },
      ],
      ...(input.attachmentSizeLimit !== undefined ? { attachmentSizeLimit: input.attachmentSizeLimit } : {}),
    });
  }

  const counted = (kind: string) => async () => sampleSum(await scrape(), 'animate_deliveries_total', { kind });

  it('counts a task from the command to its delivery', async () => {
    const before = await scrape();
    animate();
    await h.waitForVideoEdit();
    // The edit has reached Discord; the task is recorded as delivered right after.
    const after = await eventually(scrape, (text) => sampleSum(text, 'animate_task_transitions_total', { state: 'delivered' }) === 1);

    const grew = (name: string, labels: Record<string, string> = {}) => sampleSum(after, name, labels) - sampleSum(before, name, labels);
    expect(grew('animate_acknowledgement_seconds_count')).toBe(1);
    expect(grew('animate_acknowledgement_seconds_bucket', { le: '3' })).toBe(1);
    expect(grew('animate_submissions_total', { outcome: 'accepted' })).toBe(1);
    expect(grew('animate_polls_total', { outcome: 'running' })).toBeGreaterThanOrEqual(1);
    expect(grew('animate_polls_total', { outcome: 'succeeded' })).toBe(1);
    expect(grew('animate_provider_requests_total', { operation: 'submit', status: '200' })).toBe(1);
    expect(grew('animate_provider_requests_total', { operation: 'getResult', status: '200' })).toBe(h.video.polls.length);
    expect(grew('animate_provider_request_duration_seconds_count', { operation: 'submit' })).toBe(1);
    expect(grew('animate_deliveries_total', { kind: 'edit' })).toBe(1);
    expect(grew('animate_deliveries_total', { kind: 'channel' })).toBe(0);
    expect(grew('animate_task_transitions_total', { state: 'failing' })).toBe(0);
    expect(sampleSum(after, 'animate_tasks_open')).toBe(0);

    // The default process metrics and the event-loop delay are served beside the bot's own.
    expect(after).toMatch(/^process_resident_memory_bytes \d+/m);
    expect(after).toMatch(/^nodejs_eventloop_lag_p99_seconds [\d.e-]+/m);
  });

  it('counts each way a final answer reaches the member', async () => {
    // Over the upload limit: the reply is edited with a link.
    h.video.nextTask({ outcome: { kind: 'succeed', video: Buffer.alloc(3 * 1024 * 1024, 7) } });
    animate({ attachmentSizeLimit: 1024 * 1024 });
    expect(await eventually(counted('link'), (n) => n === 1)).toBe(1);

    // The token expired during the generation: posted in the channel.
    h.video.nextTask({ pollsBeforeDone: 3, etaSeconds: 1 });
    const submitted = h.video.waitForSubmission(8_000);
    const { token } = animate();
    await submitted;
    h.discord.expireInteraction(token);
    expect(await eventually(counted('channel'), (n) => n === 1)).toBe(1);

    // A picture too small: told privately.
    animate({ picture: makePng(200, 200) });
    expect(await eventually(counted('private'), (n) => n === 1)).toBe(1);

    const text = await scrape();
    expect(sampleSum(text, 'animate_deliveries_total', { kind: 'edit' })).toBe(0);
    expect(sampleSum(text, 'animate_task_failures_total', { kind: 'picture_too_small' })).toBe(1);
  });
});
