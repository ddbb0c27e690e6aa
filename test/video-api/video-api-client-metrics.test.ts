import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.ts';
import { VideoApiClient } from '../../src/video-api/video-api-client.ts';
import { ProviderMisconfigured } from '../../src/video-api/video-api-errors.ts';
import { RecordingMetrics } from '../support/recording-metrics.ts';
import { VideoApiStandIn } from '../support/video-api-stand-in.ts';

const API_KEY = 'sk-test-0123456789';
const IMAGE = Buffer.from('picture').toString('base64');

describe('the video API client reports each exchange', () => {
  let standIn: VideoApiStandIn;
  let metrics: RecordingMetrics;
  let now: number;

  beforeEach(async () => {
    standIn = await VideoApiStandIn.start({ apiKey: API_KEY });
    metrics = new RecordingMetrics();
    now = 0;
  });

  afterEach(async () => {
    await standIn.close();
  });

  /** Every reading of the clock moves it 5 ms on, so a duration is the readings in between times 5. */
  const client = (apiKey = API_KEY) =>
    new VideoApiClient({
      baseUrl: standIn.baseUrl,
      apiKey,
      logger: silentLogger,
      metrics,
      sleep: async () => undefined,
      random: () => 0,
      now: () => (now += 5),
    });

  it('with its operation, HTTP status and duration, retries included', async () => {
    const api = client();
    const { taskId } = await api.submit({ image: IMAGE, prompt: 'waves', duration: '5', cfgScale: 0.5 });
    standIn.failNextPoll(503, { code: 503, reason: 'SERVICE_NOT_AVAILABLE', message: 'busy' });
    await api.getResult(taskId);

    expect(metrics.of('providerRequest')).toEqual([
      ['submit', 200, 5],
      ['getResult', 503, 5],
      ['getResult', 200, 5],
    ]);
  });

  it('as `network` when no answer came back, and with the status of a refusal', async () => {
    const api = client();
    standIn.dropNextPoll();
    await api.getResult('task-unknown').catch(() => undefined);
    await expect(client('wrong-key-0123456789').getResult('x')).rejects.toBeInstanceOf(ProviderMisconfigured);

    expect(metrics.of('providerRequest').map(([operation, status]) => [operation, status])).toEqual([
      ['getResult', 'network'],
      ['getResult', 404],
      ['getResult', 401],
    ]);
  });
});
