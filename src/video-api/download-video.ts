import { request, type Dispatcher } from 'undici';

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
 * Downloads the finished video, reading at most `maxBytes`: a video that cannot be uploaded anyway is not
 * buffered in full, and one past the limit stops the download at once.
 */
export async function downloadVideo(
  url: string,
  options: { maxBytes: number; timeoutMs?: number; dispatcher?: Dispatcher },
): Promise<VideoDownload> {
  let response: Dispatcher.ResponseData;
  try {
    response = await request(url, {
      method: 'GET',
      headersTimeout: options.timeoutMs ?? 60_000,
      bodyTimeout: options.timeoutMs ?? 60_000,
      ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
    });
  } catch (error) {
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
