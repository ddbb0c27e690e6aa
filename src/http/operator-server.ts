/**
 * The operator's HTTP endpoint (on when HTTP_PORT is set): `/healthz` for an orchestrator's probe, `/metrics`
 * for a Prometheus scrape, and 404 for everything else. Plain node:http: two read-only routes need no
 * framework, and nothing here may slow the bot down (each health check has a short time limit).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../logger.ts';

/** One part the bot cannot work without: true (or a resolved promise of true) when it is up. */
export type HealthCheck = () => boolean | Promise<boolean>;

/** What /metrics serves; a prom-client Registry is one. */
export interface MetricsSource {
  readonly contentType: string;
  metrics(): Promise<string>;
}

export interface OperatorServerOptions {
  host: string;
  port: number;
  /** By name (`discord`, `store`): all must be up for /healthz to answer 200. */
  health: Readonly<Record<string, HealthCheck>>;
  metrics: MetricsSource;
  logger: Logger;
  /** A check that has not answered within this is down. Default 1000 ms, inside a probe's usual 1 s limit. */
  checkTimeoutMs?: number;
}

export interface OperatorServer {
  /** `http://host:port`, with the port actually bound. */
  readonly url: string;
  close(): Promise<void>;
}

export interface HealthReport {
  status: 'ok' | 'unavailable';
  checks: Record<string, 'up' | 'down'>;
}

const DEFAULT_CHECK_TIMEOUT_MS = 1000;

/** Listens on host:port; rejects when it cannot (the port is taken, the host is not an address of this machine). */
export async function startOperatorServer(options: OperatorServerOptions): Promise<OperatorServer> {
  const server = createServer((req, res) => {
    route(req, res, options).catch((error: unknown) => {
      options.logger.error('operator endpoint failed', { path: req.url, error });
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (error) => options.logger.error('operator endpoint error', { error }));
  const { address, port } = server.address() as AddressInfo;
  const url = `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
  options.logger.info('operator endpoint listening', { url, paths: ['/healthz', '/metrics'] });
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // A scraper's keep-alive connection must not hold the shutdown.
        server.closeAllConnections();
      }),
  };
}

async function route(req: IncomingMessage, res: ServerResponse, options: OperatorServerOptions): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  if (path !== '/healthz' && path !== '/metrics') {
    send(res, req, 404, 'text/plain; charset=utf-8', 'not found\n');
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD' }).end();
    return;
  }
  if (path === '/healthz') {
    const report = await checkHealth(options.health, options.checkTimeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS, options.logger);
    send(res, req, report.status === 'ok' ? 200 : 503, 'application/json', `${JSON.stringify(report)}\n`);
    return;
  }
  send(res, req, 200, options.metrics.contentType, await options.metrics.metrics());
}

/** Runs every check at once; one that throws, answers false or takes too long is down. */
export async function checkHealth(checks: Readonly<Record<string, HealthCheck>>, timeoutMs: number, logger: Logger): Promise<HealthReport> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]): Promise<[string, 'up' | 'down']> => {
      try {
        return [name, (await withTimeout(check, timeoutMs)) ? 'up' : 'down'];
      } catch (error) {
        // Debug only: an orchestrator probes every few seconds, and the 503 already says which part is down.
        logger.debug('health check failed', { check: name, error });
        return [name, 'down'];
      }
    }),
  );
  const results = Object.fromEntries(entries);
  return { status: entries.every(([, state]) => state === 'up') ? 'ok' : 'unavailable', checks: results };
}

async function withTimeout(check: HealthCheck, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([Promise.resolve().then(check), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

function send(res: ServerResponse, req: IncomingMessage, status: number, contentType: string, body: string): void {
  // Probes and scrapes must always see the current state, never a cached one.
  res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body) });
  res.end(req.method === 'HEAD' ? undefined : body);
}
