import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, silentLogger } from '../../src/logger.ts';
import { startOperatorServer, type HealthCheck, type OperatorServer } from '../../src/http/operator-server.ts';

let server: OperatorServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(health: Record<string, HealthCheck>, options: { checkTimeoutMs?: number; metrics?: () => Promise<string> } = {}) {
  server = await startOperatorServer({
    host: '127.0.0.1',
    port: 0,
    health,
    metrics: { contentType: 'text/plain; version=0.0.4; charset=utf-8', metrics: options.metrics ?? (async () => 'up 1\n') },
    logger: silentLogger,
    ...(options.checkTimeoutMs !== undefined ? { checkTimeoutMs: options.checkTimeoutMs } : {}),
  });
  return server.url;
}

describe('the operator endpoint', () => {
  it('answers 200 with every part up', async () => {
    const url = await start({ discord: () => true, store: async () => true });
    const response = await fetch(`${url}/healthz`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toEqual({ status: 'ok', checks: { discord: 'up', store: 'up' } });
  });

  it('answers 503 naming the part that is down: false, a throw, or no answer in time', async () => {
    const url = await start(
      {
        discord: () => false,
        store: () => Promise.reject(new Error('database is closed')),
        slow: () => new Promise<boolean>(() => undefined),
        fine: () => true,
      },
      { checkTimeoutMs: 50 },
    );
    const startedAt = Date.now();
    const response = await fetch(`${url}/healthz`);
    expect(Date.now() - startedAt).toBeLessThan(1000);
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ status: 'unavailable', checks: { discord: 'down', store: 'down', slow: 'down', fine: 'up' } });
  });

  it('serves the metrics with their content type', async () => {
    const url = await start({}, { metrics: async () => 'animate_polls_total{outcome="running"} 3\n' });
    const response = await fetch(`${url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(await response.text()).toBe('animate_polls_total{outcome="running"} 3\n');
  });

  it('answers HEAD without a body, and 404 for any other path, query strings aside', async () => {
    const url = await start({ discord: () => true });
    const head = await fetch(`${url}/healthz`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    expect((await fetch(`${url}/healthz?verbose=1`)).status).toBe(200);
    for (const path of ['/', '/healthz/', '/metricsx', '/../metrics/x']) {
      expect((await fetch(`${url}${path}`)).status, path).toBe(404);
    }
    const put = await fetch(`${url}/healthz`, { method: 'PUT' });
    expect(put.status).toBe(405);
  });

  it('answers 500 and logs when the metrics cannot be collected', async () => {
    const lines: string[] = [];
    server = await startOperatorServer({
      host: '127.0.0.1',
      port: 0,
      health: {},
      metrics: { contentType: 'text/plain', metrics: () => Promise.reject(new Error('collector broke')) },
      logger: createLogger({ level: 'error', write: (line) => lines.push(line) }),
    });
    expect((await fetch(`${server.url}/metrics`)).status).toBe(500);
    expect(lines.join('\n')).toContain('collector broke');
  });

  it('refuses to start on a port that is taken', async () => {
    const url = await start({});
    const port = Number(new URL(url).port);
    await expect(
      startOperatorServer({
        host: '127.0.0.1',
        port,
        health: {},
        metrics: { contentType: 'text/plain', metrics: async () => '' },
        logger: silentLogger,
      }),
    ).rejects.toThrow(/EADDRINUSE/);
  });

  it('closes even while a scraper keeps its connection open', async () => {
    const url = await start({ discord: () => true });
    await fetch(`${url}/healthz`, { headers: { connection: 'keep-alive' } });
    const closing = server?.close();
    server = undefined;
    await expect(closing).resolves.toBeUndefined();
  });
});
