import { request, type Dispatcher } from 'undici';
import {
  checkPictureUrl,
  createDownloadDispatcher,
  DownloadRefused,
  isDownloadRefused,
  SAFE_DOWNLOADS,
  type DownloadPolicy,
} from '../download-policy.ts';
import { InvalidImage } from '../errors.ts';
import { IMAGE_LIMITS } from './check-image.ts';
import { ImageUnavailable } from './image-unavailable.ts';

export interface DownloadImageOptions {
  /** Default IMAGE_LIMITS.maxBytes. */
  maxBytes?: number;
  /** The whole download, headers and body, must finish within this. Default 30 s. */
  timeoutMs?: number;
  /** Where pictures may come from. Default: over https from Discord's attachment hosts. */
  policy?: DownloadPolicy;
  /**
   * Made with createDownloadDispatcher for the same policy (it refuses private addresses). Default: one made
   * for this download and closed after it.
   */
  dispatcher?: Dispatcher;
}

// Discord's CDN answers attachment URLs directly; a couple of hops covers a media proxy in between.
const MAX_REDIRECTIONS = 3;
const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/**
 * Downloads the member's picture, reading at most `maxBytes`: a body past the limit is cut off as soon as it
 * crosses it (or before it starts, when Content-Length says so), never buffered in full.
 * Throws `InvalidImage` when the picture is too large or not from where pictures may come from
 * (`picture_not_on_discord`), `ImageUnavailable` when it cannot be fetched.
 */
export async function downloadImage(url: string, options: DownloadImageOptions = {}): Promise<Buffer> {
  const policy = options.policy ?? SAFE_DOWNLOADS;
  const dispatcher = options.dispatcher ?? createDownloadDispatcher(policy);
  try {
    return await fetchPicture(url, policy, dispatcher, options);
  } finally {
    if (dispatcher !== options.dispatcher) await dispatcher.destroy();
  }
}

async function fetchPicture(url: string, policy: DownloadPolicy, dispatcher: Dispatcher, options: DownloadImageOptions): Promise<Buffer> {
  const maxBytes = options.maxBytes ?? IMAGE_LIMITS.maxBytes;
  const timeoutMs = options.timeoutMs ?? 30_000;
  // A deadline for the whole download: headers and body timeouts alone let a server trickle one byte at a time.
  const signal = AbortSignal.timeout(timeoutMs);

  let target = checked(url, policy);
  let response: Dispatcher.ResponseData;
  for (let hops = 0; ; hops++) {
    try {
      response = await request(target, { method: 'GET', dispatcher, signal, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
    } catch (error) {
      if (isDownloadRefused(error)) throw new InvalidImage({ kind: 'picture_not_on_discord' }, { cause: error });
      throw new ImageUnavailable({ cause: error });
    }
    const location = response.headers.location;
    if (!REDIRECT_STATUSES.has(response.statusCode) || typeof location !== 'string') break;
    abandon(response.body);
    if (hops === MAX_REDIRECTIONS) throw new ImageUnavailable({ cause: new Error('too many redirects') });
    // Each hop is checked like the first: a redirect must not lead off Discord's hosts or off https.
    target = checked(URL.parse(location, target.href) ?? 'not a URL', policy);
  }
  const { statusCode, headers, body } = response;
  if (statusCode < 200 || statusCode >= 300) {
    abandon(body);
    throw new ImageUnavailable({ cause: new Error(`picture download answered ${statusCode}`) });
  }

  const declared = declaredLength(headers['content-length']);
  if (declared !== undefined && declared > maxBytes) {
    abandon(body);
    throw new InvalidImage({ kind: 'picture_too_large', maxBytes });
  }

  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > maxBytes) {
        body.destroy();
        throw new InvalidImage({ kind: 'picture_too_large', maxBytes });
      }
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof InvalidImage) throw error;
    throw new ImageUnavailable({ cause: error });
  }
  return Buffer.concat(chunks, total);
}

function checked(url: string | URL, policy: DownloadPolicy): URL {
  try {
    return checkPictureUrl(url, policy);
  } catch (error) {
    if (error instanceof DownloadRefused) throw new InvalidImage({ kind: 'picture_not_on_discord' }, { cause: error });
    throw error;
  }
}

/**
 * Closes the connection without reading the body. undici's body emits an AbortError when destroyed unread;
 * nobody is listening any more, and an unheard 'error' event would crash the process.
 */
function abandon(body: Dispatcher.ResponseData['body']): void {
  body.on('error', () => {
    // Expected once the body is destroyed; nothing to do.
  });
  body.destroy();
}

function declaredLength(header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || !/^\d+$/.test(value.trim())) return undefined;
  return Number(value);
}
