import { request, type Dispatcher } from 'undici';
import { checkVideoUrl, createDownloadDispatcher, isDownloadRefused, SAFE_DOWNLOADS, type DownloadPolicy } from '../download-policy.ts';

export type VideoDownload =
  | { kind: 'file'; bytes: Buffer }
  /** Larger than the upload limit: the member gets the link instead. `sizeBytes` when the server said. */
  | { kind: 'too_large'; sizeBytes?: number };

export class VideoDownloadError extends Error {
  readonly status: number | undefined;
  constructor(message: string, status?: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'VideoDownloadError';
    this.status = status;
  }
}

/**
 * The video's URL is one the bot will not fetch from (not https, or a private, loopback or link-local
 * address): trying again would be refused again, so the video is lost.
 */
export class VideoUrlRefused extends VideoDownloadError {
  constructor(options?: { cause?: unknown }) {
    super('video URL refused', undefined, options);
    this.name = 'VideoUrlRefused';
  }
}

export interface DownloadVideoOptions {
  maxBytes: number;
  timeoutMs?: number;
  /** Default: over https from public addresses only. */
  policy?: DownloadPolicy;
  /**
   * Made with createDownloadDispatcher for the same policy (it refuses private addresses). Default: one made
   * for this download and closed after it.
   */
  dispatcher?: Dispatcher;
}

/**
 * Downloads the finished video, reading at most `maxBytes`: a video that cannot be uploaded anyway is not
 * buffered in full, and one past the limit stops the download at once. Redirects are not followed.
 */
export async function downloadVideo(url: string, options: DownloadVideoOptions): Promise<VideoDownload> {
  const policy = options.policy ?? SAFE_DOWNLOADS;
  let target: URL;
  try {
    target = checkVideoUrl(url, policy);
  } catch (error) {
    throw new VideoUrlRefused({ cause: error });
  }
  const dispatcher = options.dispatcher ?? createDownloadDispatcher(policy);
  try {
    return await fetchVideo(target, dispatcher, options);
  } finally {
    if (dispatcher !== options.dispatcher) await dispatcher.destroy();
  }
}

async function fetchVideo(url: URL, dispatcher: Dispatcher, options: DownloadVideoOptions): Promise<VideoDownload> {
  let response: Dispatcher.ResponseData;
  try {
    response = await request(url, {
      method: 'GET',
      dispatcher,
      headersTimeout: options.timeoutMs ?? 60_000,
      bodyTimeout: options.timeoutMs ?? 60_000,
    });
  } catch (error) {
    if (isDownloadRefused(error)) throw new VideoUrlRefused({ cause: error });
    throw new VideoDownloadError('video download failed', undefined, { cause: error });
  }
  const { statusCode, headers, body } = response;
  if (statusCode < 200 || statusCode >= 300) {
    abandon(body);
    throw new VideoDownloadError(`video download answered ${statusCode}`, statusCode);
  }
  const declared = Number(headers['content-length']);
  if (Number.isFinite(declared) && declared > options.maxBytes) {
    abandon(body);
    return { kind: 'too_large', sizeBytes: declared };
  }
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > options.maxBytes) {
        abandon(body);
        return { kind: 'too_large' };
      }
      chunks.push(chunk);
    }
  } catch (error) {
    throw new VideoDownloadError('video download was interrupted', statusCode, { cause: error });
  }
  return { kind: 'file', bytes: Buffer.concat(chunks, total) };
}

/** Stops reading a body; undici 8 emits an AbortError on destroy that would otherwise go uncaught. */
function abandon(body: Dispatcher.ResponseData['body']): void {
  body.on('error', () => {
    // Expected once the body is destroyed; nothing to do.
  });
  body.destroy();
}
