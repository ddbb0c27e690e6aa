/**
 * The finished video as it can be delivered where the member asked: the provider's file when it fits the
 * upload limit, a re-encoded one when it does not, and the link (the member's to download) when neither
 * can be sent. The source file of a re-encode is removed here; the file handed back is removed by whoever
 * delivers it.
 */
import type { Logger } from '../logger.ts';
import type { VideoDownload } from '../video-api/download-video.ts';
import type { FitResult } from './fit-video.ts';
import { removeVideoFile, type VideoFile } from './video-files.ts';

/**
 * The largest video downloaded at all, to re-encode it: a generation of 5 or 10 seconds is a few tens of
 * megabytes, so one this large is not a video the bot should handle (its link is sent instead).
 */
export const SOURCE_MAX_BYTES = 200 * 1024 * 1024;

export interface DeliverableVideosDeps {
  /** Streams the video at `url` to a new file of at most `maxBytes`. */
  download: (url: string, maxBytes: number) => Promise<VideoDownload>;
  fitter: { fit(source: VideoFile, limitBytes: number): Promise<FitResult> };
  logger: Logger;
}

export class DeliverableVideos {
  readonly #deps: DeliverableVideosDeps;

  constructor(deps: DeliverableVideosDeps) {
    this.#deps = deps;
  }

  /** The video at `url` as a file of at most `limitBytes`, or `too_large` for its link. */
  async fetch(url: string, limitBytes: number): Promise<VideoDownload> {
    const download = await this.#deps.download(url, Math.max(limitBytes, SOURCE_MAX_BYTES));
    if (download.kind === 'too_large' || download.file.sizeBytes <= limitBytes) return download;
    const source = download.file;
    try {
      const fitted = await this.#deps.fitter.fit(source, limitBytes);
      if (fitted.kind === 'fitted') return { kind: 'file', file: fitted.file };
      this.#deps.logger.info('video over the upload limit; sending its link', {
        reason: fitted.kind,
        sizeBytes: source.sizeBytes,
        limitBytes,
      });
      return { kind: 'too_large', sizeBytes: source.sizeBytes };
    } finally {
      await removeVideoFile(source);
    }
  }
}
