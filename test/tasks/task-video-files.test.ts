/**
 * The downloaded video's file on every path (review of issue 7): a file whose delivery is dropped (the record's
 * compare-and-set lost to another process, the task's lease lost, the process stopping) is removed at once,
 * not left in the temporary directory until the process stops; a file being uploaded is never removed under
 * its upload. Two trackers share one real store, each with its own clock (a process that stalls is one whose
 * clock stands still: it renews no lease) and its own real video directory; leases lapse in real time.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger, silentLogger } from '../../src/logger.ts';
import type { Store } from '../../src/store/store.ts';
import type { Delivery, FinalView, ReplyPort } from '../../src/tasks/reply-port.ts';
import type { TaskRecord } from '../../src/tasks/task-record.ts';
import { TaskStore } from '../../src/tasks/task-store.ts';
import { TaskTracker, type NewTask, type VideoApi } from '../../src/tasks/task-tracker.ts';
import type { VideoDownload } from '../../src/video-api/download-video.ts';
import { VideoFiles } from '../../src/videos/video-files.ts';
import { backendTitle, storeBackends } from '../store/store-backends.ts';
import { ManualClock } from '../support/manual-clock.ts';
import { makeTaskRecord } from '../support/task-fixtures.ts';
import { trackerDeps } from '../support/tracker-deps.ts';

const REDIS_DB = 11;
const POLL_MS = 1_000;
/** Short enough to lapse in real time within a test; renewals and sweeps follow each process's own clock. */
const TIMING = { leaseMs: 150, renewEveryMs: 10_000, takeoverEveryMs: 10_000 };
const TASK = 'task-0001';
const VIDEO_BYTES = Buffer.from('an mp4 of the waves');

/** Every gate made, opened after each test so that a failed test leaves no step held (and no stop hanging). */
const gates: (() => void)[] = [];

/** A promise the test settles by hand: a download or an upload that takes its time. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  gates.push(open);
  return { promise, open };
}

/** Waits (in real time) until the steps a gate or a clock started have happened. */
async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 1_000; i++) {
    if (await condition()) return;
    await sleep(2);
  }
  throw new Error(`never happened: ${what}`);
}

/** The provider: every task finishes at the first poll. */
const provider: VideoApi = {
  submit: async (_request, _priority, options) => {
    if (options?.beforeSend && !(await options.beforeSend())) throw new Error('not sent');
    return { taskId: 'provider-1' };
  },
  getResult: async () => ({ status: 'succeeded', rawStatus: 'TASK_STATUS_SUCCEED', video: { url: 'https://cdn.test/v.mp4' } }),
};

/** The task store, failing once when asked to record a task as `delivering` (the store had an outage). */
class StoreFailingAtDelivering extends TaskStore {
  failures = 1;
  override async put(record: TaskRecord): Promise<TaskRecord | undefined> {
    if (record.state === 'delivering' && this.failures > 0) {
      this.failures--;
      throw new Error('the store is unavailable');
    }
    return super.put(record);
  }
}

/** One bot process: its clock, its video directory, its downloads and uploads (each can be held), its log. */
interface Process {
  clock: ManualClock;
  files: VideoFiles;
  tracker: TaskTracker;
  /** Set to hold the next download before its file is written. */
  holdDownload?: Promise<void>;
  downloads: number;
  /** Set to hold the next upload after it started, with its file open for reading. */
  holdUpload?: Promise<void>;
  uploadsStarted: number;
  /** What each upload read from its file, as Discord received it. */
  uploaded: string[];
  logLines: string[];
  left(): Promise<string[]>;
}

for (const backend of storeBackends(REDIS_DB)) {
  describe.skipIf(backend.skipReason !== undefined)(backendTitle(backend, 'a downloaded video whose delivery is dropped'), () => {
    let root: string;
    let store: Store;
    let tasks: TaskStore;
    const processes: Process[] = [];
    const request: NewTask = (({ requester, interaction, options, image }) => ({ requester, interaction, options, image }))(
      makeTaskRecord(),
    );

    async function startProcess(name: string, taskStore: TaskStore = tasks): Promise<Process> {
      const files = await VideoFiles.open(silentLogger, root);
      const logLines: string[] = [];
      const p: Process = {
        clock: new ManualClock(1_000),
        files,
        tracker: undefined as unknown as TaskTracker,
        downloads: 0,
        uploadsStarted: 0,
        uploaded: [],
        logLines,
        left: async () => readdir(files.directory),
      };
      const downloadVideo = async (): Promise<VideoDownload> => {
        p.downloads++;
        const held = p.holdDownload;
        p.holdDownload = undefined;
        if (held) await held;
        // As the real download: a new file in this process's directory, handed to the task.
        const path = files.newPath();
        await writeFile(path, VIDEO_BYTES);
        return { kind: 'file', file: { path, sizeBytes: VIDEO_BYTES.length } };
      };
      const replies: ReplyPort = {
        showProgress: async () => undefined,
        deliver: async (_task: TaskRecord, view: FinalView): Promise<Delivery> => {
          if (view.kind !== 'video') return { outcome: 'delivered' };
          p.uploadsStarted++;
          const held = p.holdUpload;
          p.holdUpload = undefined;
          if (held) await held;
          // As the real upload: the file is read while the request is sent, so it must still be there.
          p.uploaded.push((await readFile(view.video.path)).toString());
          return { outcome: 'delivered' };
        },
      };
      p.tracker = new TaskTracker(
        trackerDeps({
          store: taskStore,
          videoApi: provider,
          replies,
          clock: p.clock,
          pollIntervalMs: POLL_MS,
          downloadVideo,
          newId: () => TASK,
          leaseOwner: `process-${name}`,
          leaseTiming: TIMING,
          logger: createLogger({ level: 'warn', write: (line) => logLines.push(line) }),
        }),
      );
      processes.push(p);
      return p;
    }

    /** Accepts the task in `p` and polls it once: it is then downloading its video (held or not). */
    async function acceptAndPoll(p: Process): Promise<void> {
      await p.tracker.accept(TASK, request);
      await until(async () => (await tasks.get(TASK))?.state === 'queued', 'submitted');
      await p.tracker.idle();
      p.clock.advance(POLL_MS);
      await until(() => p.downloads === 1, 'the download starts');
    }

    /** Waits in real time until the process's lease has lapsed (its clock stood still: nothing renewed it). */
    async function lapse(): Promise<void> {
      await sleep(TIMING.leaseMs + 50);
    }

    beforeEach(async () => {
      root = mkdtempSync(join(tmpdir(), 'animate-video-files-'));
      store = await (await backend.empty())();
      tasks = new TaskStore(store, silentLogger);
    });

    afterEach(async () => {
      for (const open of gates.splice(0)) open();
      for (const p of processes.splice(0)) {
        await p.tracker.stop();
        await p.files.close();
      }
      await store.close();
      await backend.dispose();
      rmSync(root, { recursive: true, force: true });
    });

    it("whose record another process changed meanwhile (the compare-and-set lost): the stalled process's file is removed", async () => {
      const a = await startProcess('A');
      const b = await startProcess('B');
      const download = gate();
      a.holdDownload = download.promise;
      await acceptAndPoll(a);

      // A stalls in its download past its lease: B takes the task over, downloads and delivers it.
      await lapse();
      expect(await b.tracker.resumeOpenTasks()).toBe(1);
      await until(async () => (await tasks.get(TASK))?.state === 'delivered', 'B delivers');
      await b.tracker.idle();

      // A's download finishes: its write of `delivering` loses to B's record, so its file is never sent.
      download.open();
      await a.tracker.idle();

      expect(a.uploadsStarted).toBe(0);
      expect(b.uploaded).toEqual([VIDEO_BYTES.toString()]);
      expect(await a.left()).toEqual([]);
      expect(await b.left()).toEqual([]);
      expect(await tasks.get(TASK)).toMatchObject({ state: 'delivered' });
    });

    it("whose lease another process took (the renewal found it lost): the file is removed, and the other's upload goes on", async () => {
      const a = await startProcess('A');
      const b = await startProcess('B');
      const downloadA = gate();
      a.holdDownload = downloadA.promise;
      await acceptAndPoll(a);

      // A stalls past its lease; B takes the task over and is uploading its own file (held there).
      await lapse();
      const uploadB = gate();
      b.holdUpload = uploadB.promise;
      expect(await b.tracker.resumeOpenTasks()).toBe(1);
      await until(() => b.uploadsStarted === 1, 'B uploads');

      // A wakes: its renewal finds the lease B's, then its download finishes. It sends nothing and keeps nothing.
      a.clock.advance(TIMING.renewEveryMs);
      await until(() => a.logLines.some((line) => line.includes('task lease lost')), 'A learns it lost the lease');
      downloadA.open();
      await a.tracker.idle();
      expect(a.uploadsStarted).toBe(0);
      expect(await a.left()).toEqual([]);

      // B's file was left alone while it was being uploaded, and is removed once sent.
      expect(await b.left()).toHaveLength(1);
      uploadB.open();
      await b.tracker.idle();
      expect(b.uploaded).toEqual([VIDEO_BYTES.toString()]);
      expect(await b.left()).toEqual([]);
      expect(await tasks.get(TASK)).toMatchObject({ state: 'delivered' });
    });

    it('whose `delivering` could not be recorded (the store failed): the file is removed, and the retry downloads and delivers', async () => {
      const failing = new StoreFailingAtDelivering(store, silentLogger);
      const a = await startProcess('A', failing);
      await acceptAndPoll(a);
      await a.tracker.idle();
      expect(failing.failures).toBe(0);
      expect(a.uploadsStarted).toBe(0);
      expect(await a.left()).toEqual([]);

      // The step is tried again after its back-off: a fresh download, sent and then removed.
      for (let i = 0; i < 60 && (await tasks.get(TASK))?.state !== 'delivered'; i++) {
        a.clock.advance(10_000);
        await a.tracker.idle();
      }
      expect(a.downloads).toBe(2);
      expect(a.uploaded).toEqual([VIDEO_BYTES.toString()]);
      expect(await a.left()).toEqual([]);
      expect(await tasks.get(TASK)).toMatchObject({ state: 'delivered' });
    });

    it('while the process stops: a video downloaded after the stop began is removed, one being uploaded is sent first', async () => {
      const a = await startProcess('A');
      const download = gate();
      a.holdDownload = download.promise;
      await acceptAndPoll(a);

      // The stop waits for the download under way, which then finds the process stopping and sends nothing.
      const stopping = a.tracker.stop();
      download.open();
      await stopping;
      expect(a.uploadsStarted).toBe(0);
      expect(await a.left()).toEqual([]);
      // The next start downloads the video again and delivers it.
      expect(await tasks.get(TASK)).toMatchObject({ state: 'downloading' });

      const b = await startProcess('B');
      const upload = gate();
      b.holdUpload = upload.promise;
      expect(await b.tracker.resumeOpenTasks()).toBe(1);
      await until(() => b.uploadsStarted === 1, 'B uploads');
      const stoppingB = b.tracker.stop();
      // Stopping does not pull the file from under the upload under way.
      expect(await b.left()).toHaveLength(1);
      upload.open();
      await stoppingB;
      expect(b.uploaded).toEqual([VIDEO_BYTES.toString()]);
      expect(await b.left()).toEqual([]);
      expect(await tasks.get(TASK)).toMatchObject({ state: 'delivered' });
    });
  });
}
