/** The thread that runs the video API stand-in for the bench (see video-stand-in-thread.ts). */
import { parentPort, workerData } from 'node:worker_threads';
import { VideoApiStandIn } from '../test/support/video-api-stand-in.ts';
import type { VideoAnswer, VideoCall, VideoReadings } from './video-stand-in-thread.ts';

const port = parentPort;
if (!port) throw new Error('video-stand-in-worker.ts runs as a worker thread');
const { apiKey } = workerData as { apiKey: string };
const standIn = await VideoApiStandIn.start({ apiKey });

function answer(call: VideoCall): unknown {
  switch (call.op) {
    case 'setDefaultTask':
      standIn.setDefaultTask(call.args);
      return null;
    case 'nextTask':
      standIn.nextTask(call.args);
      return null;
    case 'createTasks':
      return Array.from({ length: call.args.count }, () => standIn.createTask(call.args.script));
    case 'readings':
      return {
        submissions: standIn.submissions.map((s) => ({ at: s.at, prompt: typeof s.body.prompt === 'string' ? s.body.prompt : undefined })),
        polls: standIn.polls,
        videoDownloads: standIn.videoDownloads,
        timings: standIn.taskTimings(),
      } satisfies VideoReadings;
    case 'close':
      return null;
  }
}

port.on('message', (call: VideoCall) => {
  const reply = (message: VideoAnswer) => {
    port.postMessage(message);
  };
  try {
    const result = answer(call);
    if (call.op === 'close') {
      void standIn.close().then(() => reply({ id: call.id, result }));
      return;
    }
    reply({ id: call.id, result });
  } catch (error) {
    reply({ id: call.id, error: String(error) });
  }
});
port.postMessage({ baseUrl: standIn.baseUrl });
