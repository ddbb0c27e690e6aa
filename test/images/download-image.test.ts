import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { renderFailure } from '../../src/catalogue/render-failure.ts';
import { createDownloadDispatcher, type DownloadPolicy } from '../../src/download-policy.ts';
import { InvalidImage, UserFacingError } from '../../src/errors.ts';
import { downloadImage } from '../../src/images/download-image.ts';
import { ImageUnavailable } from '../../src/images/image-unavailable.ts';
import { makePng } from '../support/image-fixtures.ts';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * A local stand-in for Discord's CDN, recording what it was asked for. It is plain http on 127.0.0.1, which
 * the bot refuses by default: these tests allow it, as the end-to-end harness does with
 * ATTACHMENT_HOSTS=127.0.0.1 and ALLOW_INSECURE_DOWNLOADS=true.
 */
let server: Server;
let baseUrl: string;
let port: number;
let handler: Handler;
let requests: string[];
let connections: number;

const STAND_IN: DownloadPolicy = { attachmentHosts: ['127.0.0.1'], allowInsecure: true };

beforeEach(async () => {
  requests = [];
  connections = 0;
  handler = (_req, res) => res.writeHead(500).end();
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    handler(req, res);
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  baseUrl = `http://127.0.0.1:${port}`;
});

afterEach(async () => {
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
    const bytes = await downloadImage(`${baseUrl}/attachments/1/2/cat.png?ex=abc`, { policy: STAND_IN });
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
    expect((await downloadImage(`${baseUrl}/p.png`, { policy: STAND_IN })).equals(png)).toBe(true);
  });

  it('works with a shared dispatcher made for the policy too', async () => {
    const png = makePng(300, 300);
    handler = (_req, res) => res.writeHead(200).end(png);
    const dispatcher = createDownloadDispatcher(STAND_IN);
    try {
      expect((await downloadImage(`${baseUrl}/p.png`, { policy: STAND_IN, dispatcher })).equals(png)).toBe(true);
      expect((await downloadImage(`${baseUrl}/p.png`, { policy: STAND_IN, dispatcher })).equals(png)).toBe(true);
    } finally {
      await dispatcher.close();
    }
  });

  it('accepts a body of exactly the limit', async () => {
    handler = (_req, res) => res.writeHead(200).end(Buffer.alloc(1000, 1));
    expect((await downloadImage(`${baseUrl}/p.png`, { maxBytes: 1000, policy: STAND_IN })).length).toBe(1000);
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
    const error = await failure(downloadImage(`${baseUrl}/huge.png`, { policy: STAND_IN, timeoutMs: 10_000 }));
    expect(error).toBeInstanceOf(InvalidImage);
    expect(renderFailure(error.failure, 'en-US')).toBe(TOO_LARGE);
    await closed;
  });

  it('cuts off a body without a length as soon as it passes the limit', async () => {
    const server = endlessPicture();
    const error = await failure(downloadImage(`${baseUrl}/endless.png`, { policy: STAND_IN }));
    expect(error).toBeInstanceOf(InvalidImage);
    expect(renderFailure(error.failure, 'en-US')).toBe(TOO_LARGE);
    expect(await server.outcome).toBe('cut off');
    // What was sent is the limit plus what the socket buffers held, nowhere near the 50 MB on offer.
    expect(server.written()).toBeGreaterThan(10_000_000);
    expect(server.written()).toBeLessThan(20_000_000);
  });

  it('tells the member to try again when the server answers 404, and reads no further', async () => {
    handler = (_req, res) => res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
    const error = await failure(downloadImage(`${baseUrl}/gone.png`, { policy: STAND_IN }));
    expect(error).toBeInstanceOf(ImageUnavailable);
    expect(error.kind).toBe('picture_unavailable');
    expect(renderFailure(error.failure, 'en-US')).toBe(UNAVAILABLE);
  });

  it('treats a server error the same way', async () => {
    handler = (_req, res) => res.writeHead(503).end();
    expect((await failure(downloadImage(`${baseUrl}/p.png`, { policy: STAND_IN }))).kind).toBe('picture_unavailable');
  });

  it('treats a refused connection as unavailable', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const error = await failure(downloadImage(`http://127.0.0.1:${port}/p.png`, { policy: STAND_IN }));
    expect(error.kind).toBe('picture_unavailable');
    expect(renderFailure(error.failure, 'en-US')).toBe(UNAVAILABLE);
  });

  it('treats a connection dropped mid-body as unavailable', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-length': 100_000 });
      res.write(Buffer.alloc(1000));
      setTimeout(() => res.destroy(), 10);
    };
    expect((await failure(downloadImage(`${baseUrl}/p.png`, { policy: STAND_IN }))).kind).toBe('picture_unavailable');
  });

  it('gives up on a server that stops sending, after the timeout', async () => {
    handler = (_req, res) => {
      res.writeHead(200);
      res.write(Buffer.alloc(100));
    };
    const started = Date.now();
    const error = await failure(downloadImage(`${baseUrl}/slow.png`, { policy: STAND_IN, timeoutMs: 200 }));
    expect(error.kind).toBe('picture_unavailable');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('follows a few redirects on the attachment hosts', async () => {
    const png = makePng(300, 300);
    handler = (req, res) => {
      if (req.url === '/a') res.writeHead(302, { location: '/b' }).end();
      else if (req.url === '/b') res.writeHead(301, { location: `${baseUrl}/c` }).end();
      else res.writeHead(200).end(png);
    };
    expect((await downloadImage(`${baseUrl}/a`, { policy: STAND_IN })).equals(png)).toBe(true);
    expect(requests).toEqual(['/a', '/b', '/c']);
  });

  it('stops following an endless redirect loop', async () => {
    handler = (req, res) => res.writeHead(302, { location: req.url === '/x' ? '/y' : '/x' }).end();
    const error = await failure(downloadImage(`${baseUrl}/x`, { policy: STAND_IN }));
    expect(error.kind).toBe('picture_unavailable');
    expect(requests.length).toBeLessThanOrEqual(4);
  });

  it('refuses URLs that are not http or https without making a request', async () => {
    for (const url of ['file:///etc/passwd', 'ftp://127.0.0.1/p.png', 'not a url']) {
      expect((await failure(downloadImage(url, { policy: STAND_IN }))).kind).toBe('picture_not_on_discord');
    }
    expect(requests).toEqual([]);
  });
});

describe('downloadImage refuses pictures from anywhere but Discord', () => {
  const NOT_ON_DISCORD =
    'The bot only fetches pictures uploaded to Discord, and this one points somewhere else. Please attach the image file itself.';

  async function refused(url: string, policy?: DownloadPolicy): Promise<void> {
    const error = await failure(downloadImage(url, policy ? { policy } : {}));
    expect(error).toBeInstanceOf(InvalidImage);
    expect(error.kind).toBe('picture_not_on_discord');
    expect(renderFailure(error.failure, 'en-US')).toBe(NOT_ON_DISCORD);
  }

  it('by default: a plain http URL, even on cdn.discordapp.com, is refused before any request', async () => {
    await refused('http://cdn.discordapp.com/attachments/1/2/cat.png');
    await refused(`${baseUrl}/p.png`, { attachmentHosts: ['127.0.0.1'], allowInsecure: false });
    expect(connections).toBe(0);
  });

  it('by default: a host other than cdn.discordapp.com and media.discordapp.net is refused before any request', async () => {
    for (const url of [
      'https://evil.example/cat.png',
      'https://cdn.discordapp.com.evil.example/cat.png',
      'https://discordapp.com/cat.png',
    ]) {
      await refused(url);
    }
    // ALLOW_INSECURE_DOWNLOADS does not open other hosts: ATTACHMENT_HOSTS still decides.
    await refused(`${baseUrl}/p.png`, { attachmentHosts: ['cdn.discordapp.com'], allowInsecure: true });
    expect(connections).toBe(0);
  });

  it('a redirect to another host is refused, and that host is never asked', async () => {
    handler = (_req, res) => res.writeHead(302, { location: `http://localhost:${port}/elsewhere.png` }).end();
    await refused(`${baseUrl}/a.png`, STAND_IN);
    expect(requests).toEqual(['/a.png']);
  });

  it('an attachment host that resolves to a loopback address is not connected to', async () => {
    await refused(`https://localhost:${port}/p.png`, { attachmentHosts: ['localhost'], allowInsecure: false });
    expect(connections).toBe(0);
  });
});
