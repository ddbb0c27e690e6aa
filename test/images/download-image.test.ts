import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { renderFailure } from '../../src/catalogue/render-failure.ts';
import { InvalidImage, UserFacingError } from '../../src/errors.ts';
import { downloadImage } from '../../src/images/download-image.ts';
import { ImageUnavailable } from '../../src/images/image-unavailable.ts';
import { makePng } from '../support/image-fixtures.ts';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** A local stand-in for Discord's CDN, recording what it was asked for. */
let server: Server;
let baseUrl: string;
let handler: Handler;
let requests: string[];
let agent: Agent;

beforeEach(async () => {
  requests = [];
  handler = (_req, res) => res.writeHead(500).end();
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  agent = new Agent();
});

afterEach(async () => {
  await agent.close();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function failure(promise: Promise<unknown>): Promise<UserFacingError> {
  const error = await promise.then(
    () => {
      throw new Error('the download succeeded');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UserFacingError);
  return error as UserFacingError;
}

const TOO_LARGE = 'That picture is larger than 10 MB; please attach a smaller one.';
const UNAVAILABLE = "Couldn't download your picture from Discord. Please try again.";

/**
 * Writes 64 KB chunks without a Content-Length, up to 50 MB, honouring back-pressure, and records how much
 * it managed to write and whether the client hung up before the end.
 */
function endlessPicture(): { written: () => number; outcome: Promise<'finished' | 'cut off'> } {
  let written = 0;
  let resolveOutcome: (outcome: 'finished' | 'cut off') => void = () => {};
  const outcome = new Promise<'finished' | 'cut off'>((resolve) => (resolveOutcome = resolve));
  handler = (_req, res) => {
    res.writeHead(200, { 'content-type': 'image/png' });
    const chunk = Buffer.alloc(64 * 1024, 0x42);
    let closed = false;
    res.on('close', () => {
      closed = true;
      resolveOutcome(written >= 50_000_000 ? 'finished' : 'cut off');
    });
    const pump = (): void => {
      while (!closed && written < 50_000_000) {
        written += chunk.length;
        if (!res.write(chunk)) {
          res.once('drain', pump);
          return;
        }
      }
      if (!closed) res.end();
    };
    pump();
  };
  return { written: () => written, outcome };
}

describe('downloadImage', () => {
  it('returns the bytes the server sent', async () => {
    const png = makePng(640, 480);
    handler = (_req, res) => res.writeHead(200, { 'content-type': 'image/png', 'content-length': png.length }).end(png);
    const bytes = await downloadImage(`${baseUrl}/attachments/1/2/cat.png?ex=abc`, { dispatcher: agent });
    expect(bytes.equals(png)).toBe(true);
    expect(requests).toEqual(['/attachments/1/2/cat.png?ex=abc']);
  });

  it('returns a body sent without a length (chunked) in full', async () => {
    const png = makePng(320, 320);
    handler = (_req, res) => {
      res.writeHead(200);
      res.write(png.subarray(0, 1000));
      setTimeout(() => res.end(png.subarray(1000)), 10);
    };
    expect((await downloadImage(`${baseUrl}/p.png`, { dispatcher: agent })).equals(png)).toBe(true);
  });

  it('works with the default dispatcher too', async () => {
    const png = makePng(300, 300);
    handler = (_req, res) => res.writeHead(200).end(png);
    expect((await downloadImage(`${baseUrl}/p.png`)).equals(png)).toBe(true);
  });

  it('accepts a body of exactly the limit', async () => {
    handler = (_req, res) => res.writeHead(200).end(Buffer.alloc(1000, 1));
    expect((await downloadImage(`${baseUrl}/p.png`, { maxBytes: 1000, dispatcher: agent })).length).toBe(1000);
  });

  it('refuses a declared Content-Length over the limit without waiting for the body', async () => {
    let hungUp: () => void = () => {};
    const closed = new Promise<void>((resolve) => (hungUp = resolve));
    handler = (_req, res) => {
      res.on('close', () => hungUp());
      // Headers only: were the client to read the body, it would wait forever.
      res.writeHead(200, { 'content-length': 50_000_000 });
      res.flushHeaders();
    };
    const error = await failure(downloadImage(`${baseUrl}/huge.png`, { dispatcher: agent, timeoutMs: 10_000 }));
    expect(error).toBeInstanceOf(InvalidImage);
    expect(renderFailure(error.failure, 'en-US')).toBe(TOO_LARGE);
    await closed;
  });

  it('cuts off a body without a length as soon as it passes the limit', async () => {
    const server = endlessPicture();
    const error = await failure(downloadImage(`${baseUrl}/endless.png`, { dispatcher: agent }));
    expect(error).toBeInstanceOf(InvalidImage);
    expect(renderFailure(error.failure, 'en-US')).toBe(TOO_LARGE);
    expect(await server.outcome).toBe('cut off');
    // What was sent is the limit plus what the socket buffers held, nowhere near the 50 MB on offer.
    expect(server.written()).toBeGreaterThan(10_000_000);
    expect(server.written()).toBeLessThan(20_000_000);
  });

  it('tells the member to try again when the server answers 404, and reads no further', async () => {
    handler = (_req, res) => res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
    const error = await failure(downloadImage(`${baseUrl}/gone.png`, { dispatcher: agent }));
    expect(error).toBeInstanceOf(ImageUnavailable);
    expect(error.kind).toBe('picture_unavailable');
    expect(renderFailure(error.failure, 'en-US')).toBe(UNAVAILABLE);
  });

  it('treats a server error the same way', async () => {
    handler = (_req, res) => res.writeHead(503).end();
    expect((await failure(downloadImage(`${baseUrl}/p.png`, { dispatcher: agent }))).kind).toBe('picture_unavailable');
  });

  it('treats a refused connection as unavailable', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const error = await failure(downloadImage(`http://127.0.0.1:${port}/p.png`, { dispatcher: agent }));
    expect(error.kind).toBe('picture_unavailable');
    expect(renderFailure(error.failure, 'en-US')).toBe(UNAVAILABLE);
  });

  it('treats a connection dropped mid-body as unavailable', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-length': 100_000 });
      res.write(Buffer.alloc(1000));
      setTimeout(() => res.destroy(), 10);
    };
    expect((await failure(downloadImage(`${baseUrl}/p.png`, { dispatcher: agent }))).kind).toBe('picture_unavailable');
  });

  it('gives up on a server that stops sending, after the timeout', async () => {
    handler = (_req, res) => {
      res.writeHead(200);
      res.write(Buffer.alloc(100));
    };
    const started = Date.now();
    const error = await failure(downloadImage(`${baseUrl}/slow.png`, { dispatcher: agent, timeoutMs: 200 }));
    expect(error.kind).toBe('picture_unavailable');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('follows a few redirects', async () => {
    const png = makePng(300, 300);
    handler = (req, res) => {
      if (req.url === '/a') res.writeHead(302, { location: '/b' }).end();
      else if (req.url === '/b') res.writeHead(301, { location: `${baseUrl}/c` }).end();
      else res.writeHead(200).end(png);
    };
    expect((await downloadImage(`${baseUrl}/a`, { dispatcher: agent })).equals(png)).toBe(true);
    expect(requests).toEqual(['/a', '/b', '/c']);
  });

  it('stops following an endless redirect loop', async () => {
    handler = (req, res) => res.writeHead(302, { location: req.url === '/x' ? '/y' : '/x' }).end();
    const error = await failure(downloadImage(`${baseUrl}/x`, { dispatcher: agent }));
    expect(error.kind).toBe('picture_unavailable');
    expect(requests.length).toBeLessThanOrEqual(4);
  });

  it('refuses URLs that are not http or https without making a request', async () => {
    for (const url of ['file:///etc/passwd', 'ftp://127.0.0.1/p.png', 'not a url']) {
      expect((await failure(downloadImage(url, { dispatcher: agent }))).kind).toBe('picture_unavailable');
    }
    expect(requests).toEqual([]);
  });
});
