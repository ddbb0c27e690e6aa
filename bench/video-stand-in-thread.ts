/**
 * The video API stand-in on a thread of its own. In the Discord stand-in's event loop, its work (reading
 * 130 KB submissions, answering a thousand polls) would delay the moment Discord's side records a deferral,
 * and charge that delay to whichever bot talks to the provider most. Real Discord does not wait for the
 * provider, so neither does the measurement.
 */
import { Worker } from 'node:worker_threads';
import type { StandInPoll, StandInTaskScript, StandInTaskTiming } from '../test/support/video-api-stand-in.ts';

/** What the stand-in received, copied out of its thread. */
export interface VideoReadings {
  submissions: { at: number; prompt: string | undefined }[];
  polls: StandInPoll[];
  videoDownloads: number;
  timings: StandInTaskTiming[];
}

/** Each call the thread answers, with its argument and result. */
export interface VideoCalls {
  setDefaultTask: { args: StandInTaskScript; result: null };
  nextTask: { args: StandInTaskScript; result: null };
  createTasks: { args: { count: number; script: StandInTaskScript }; result: string[] };
  readings: { args: null; result: VideoReadings };
  close: { args: null; result: null };
}
export type VideoCall = { [K in keyof VideoCalls]: { id: number; op: K; args: VideoCalls[K]['args'] } }[keyof VideoCalls];
export type VideoAnswer = { id: number; result: unknown } | { id: number; error: string };

export class VideoStandInThread {
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly #worker: Worker;
  readonly #pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  #nextId = 1;

  private constructor(worker: Worker, baseUrl: string, apiKey: string) {
    this.#worker = worker;
    this.baseUrl = baseUrl;
    this.apiKey = apiKey;
    worker.on('message', (answer: VideoAnswer) => {
      const waiting = this.#pending.get(answer.id);
      this.#pending.delete(answer.id);
      if ('error' in answer) waiting?.reject(new Error(answer.error));
      else waiting?.resolve(answer.result);
    });
  }

  static async start(apiKey: string): Promise<VideoStandInThread> {
    const worker = new Worker(new URL('./video-stand-in-worker.ts', import.meta.url), { workerData: { apiKey } });
    const baseUrl = await new Promise<string>((resolve, reject) => {
      worker.once('message', (message: { baseUrl: string }) => resolve(message.baseUrl));
      worker.once('error', reject);
    });
    return new VideoStandInThread(worker, baseUrl, apiKey);
  }

  setDefaultTask(script: StandInTaskScript): Promise<null> {
    return this.#call('setDefaultTask', script);
  }

  /** Scripts the next submission; several calls queue up in order. */
  nextTask(script: StandInTaskScript): Promise<null> {
    return this.#call('nextTask', script);
  }

  /** Tasks that exist at the provider as if submitted; their ids, for a seeded store. */
  createTasks(count: number, script: StandInTaskScript): Promise<string[]> {
    return this.#call('createTasks', { count, script });
  }

  readings(): Promise<VideoReadings> {
    return this.#call('readings', null);
  }

  async close(): Promise<void> {
    await this.#call('close', null);
    await this.#worker.terminate();
  }

  #call<K extends keyof VideoCalls>(op: K, args: VideoCalls[K]['args']): Promise<VideoCalls[K]['result']> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      // The worker answers each id with the result type of its op (video-stand-in-worker.ts).
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.#worker.postMessage({ id, op, args });
    });
  }
}

/** Every request the provider received: submissions, polls and video downloads. */
export function providerCalls(readings: VideoReadings): number {
  return readings.submissions.length + readings.polls.length + readings.videoDownloads;
}
