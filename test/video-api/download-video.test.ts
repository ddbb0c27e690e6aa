/**
 * Downloading the finished video: only over https and never from a private, loopback or link-local
 * address, unless the test setting allows the stand-in (ALLOW_INSECURE_DOWNLOADS). Each refusal is checked
 * to reach nothing: the local server counts the connections it was offered.
 */
import type { LookupAddress } from 'node:dns';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDownloadDispatcher, SAFE_DOWNLOADS, type DownloadPolicy } from '../../src/download-policy.ts';
import { downloadVideo, VideoDownloadError, VideoUrlRefused } from '../../src/video-api/download-video.ts';

const STAND_IN: DownloadPolicy = { attachmentHosts: ['127.0.0.1'], allowInsecure: true };
const MP4 = Buffer.from('not really an mp4, but bytes all the same');

let server: Server;
let port: number;
let handler: (req: IncomingMessage, res: ServerResponse) => void;
let requests: string[];
let connections: number;
/** The download's directory: what is left in it is what the bot would leave on disk. */
let dir: string;
let files = 0;
const target = () => join(dir, `video-${files++}.mp4`);

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'animate-download-'));
  requests = [];
  connections = 0;
  handler = (_req, res) => res.writeHead(200, { 'content-length': MP4.length }).end(MP4);
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    handler(req, res);
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterEach(async () => {
  rmSync(dir, { recursive: true, force: true });
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function refusal(promise: Promise<unknown>): Promise<VideoUrlRefused> {
  const error = await promise.then(
    () => {
      throw new Error('the download succeeded');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(VideoUrlRefused);
  return error as VideoUrlRefused;
}

describe('downloadVideo', () => {
  it('streams the video to a file, when insecure downloads are allowed (the stand-in)', async () => {
    const path = target();
    const got = await downloadVideo(`http://127.0.0.1:${port}/files/v.mp4`, { maxBytes: 1000, path, policy: STAND_IN });
    expect(got).toEqual({ kind: 'file', file: { path, sizeBytes: MP4.length } });
    expect(readFileSync(path).equals(MP4)).toBe(true);
  });

  it('answers too_large for a video declared over the limit, without reading it or creating the file', async () => {
    const path = target();
    expect(await downloadVideo(`http://127.0.0.1:${port}/files/v.mp4`, { maxBytes: 10, path, policy: STAND_IN })).toEqual({
      kind: 'too_large',
      sizeBytes: MP4.length,
    });
    expect(existsSync(path)).toBe(false);
  });

  it('stops a download that grows past the limit (no Content-Length) and removes what it wrote', async () => {
    let written = 0;
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'video/mp4' });
      // 64 KiB chunks without end: only the limit stops it.
      const chunk = Buffer.alloc(64 * 1024, 7);
      const pump = () => {
        while (res.write(chunk)) {
          written += chunk.length;
          if (written > 50 * 1024 * 1024) return res.end();
        }
        res.once('drain', pump);
      };
      pump();
    };
    const got = await downloadVideo(`http://127.0.0.1:${port}/files/v.mp4`, { maxBytes: 1024 * 1024, path: target(), policy: STAND_IN });
    expect(got).toEqual({ kind: 'too_large' });
    expect(readdirSync(dir)).toEqual([]);
    expect(written).toBeLessThan(50 * 1024 * 1024);
  });

  it('a download cut off midway is a failed download, and leaves no file behind', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-length': '100000' });
      res.write(Buffer.alloc(1000));
      setTimeout(() => res.destroy(), 20);
    };
    const error = await downloadVideo(`http://127.0.0.1:${port}/files/v.mp4`, { maxBytes: 1e6, path: target(), policy: STAND_IN }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(VideoDownloadError);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('follows no redirect: a 302 is a failed download, and its target is never asked', async () => {
    handler = (_req, res) => res.writeHead(302, { location: `http://127.0.0.1:${port}/elsewhere.mp4` }).end();
    const error = await downloadVideo(`http://127.0.0.1:${port}/files/v.mp4`, { maxBytes: 1000, path: target(), policy: STAND_IN }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(VideoDownloadError);
    expect(error).not.toBeInstanceOf(VideoUrlRefused);
    expect((error as VideoDownloadError).status).toBe(302);
    expect(requests).toEqual(['/files/v.mp4']);
  });
});

describe('downloadVideo refuses, by default, what could reach the bot’s own network', () => {
  it('a plain http URL, before any request', async () => {
    await refusal(downloadVideo(`http://127.0.0.1:${port}/files/v.mp4`, { maxBytes: 1000, path: target() }));
    await refusal(downloadVideo('http://cdn.provider.example/v.mp4', { maxBytes: 1000, path: target(), policy: SAFE_DOWNLOADS }));
    expect(connections).toBe(0);
  });

  it.each(['127.0.0.1', '[::1]', '169.254.169.254', '10.0.0.7', '[::ffff:127.0.0.1]', '0.0.0.0'])(
    'an address that is not public (%s), without connecting',
    async (host) => {
      await refusal(downloadVideo(`https://${host}:${port}/files/v.mp4`, { maxBytes: 1000, path: target() }));
      expect(connections).toBe(0);
    },
  );

  it('a name that resolves to loopback (localhost), without connecting', async () => {
    await refusal(downloadVideo(`https://localhost:${port}/files/v.mp4`, { maxBytes: 1000, path: target() }));
    expect(connections).toBe(0);
  });

  it('a name whose DNS answer is private or link-local, through a shared dispatcher too', async () => {
    const asked: string[] = [];
    const answers: Record<string, LookupAddress[]> = {
      'metadata.provider.example': [{ address: '169.254.169.254', family: 4 }],
      'internal.provider.example': [
        { address: '10.0.0.7', family: 4 },
        { address: 'fd00::7', family: 6 },
      ],
      'mapped.provider.example': [{ address: '::ffff:127.0.0.1', family: 6 }],
    };
    const dispatcher = createDownloadDispatcher(SAFE_DOWNLOADS, {
      resolve: (hostname, _options, callback) => {
        asked.push(hostname);
        callback(null, answers[hostname] ?? []);
      },
    });
    try {
      for (const host of Object.keys(answers)) {
        await refusal(downloadVideo(`https://${host}:${port}/v.mp4`, { maxBytes: 1000, path: target(), dispatcher }));
      }
    } finally {
      await dispatcher.close();
    }
    // Each name was resolved once, by the connection itself: no earlier check whose answer could differ.
    expect(asked).toEqual(Object.keys(answers));
    expect(connections).toBe(0);
  });
});
