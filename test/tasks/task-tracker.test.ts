import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeptPictures } from '../../src/animation/kept-pictures.ts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { renderFailure } from '../../src/catalogue/render-failure.ts';
import { InvalidImage } from '../../src/errors.ts';
import type { CheckedImage } from '../../src/images/check-image.ts';
import { createLogger, silentLogger } from '../../src/logger.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { VideoUrlRefused, type VideoDownload } from '../../src/video-api/download-video.ts';
import type { Delivery, FinalView, PostedMessage, ReplyPort, ReplyView } from '../../src/tasks/reply-port.ts';
import type { TaskRecord } from '../../src/tasks/task-record.ts';
import { TaskStore } from '../../src/tasks/task-store.ts';
import { POLL_PAUSE_MS } from '../../src/tasks/lifecycle.ts';
import { TaskTracker, type NewTask, type QuotaGate, type TaskTrackerDeps, type VideoApi } from '../../src/tasks/task-tracker.ts';
import type { RequestPriority } from '../../src/video-api/request-budget.ts';
import type { SubmitOptions, SubmitRequest, TaskResult } from '../../src/video-api/video-api-client.ts';
import {
  ProviderMisconfigured,
  ProviderOutOfCredit,
  ProviderRejected,
  ProviderUnavailable,
  SubmitAborted,
  SubmitOutcomeUnknown,
} from '../../src/video-api/video-api-errors.ts';
import { ManualClock } from '../support/manual-clock.ts';
import { makeTaskRecord } from '../support/task-fixtures.ts';

const POLL_MS = 1000;
const PICTURE = Buffer.from('checked picture bytes');

class ScriptedVideoApi implements VideoApi {
  readonly submissions: SubmitRequest[] = [];
  readonly polls: string[] = [];
  submitOutcome: () => Promise<{ taskId: string }> = async () => ({ taskId: 'provider-1' });
  results: (TaskResult | Error)[] = [];

  async submit(request: SubmitRequest, _priority?: RequestPriority, options: SubmitOptions = {}): Promise<{ taskId: string }> {
    // As the real client: the last check is asked right before the request leaves, and a no sends nothing.
    if (options.beforeSend && !(await options.beforeSend())) throw new SubmitAborted();
    // As the real client: the picture is read once the request is about to leave.
    this.submissions.push({ ...request, image: typeof request.image === 'string' ? request.image : await request.image() });
    return this.submitOutcome();
  }

  async getResult(taskId: string): Promise<TaskResult> {
    this.polls.push(taskId);
    const next = this.results.length > 1 ? this.results.shift() : this.results[0];
    if (!next) throw new Error('no scripted result');
    if (next instanceof Error) throw next;
    return next;
  }
}

/** A quota that starts whatever it is asked to, and records what it was told. */
class RecordingQuota implements QuotaGate {
  readonly settled: { taskId: string; refund: boolean }[] = [];
  slots = Infinity;
  paused = false;
  #started = new Set<string>();

  async tryStart(task: { id: string }): Promise<boolean> {
    if (this.#started.has(task.id)) return true;
    if (this.#started.size >= this.slots) return false;
    this.#started.add(task.id);
    return true;
  }

  readonly operatorRefunds: boolean[] = [];

  async settle(taskId: string, refund: boolean, operatorRefund: boolean): Promise<boolean> {
    this.settled.push({ taskId, refund });
    this.operatorRefunds.push(operatorRefund);
    return this.#started.delete(taskId);
  }

  async pauseSubmissions(): Promise<boolean> {
    const first = !this.paused;
    this.paused = true;
    return first;
  }

  async pausedUntil(): Promise<number | undefined> {
    return this.paused ? Number.MAX_SAFE_INTEGER : undefined;
  }
}

class RecordingReplies implements ReplyPort {
  readonly progress: ReplyView[] = [];
  readonly finals: FinalView[] = [];
  /** What the member read for each failure, in the record's locale. */
  readonly finalTexts: string[] = [];
  failDeliveries = 0;
  /** The message a delivery reports having posted (a late delivery in the channel). */
  posted: PostedMessage | undefined;

  async showProgress(_task: TaskRecord, view: Exclude<ReplyView, FinalView>): Promise<void> {
    this.progress.push(view);
  }

  async deliver(task: TaskRecord, view: FinalView): Promise<Delivery> {
    if (this.failDeliveries > 0) {
      this.failDeliveries--;
      throw new Error('Discord answered 503');
    }
    this.finals.push(view);
    if (view.kind === 'failed' || view.kind === 'image_refused') this.finalTexts.push(renderFailure(view.failure, task.locale));
    return { outcome: 'delivered', ...(this.posted ? { posted: this.posted } : {}) };
  }
}

const processing = (progressPercent: number, etaSeconds?: number): TaskResult => ({
  status: 'processing',
  rawStatus: 'TASK_STATUS_PROCESSING',
  progressPercent,
  ...(etaSeconds !== undefined ? { etaSeconds } : {}),
});
const succeeded: TaskResult = {
  status: 'succeeded',
  rawStatus: 'TASK_STATUS_SUCCEED',
  video: { url: 'http://127.0.0.1:1/files/out.mp4', ttlSeconds: 3600 },
};

describe('task tracker', () => {
  let dir: string;
  let sqlite: SqliteStore;
  let store: TaskStore;
  let clock: ManualClock;
  let api: ScriptedVideoApi;
  let replies: RecordingReplies;
  let quota: RecordingQuota;
  let download: (url: string, maxBytes: number) => Promise<VideoDownload>;
  let checkImage: (bytes: Buffer) => CheckedImage;
  let tracker: TaskTracker;

  const newTracker = () => new TaskTracker(trackerDeps());
  const trackerDeps = (): TaskTrackerDeps => ({
    store,
    videoApi: api,
    quota,
    replies,
    logger: silentLogger,
    clock,
    pollIntervalMs: POLL_MS,
    downloadImage: async () => PICTURE,
    checkImage: (bytes) => checkImage(bytes),
    downloadVideo: (url, maxBytes) => download(url, maxBytes),
    random: () => 0.5,
    newId: () => 'task-0001',
  });

  const request: NewTask = (({ requester, interaction, options, image }) => ({ requester, interaction, options, image }))(
    makeTaskRecord({ options: { prompt: 'waves', negativePrompt: 'blur', duration: '10', cfgScale: 0.8 } }),
  );

  /** Moves time on and lets every step it started finish. */
  async function elapse(ms: number): Promise<void> {
    clock.advance(ms);
    await tracker.idle();
  }

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'animate-tracker-'));
    sqlite = SqliteStore.open(`sqlite://${join(dir, 'a.sqlite')}`);
    store = new TaskStore(sqlite, silentLogger);
    clock = new ManualClock(1_000);
    api = new ScriptedVideoApi();
    replies = new RecordingReplies();
    quota = new RecordingQuota();
    download = async () => ({ kind: 'file', file: { path: join(dir, 'video.mp4'), sizeBytes: 9 } });
    checkImage = (bytes) => ({ format: 'png', width: 512, height: 512, bytes, base64: bytes.toString('base64'), mimeType: 'image/png' });
    tracker = newTracker();
  });

  afterEach(async () => {
    await tracker.stop();
    await sqlite.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('checks, submits once, polls and delivers the video', async () => {
    api.results = [processing(40, 60), processing(80, 20), succeeded];
    await tracker.accept('task-0001', request);
    await tracker.idle();

    expect(api.submissions).toEqual([
      { image: PICTURE.toString('base64'), prompt: 'waves', negativePrompt: 'blur', duration: '10', cfgScale: 0.8 },
    ]);
    expect(replies.progress.map((v) => v.kind)).toEqual(['checking', 'waiting']);
    expect(await store.getImage('task-0001')).toBe(PICTURE.toString('base64'));

    await elapse(POLL_MS);
    expect(replies.progress.at(-1)).toEqual({ kind: 'generating', progressPercent: 40, etaAt: clock.now() + 60_000 });
    // Asked again when each estimate runs out: 60 s, then the 20 s the provider then announced.
    await elapse(60_000);
    expect(api.polls).toHaveLength(2);
    await elapse(20_000);
    expect(api.polls).toHaveLength(3);
    expect(replies.finals).toEqual([
      {
        kind: 'video',
        video: { path: join(dir, 'video.mp4'), sizeBytes: 9 },
        filename: 'animate-task-000.mp4',
        // The link stays valid an hour from the last poll; kept for a channel where files cannot be attached.
        link: { url: succeeded.video?.url, expiresAt: clock.now() + 3_600_000, limitBytes: 10 * 1024 * 1024 },
      },
    ]);
    expect((await store.get('task-0001'))?.state).toBe('delivered');
    expect(quota.settled).toEqual([{ taskId: 'task-0001', refund: false }]);
    expect(await store.listOpen()).toEqual([]);
    expect(await store.getImage('task-0001')).toBeUndefined();
  });

  it('keeps the checked picture for the buttons, and a re-roll submits those very bytes without downloading', async () => {
    const pictures = new KeptPictures({ store: sqlite, clock, retentionMs: 3_600_000 });
    const downloads: string[] = [];
    let ids = 0;
    tracker = new TaskTracker({
      ...trackerDeps(),
      pictures,
      newId: () => `task-000${++ids}`,
      downloadImage: async (url) => {
        downloads.push(url);
        return PICTURE;
      },
    });
    api.results = [succeeded, succeeded];
    await tracker.accept('task-0001', request);
    await tracker.idle();
    expect(await pictures.get('task-0001')).toBe(PICTURE.toString('base64'));

    // The picture's link no longer works (Discord's links expire): the kept bytes are used instead.
    const reroll: NewTask = { ...request, image: { ...request.image, keptFrom: 'task-0001' } };
    await tracker.accept('task-0002', reroll);
    await tracker.idle();
    expect(downloads).toEqual([request.image.url]);
    expect(api.submissions.map((s) => s.image)).toEqual([PICTURE.toString('base64'), PICTURE.toString('base64')]);
    // Kept again under the new task, for the buttons under its own video.
    expect(await pictures.get('task-0002')).toBe(PICTURE.toString('base64'));

    // Once the picture has expired, the link is tried as for any request.
    clock.advance(3_600_001);
    await tracker.accept('task-0003', { ...request, image: { ...request.image, keptFrom: 'task-0001' } });
    await tracker.idle();
    expect(downloads).toEqual([request.image.url, request.image.url]);
  });

  it('edits the reply only when what the member sees changes', async () => {
    api.results = [processing(50), processing(50), processing(50), succeeded];
    await tracker.accept('task-0001', request);
    await tracker.idle();
    for (let i = 0; i < 4; i++) await elapse(POLL_MS * 10);
    expect(replies.progress.map((v) => v.kind)).toEqual(['checking', 'waiting', 'generating', 'delivering']);
  });

  it('refuses a bad picture without submitting anything', async () => {
    checkImage = () => {
      throw new InvalidImage({ kind: 'picture_too_small', width: 200, height: 200, minWidth: 300, minHeight: 300 });
    };
    await tracker.accept('task-0001', request);
    await tracker.idle();
    expect(api.submissions).toEqual([]);
    expect(replies.finals).toMatchObject([{ kind: 'image_refused', refundedUnits: 2 }]);
    expect(replies.finalTexts).toEqual(['That picture is 200x200; it needs to be at least 300x300 pixels.']);
    expect(quota.settled).toContainEqual({ taskId: 'task-0001', refund: true });
    expect(await store.get('task-0001')).toMatchObject({ state: 'failed', failure: { kind: 'picture_too_small' } });
  });

  it("shows the provider's reason when the generation fails", async () => {
    api.results = [{ status: 'failed', rawStatus: 'TASK_STATUS_FAILED', reason: 'image contains prohibited content' }];
    await tracker.accept('task-0001', request);
    await tracker.idle();
    await elapse(POLL_MS);
    expect(replies.finals).toMatchObject([{ kind: 'failed', refundedUnits: 2 }]);
    expect(replies.finalTexts).toEqual([expect.stringContaining('image contains prohibited content')]);
    expect(quota.settled.every((s) => s.refund)).toBe(true);
    expect((await store.get('task-0001'))?.state).toBe('failed');
  });

  it('reports a refused submission with the provider message', async () => {
    api.submitOutcome = async () => {
      throw new ProviderRejected('prompt too long');
    };
    await tracker.accept('task-0001', request);
    await tracker.idle();
    expect(replies.finals).toMatchObject([{ kind: 'failed', refundedUnits: 2 }]);
    expect(replies.finalTexts).toEqual(['The provider rejected this picture or prompt: prompt too long']);
  });

  it('never resubmits when the submission outcome is unknown', async () => {
    api.submitOutcome = async () => {
      throw new SubmitOutcomeUnknown();
    };
    await tracker.accept('task-0001', request);
    await tracker.idle();
    await elapse(60_000);
    expect(api.submissions).toHaveLength(1);
    expect(replies.finals).toMatchObject([{ kind: 'failed', refundedUnits: 2 }]);
    expect(replies.finalTexts).toEqual([expect.stringContaining('avoid charging you twice')]);
    expect(await store.get('task-0001')).toMatchObject({ failure: { kind: 'submit_unknown' } });
  });

  it('a task found mid-submission after a restart, its submission mark taken, is reported, not sent again', async () => {
    await store.put(makeTaskRecord({ state: 'submitting' }));
    await store.putImage('task-0001', PICTURE.toString('base64'));
    // The earlier run took the mark right before its request left: the provider may have the task.
    expect(await store.markSubmitted('task-0001', 'the earlier run')).toBe(true);
    expect(await tracker.resumeOpenTasks()).toBe(1);
    await tracker.idle();
    expect(api.submissions).toEqual([]);
    expect(replies.finals.map((f) => f.kind)).toEqual(['failed']);
    expect(await store.get('task-0001')).toMatchObject({ state: 'failed', failure: { kind: 'submit_unknown' } });
  });

  it('a task found mid-submission without its mark was never sent (the bot stopped while it waited): submitted once and delivered', async () => {
    await store.put(makeTaskRecord({ state: 'submitting' }));
    await store.putImage('task-0001', PICTURE.toString('base64'));
    api.results = [succeeded];
    expect(await tracker.resumeOpenTasks()).toBe(1);
    await tracker.idle();
    expect(api.submissions).toHaveLength(1);
    await elapse(POLL_MS);
    expect(api.polls).toEqual(['provider-1']);
    expect(replies.finals.map((f) => f.kind)).toEqual(['video']);
    expect(await store.get('task-0001')).toMatchObject({ state: 'delivered' });
    // The mark is taken now: no other driver sends it again.
    expect(await store.markSubmitted('task-0001', 'another driver')).toBe(false);
  });

  it('a task found mid-submission whose picture is gone takes no mark and sends nothing: it checks its picture again, then is submitted', async () => {
    await store.put(makeTaskRecord({ state: 'submitting' }));
    // The picture is read when the request is about to leave (not before its wait for the budget): missing
    // then, the task is not sent and leaves the mark free for the submission that follows the new check.
    expect(await tracker.resumeOpenTasks()).toBe(1);
    await tracker.idle();
    expect(api.submissions.map((s) => s.image)).toEqual([PICTURE.toString('base64')]);
    expect(await store.get('task-0001')).toMatchObject({ state: 'queued', retries: 0 });
  });

  it('a task found mid-submission written by a version before submission marks (no revision) is reported, not sent again', async () => {
    const { revision: _revision, ...old } = makeTaskRecord({ state: 'submitting' });
    await sqlite.kv.set('task:task-0001', old);
    await sqlite.addToSet('tasks:open', 'task-0001');
    await store.putImage('task-0001', PICTURE.toString('base64'));
    expect(await tracker.resumeOpenTasks()).toBe(1);
    await tracker.idle();
    expect(api.submissions).toEqual([]);
    expect(await store.get('task-0001')).toMatchObject({ state: 'failed', failure: { kind: 'submit_unknown' } });
  });

  it('a task the provider is working on is resumed by polling, with no second submission', async () => {
    await store.put(makeTaskRecord({ state: 'processing', provider: { taskId: 'provider-7', submittedAt: 1_000 } }));
    api.results = [succeeded];
    await tracker.resumeOpenTasks();
    await tracker.idle();
    expect(api.submissions).toEqual([]);
    expect(api.polls).toEqual(['provider-7']);
    expect(replies.finals.map((f) => f.kind)).toEqual(['video']);
  });

  it('a task stopped mid-delivery is delivered again on resume (editing the same reply)', async () => {
    await store.put(
      makeTaskRecord({
        state: 'delivering',
        provider: { taskId: 'provider-7', submittedAt: 1_000, videoUrl: 'http://127.0.0.1:1/v.mp4', videoUrlExpiresAt: 1_000 + 3_600_000 },
      }),
    );
    await tracker.resumeOpenTasks();
    await tracker.idle();
    expect(api.polls).toEqual([]);
    expect(replies.finals.map((f) => f.kind)).toEqual(['video']);
  });

  it('asks for a fresh link when the stored one has expired', async () => {
    await store.put(
      makeTaskRecord({
        state: 'downloading',
        provider: { taskId: 'provider-7', submittedAt: 1_000, videoUrl: 'http://127.0.0.1:1/old.mp4', videoUrlExpiresAt: 500 },
      }),
    );
    api.results = [succeeded];
    await tracker.resumeOpenTasks();
    await tracker.idle();
    expect(api.polls).toEqual(['provider-7']);
    expect(replies.finals.map((f) => f.kind)).toEqual(['video']);
  });

  it('a link with under five minutes to live is downloaded at once, and a dead one never makes a polling loop', async () => {
    const shortLived = (ttlSeconds: number): TaskResult => ({ ...succeeded, video: { url: 'http://127.0.0.1:1/v.mp4', ttlSeconds } });
    api.results = [shortLived(60)];
    await tracker.accept('task-0001', request);
    await tracker.idle();
    await elapse(POLL_MS);
    expect(api.polls).toHaveLength(1);
    expect(replies.finals.map((f) => f.kind)).toEqual(['video']);

    api.results = [shortLived(0)];
    api.polls.length = 0;
    await tracker.accept('task-0002', request);
    await tracker.idle();
    await elapse(POLL_MS);
    expect(api.polls).toHaveLength(1);
    await elapse(POLL_MS);
    expect(api.polls).toHaveLength(2);
  });

  it('a generation still running at 13 minutes says so once; at TASK_MAX_AGE_MS the member is told and refunded', async () => {
    tracker = new TaskTracker({ ...trackerDeps(), maxTaskAgeMs: 30 * 60_000 });
    api.results = [processing(10, 600)];
    await tracker.accept('task-0001', request);
    await tracker.idle();
    for (let minute = 0; minute < 32; minute++) await elapse(60_000);
    const notices = replies.progress.filter((v) => v.kind === 'still_working');
    expect(notices).toHaveLength(1);
    expect(replies.finals).toMatchObject([{ kind: 'failed', failure: { kind: 'generation_timed_out' }, refundedUnits: 2 }]);
    expect(replies.finalTexts).toEqual([expect.stringContaining('took too long')]);
    // The provider was submitted to: the member is refunded, the operator's ledger keeps the unit.
    expect(quota.settled).toEqual([{ taskId: 'task-0001', refund: true }]);
    expect(quota.operatorRefunds).toEqual([false]);
  });

  it('backs off while the provider is unavailable, then finishes', async () => {
    api.results = [new ProviderUnavailable({ status: 503 }), new ProviderUnavailable({ status: 503, retryAfterMs: 20_000 }), succeeded];
    await tracker.accept('task-0001', request);
    await tracker.idle();
    await elapse(POLL_MS);
    expect(api.polls).toHaveLength(1);
    const retryAt = clock.nextTimerAt ?? 0;
    expect(retryAt - clock.now()).toBeGreaterThanOrEqual(POLL_MS);
    await elapse(retryAt - clock.now());
    expect(api.polls).toHaveLength(2);
    expect((clock.nextTimerAt ?? 0) - clock.now()).toBeGreaterThanOrEqual(20_000);
    await elapse(20_000);
    expect(replies.finals.map((f) => f.kind)).toEqual(['video']);
  });

  it('delivers a link when the video is over the upload limit', async () => {
    download = async (_url, maxBytes) => {
      expect(maxBytes).toBe(10 * 1024 * 1024);
      return { kind: 'too_large', sizeBytes: 15_000_000 };
    };
    api.results = [succeeded];
    await tracker.accept('task-0001', request);
    await tracker.idle();
    await elapse(POLL_MS);
    expect(replies.finals).toEqual([
      {
        kind: 'video_link',
        url: succeeded.video?.url,
        expiresAt: clock.now() + 3_600_000,
        sizeBytes: 15_000_000,
        limitBytes: 10 * 1024 * 1024,
      },
    ]);
  });

  it('a video URL the bot refuses to fetch is a lost video at once, not downloaded again and again', async () => {
    let downloads = 0;
    download = async () => {
      downloads++;
      throw new VideoUrlRefused({ cause: new Error('http: downloads are not allowed') });
    };
    api.results = [succeeded];
    await tracker.accept('task-0001', request);
    await tracker.idle();
    await elapse(POLL_MS);
    await elapse(10 * 60_000);
    expect(downloads).toBe(1);
    expect(replies.finals).toMatchObject([{ kind: 'failed', failure: { kind: 'video_lost' }, refundedUnits: 2 }]);
    expect((await store.get('task-0001'))?.state).toBe('failed');
    expect(quota.settled).toEqual([{ taskId: 'task-0001', refund: true }]);
  });

  it('keeps on the record the message a late delivery posted', async () => {
    api.results = [succeeded];
    replies.posted = { channelId: '400000000000000001', messageId: '700000000000000001' };
    await tracker.accept('task-0001', request);
    await tracker.idle();
    await elapse(POLL_MS);
    expect(await store.get('task-0001')).toMatchObject({ state: 'delivered', delivery: replies.posted });
  });

  it('retries a delivery Discord could not take, and delivers it once', async () => {
    api.results = [succeeded];
    replies.failDeliveries = 2;
    await tracker.accept('task-0001', request);
    await tracker.idle();
    await elapse(POLL_MS);
    await elapse(60_000);
    await elapse(60_000);
    expect(replies.finals.map((f) => f.kind)).toEqual(['video']);
    expect((await store.get('task-0001'))?.state).toBe('delivered');
  });

  it('removes each downloaded file once its send is over, sent or not: a retry downloads the video again', async () => {
    api.results = [succeeded];
    replies.failDeliveries = 1;
    const downloaded: string[] = [];
    const existedAtDelivery: boolean[] = [];
    download = async () => {
      const path = join(dir, `video-${downloaded.length}.mp4`);
      writeFileSync(path, 'mp4 bytes');
      downloaded.push(path);
      return { kind: 'file', file: { path, sizeBytes: 9 } };
    };
    const deliver = replies.deliver.bind(replies);
    replies.deliver = async (task, view) => {
      if (view.kind === 'video') existedAtDelivery.push(existsSync(view.video.path));
      return deliver(task, view);
    };
    await tracker.accept('task-0001', request);
    await tracker.idle();
    await elapse(POLL_MS);
    await elapse(60_000);
    expect((await store.get('task-0001'))?.state).toBe('delivered');
    expect(downloaded).toHaveLength(2);
    expect(existedAtDelivery).toEqual([true, true]);
    expect(downloaded.filter((path) => existsSync(path))).toEqual([]);
  });

  it('a second task waits its turn, shows its place in line, and starts when the first finishes', async () => {
    quota.slots = 1;
    let nextId = 1;
    tracker = new TaskTracker({ ...trackerDeps(), newId: () => `task-${nextId++}` });
    api.results = [processing(10), succeeded];
    await tracker.accept('task-a', request);
    await tracker.idle();
    clock.advance(1);
    await tracker.accept('task-b', request);
    await tracker.idle();
    expect(api.submissions).toHaveLength(1);
    expect(replies.progress).toContainEqual({ kind: 'waiting_turn', position: 1, paused: false });
    expect((await store.get('task-b'))?.state).toBe('waiting');

    await elapse(POLL_MS);
    await elapse(POLL_MS * 10);
    expect((await store.get('task-a'))?.state).toBe('delivered');
    expect(api.submissions).toHaveLength(2);
    expect((await store.get('task-b'))?.state).toBe('queued');
  });

  it('out of credit: the member is refunded, submissions pause, and waiting tasks do not fail in turn', async () => {
    api.submitOutcome = async () => {
      throw new ProviderOutOfCredit({ status: 403, reason: 'NOT_ENOUGH_BALANCE' });
    };
    await tracker.accept('task-a', request);
    await tracker.idle();
    expect(replies.finals).toMatchObject([{ kind: 'failed', refundedUnits: 2 }]);
    expect(replies.finalTexts).toEqual([expect.stringContaining('unavailable right now')]);
    expect(quota.paused).toBe(true);

    await tracker.accept('task-b', request);
    await tracker.idle();
    await elapse(60_000);
    expect(api.submissions).toHaveLength(1);
    expect((await store.get('task-b'))?.state).toBe('waiting');
    expect(replies.progress).toContainEqual({ kind: 'waiting_turn', position: 1, paused: true });
  });

  it("a moderator of another server cannot cancel this server's waiting task", async () => {
    quota.slots = 1;
    api.results = [processing(10)];
    await tracker.accept('task-a', request);
    await tracker.idle();
    await tracker.accept('task-b', request);
    await tracker.idle();
    expect((await store.get('task-b'))?.state).toBe('waiting');
    const guildId = request.requester.guildId;

    expect(await tracker.cancel('task-b', { userId: '790000000000000001', isModerator: true, guildId: '390000000000000009' })).toBe(
      'not_found',
    );
    expect(await tracker.cancel('task-b', { userId: request.requester.userId, isModerator: false, guildId: '390000000000000009' })).toBe(
      'not_found',
    );
    expect((await store.get('task-b'))?.state).toBe('waiting');
    expect(await tracker.cancel('task-b', { userId: '790000000000000001', isModerator: true, guildId })).toBe('cancelled');
    expect(await store.get('task-b')).toMatchObject({ state: 'failed', failure: { kind: 'cancelled' } });
  });

  it('a poll refused for the API key or credit pauses polling with one operator line, and fails no task', async () => {
    const lines: string[] = [];
    tracker = new TaskTracker({ ...trackerDeps(), logger: createLogger({ level: 'info', write: (line) => lines.push(line) }) });
    api.results = [processing(10), new ProviderMisconfigured({ status: 401 }), new ProviderMisconfigured({ status: 401 }), succeeded];
    await tracker.accept('task-0001', request);
    await tracker.idle();
    await elapse(POLL_MS); // processing
    await elapse(POLL_MS * 60); // 401
    await elapse(POLL_PAUSE_MS); // 401 again, still paused
    expect((await store.get('task-0001'))?.state).toBe('processing');
    expect(replies.finals).toEqual([]);
    expect(quota.settled).toEqual([]);
    expect(lines.filter((line) => line.includes('"level":"error"') && line.includes('polling paused'))).toHaveLength(1);

    await elapse(POLL_PAUSE_MS); // the key works again
    await elapse(POLL_MS);
    expect((await store.get('task-0001'))?.state).toBe('delivered');
    expect(quota.settled).toEqual([{ taskId: 'task-0001', refund: false }]);
  });

  it('a periodic sweep leaves a task on its polling schedule alone (no extra provider requests)', async () => {
    api.results = [processing(10, 60), succeeded];
    await tracker.accept('task-0001', request);
    await tracker.idle();
    await elapse(POLL_MS);
    expect(api.polls).toHaveLength(1);
    expect(await tracker.resumeOpenTasks()).toBe(0);
    await tracker.idle();
    expect(api.polls).toHaveLength(1);
  });
});
