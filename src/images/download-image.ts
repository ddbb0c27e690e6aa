import { interceptors, request, getGlobalDispatcher, type Dispatcher } from 'undici';
import { InvalidImage } from '../errors.ts';
import { IMAGE_LIMITS } from './check-image.ts';
import { ImageUnavailable } from './image-unavailable.ts';

export interface DownloadImageOptions {
  /** Default IMAGE_LIMITS.maxBytes. */
  maxBytes?: number;
  /** The whole download, headers and body, must finish within this. Default 30 s. */
  timeoutMs?: number;
  dispatcher?: Dispatcher;
}

// Discord's CDN answers attachment URLs directly; a couple of hops covers a media proxy in between.
const MAX_REDIRECTIONS = 3;

/**
 * Downloads the member's picture, reading at most `maxBytes`: a body past the limit is cut off as soon as it
 * crosses it (or before it starts, when Content-Length says so), never buffered in full.
 * Throws `InvalidImage` when the picture is too large, `ImageUnavailable` when it cannot be fetched.
 */
export async function downloadImage(url: string, options: DownloadImageOptions = {}): Promise<Buffer> {
  const maxBytes = options.maxBytes ?? IMAGE_LIMITS.maxBytes;
  const timeoutMs = options.timeoutMs ?? 30_000;

  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new ImageUnavailable({ cause: error });
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new ImageUnavailable({ cause: new Error(`unsupported URL scheme ${parsed.protocol}`) });
  }

  const dispatcher = (options.dispatcher ?? getGlobalDispatcher()).compose(interceptors.redirect({ maxRedirections: MAX_REDIRECTIONS }));
  // A deadline for the whole download: headers and body timeouts alone let a server trickle one byte at a time.
  const signal = AbortSignal.timeout(timeoutMs);

  let response: Dispatcher.ResponseData;
  try {
    response = await request(parsed, { method: 'GET', dispatcher, signal, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  } catch (error) {
    throw new ImageUnavailable({ cause: error });
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
