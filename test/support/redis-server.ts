import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { createClient } from '@keyv/redis';

export interface RedisServer {
  /** `redis://127.0.0.1:<port>`; append `/<n>` for database n. */
  readonly url: string;
  stop(): Promise<void>;
}

/** Debian's redis-server on PATH (or in /usr/bin), or undefined when it is not installed. */
export function findRedisServer(): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/bin', '/usr/local/bin'];
  for (const dir of dirs) {
    if (!dir) continue;
    const candidate = join(dir, 'redis-server');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** A throwaway redis-server on a free loopback port: no persistence, its files in a temporary directory. */
export async function startRedisServer(executable: string, timeoutMs = 10_000): Promise<RedisServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'animate-redis-'));
  const child = spawn(executable, ['--save', '', '--appendonly', 'no', '--bind', '127.0.0.1', '--port', String(port), '--dir', dir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const process = { exited: false };
  child.once('exit', () => (process.exited = true));

  const stop = async () => {
    await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + timeoutMs;
  while (!(await answersPing(port))) {
    if (process.exited || Date.now() > deadline) {
      await stop();
      throw new Error(`redis-server did not answer PING on port ${port}:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { url: `redis://127.0.0.1:${port}`, stop };
}

/** Empties one database, so each test starts from nothing. */
export async function flushRedisDatabase(url: string): Promise<void> {
  await withClient(url, async (client) => {
    await client.flushDb();
  });
}

/** Every key in one database, sorted (small test databases only). */
export function redisKeys(url: string): Promise<string[]> {
  return withClient(url, async (client) => (await client.keys('*')).sort());
}

/** A key's time to live in ms (PTTL: -1 without one, -2 when absent). */
export function redisTtlMs(url: string, key: string): Promise<number> {
  return withClient(url, (client) => client.pTTL(key));
}

/** The server's count of calls of each command since it started (INFO commandstats), e.g. `evalsha`, `script|load`. */
export function redisCommandCalls(url: string): Promise<Map<string, number>> {
  return withClient(url, async (client) => {
    const info = await client.info('commandstats');
    return new Map([...info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)].map((m) => [m[1] ?? '', Number(m[2])]));
  });
}

/** Writes `value` under `key` as it is, past the store's own checks: what a hand edit or another program could leave. */
export function setRedisValue(url: string, key: string, value: string): Promise<void> {
  return withClient(url, async (client) => {
    await client.set(key, value);
  });
}

/** Makes the server forget every Lua script it has cached, as a restart does. */
export function forgetRedisScripts(url: string): Promise<void> {
  return withClient(url, async (client) => {
    await client.scriptFlush();
  });
}

interface TestClient {
  flushDb(): Promise<unknown>;
  keys(pattern: string): Promise<string[]>;
  info(section: string): Promise<string>;
  scriptFlush(): Promise<unknown>;
  pTTL(key: string): Promise<number>;
  set(key: string, value: string): Promise<unknown>;
}

async function withClient<T>(url: string, use: (client: TestClient) => Promise<T>): Promise<T> {
  const client = createClient({ url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.close();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}

/** One raw PING over a socket: the server is up once it answers +PONG. */
function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    const done = (answered: boolean) => {
      socket.destroy();
      resolve(answered);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('error', () => done(false));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
    socket.write('PING\r\n');
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
