import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { request, type Dispatcher } from 'undici';
import { checkVideoUrl, createDownloadDispatcher, isDownloadRefused, SAFE_DOWNLOADS, type DownloadPolicy } from '../download-policy.ts';
import type { VideoFile } from '../videos/video-files.ts';

export type VideoDownload =
  /** On disk, at most the size asked for; whoever receives it removes it once it is delivered. */
  | { kind: 'file'; file: VideoFile }
  /** Larger than can be sent as a file: the member gets the link instead. `sizeBytes` when known. */
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
  /** Where the video is written (a new file; removed again when the download does not complete). */
  path: string;
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
 * Streams the finished video to a file, reading at most `maxBytes`: a video declared larger is not fetched,
 * and one that grows past the limit stops the download at once. Memory stays a few chunks whatever the size.
 * Redirects are not followed.
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
  let total = 0;
  // pipeline destroys the body when the limit is passed; undici may report that destruction after pipeline is done.
  body.on('error', () => undefined);
  try {
    await pipeline(
      body,
      async function* (chunks: AsyncIterable<Buffer>) {
        for await (const chunk of chunks) {
          total += chunk.length;
          if (total > options.maxBytes) throw new TooLarge();
          yield chunk;
        }
      },
      createWriteStream(options.path, { flags: 'wx', mode: 0o600 }),
    );
  } catch (error) {
    await rm(options.path, { force: true });
    if (error instanceof TooLarge) return { kind: 'too_large' };
    throw new VideoDownloadError('video download was interrupted', statusCode, { cause: error });
  }
  return { kind: 'file', file: { path: options.path, sizeBytes: total } };
}

/** The body grew past the limit (the server's Content-Length was missing or wrong). */
class TooLarge extends Error {}

/** Stops reading a body; undici 8 emits an AbortError on destroy that would otherwise go uncaught. */
function abandon(body: Dispatcher.ResponseData['body']): void {
  body.on('error', () => {
    // Expected once the body is destroyed; nothing to do.
  });
  body.destroy();
}
