/**
 * Large videos through the real bot, against the stand-ins: many videos of 25 MB finishing at once are each
 * delivered once, streamed from disk with a bounded number of uploads in flight; a video over the upload
 * limit is re-encoded with ffmpeg to fit and plays everywhere; without ffmpeg the member gets the link and
 * when it expires. Every assertion is on what Discord (the stand-in) received.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { UPLOADS_IN_FLIGHT } from '../../src/discord/discord-replies.ts';
import { VIDEO_DIRECTORY_NAME } from '../../src/videos/video-files.ts';
import { BotHarness } from '../support/bot-harness.ts';
import type { DiscordStandInOptions, RecordedRequest } from '../support/discord-stand-in.ts';
import { contentOf, dispatchAnimate, until as untilEvery } from '../support/e2e-requests.ts';
import { ffmpegSkipReason, makeNoiseVideo, probeVideo, requireFfmpeg, startsFast } from '../support/video-fixtures.ts';

const MIB = 1024 * 1024;
/** Discord's default upload limit for bots, and what a level-3 boosted server allows. */
const DEFAULT_LIMIT = 10 * MIB;
const BOOSTED_LIMIT = 100 * MIB;
const VIDEOS = 20;
const VIDEO_BYTES = 25_000_000;
const FIRST_MEMBER = 210_000_000_000_000_000n;

/** Quotas off, so twenty members in one server can all ask at once; the provider cap far above the burst. */
const BURST_ENV = {
  QUOTA_MEMBER_UNITS: 'off',
  QUOTA_SERVER_UNITS: 'off',
  QUOTA_MEMBER_RUNNING: 'off',
  QUOTA_GLOBAL_UNITS: 'off',
  QUOTA_SERVER_MAX_UNITS: 'off',
  HIGHWAY_REQUESTS_PER_MINUTE: '100000',
};

/** Checks every 50 ms: these waits are for files on disk and many members' deliveries. */
const until = (condition: () => boolean, timeoutMs: number, what: string) => untilEvery(condition, timeoutMs, what, 50);

/** The video files this process's bots have on disk right now. */
function videoFilesOnDisk(): string[] {
  const root = join(tmpdir(), VIDEO_DIRECTORY_NAME);
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter((dir) => dir.startsWith(`${process.pid}-`))
    .flatMap((dir) => readdirSync(join(root, dir)).map((file) => join(root, dir, file)));
}

describe('large videos end to end', () => {
  let h: BotHarness;

  afterEach(async () => {
    await h.stop();
  });

  async function start(discord: DiscordStandInOptions, env: Record<string, string> = {}) {
    h = await BotHarness.start({ discord, env });
    await h.startBot();
  }

  function animate(member = 0) {
    return dispatchAnimate(h.discord, { userId: String(FIRST_MEMBER + BigInt(member)), hostedName: `picture-${member}.png` });
  }

  /** Final edits of the member's reply that Discord accepted. */
  const acceptedEdits = () =>
    h.discord.requests.filter((r) => r.method === 'PATCH' && r.path.endsWith('/messages/@original') && r.status === 200);
  const logged = (msg: string) => h.logs.filter((line) => (JSON.parse(line) as { msg: string }).msg === msg).length;

  it(`${VIDEOS} videos of 25 MB finishing at once are each delivered once, at most ${UPLOADS_IN_FLIGHT} uploads in flight`, async () => {
    await start({ uploadLimitBytes: BOOSTED_LIMIT, keepUploadedBytes: false }, BURST_ENV);
    const videoFile = join(h.dir, 'large.mp4');
    writeFileSync(videoFile, randomBytes(VIDEO_BYTES));
    h.video.setDefaultTask({ pollsBeforeDone: 2, etaSeconds: 1, outcome: { kind: 'succeed', videoFile } });

    const interactions = Array.from({ length: VIDEOS }, (_, member) => animate(member));
    await until(() => logged('task delivered') >= VIDEOS, 150_000, `${VIDEOS} deliveries`);

    const uploads = acceptedEdits().filter((r) => r.files.length > 0);
    for (const interaction of interactions) {
      const mine = uploads.filter((r) => r.path.includes(interaction.token));
      expect(mine).toHaveLength(1);
      expect(mine[0]?.files.map((file) => file.sizeBytes)).toEqual([VIDEO_BYTES]);
    }
    expect(uploads).toHaveLength(VIDEOS);
    expect(h.discord.maxUploadsInFlight).toBeGreaterThanOrEqual(1);
    expect(h.discord.maxUploadsInFlight).toBeLessThanOrEqual(UPLOADS_IN_FLIGHT);
    // Each downloaded file was removed once its video was sent.
    expect(videoFilesOnDisk()).toEqual([]);
  }, 180_000);

  describe.skipIf(ffmpegSkipReason !== undefined)(
    `over the upload limit${ffmpegSkipReason ? ` (skipped: ${ffmpegSkipReason})` : ''}`,
    () => {
      it('a 25 MB video is re-encoded under the 10 MiB limit and uploaded: H.264, yuv420p, index first', async () => {
        requireFfmpeg();
        await start({});
        const source = join(h.dir, 'source.mp4');
        makeNoiseVideo(source, { seconds: 5, megabytes: 25 });
        expect(statSync(source).size).toBeGreaterThan(24_000_000);
        h.video.setDefaultTask({ pollsBeforeDone: 2, etaSeconds: 1, outcome: { kind: 'succeed', videoFile: source } });

        const interaction = animate();
        const edit = await h.discord.waitForRequest(
          (r) => r.method === 'PATCH' && r.path.includes(interaction.token) && r.files.length > 0 && r.status === 200,
          90_000,
        );

        const uploaded = edit.files[0]?.data ?? Buffer.alloc(0);
        expect(edit.files).toHaveLength(1);
        expect(uploaded.length).toBeGreaterThan(0);
        expect(uploaded.length).toBeLessThan(DEFAULT_LIMIT);
        const copy = join(h.dir, 'uploaded.mp4');
        writeFileSync(copy, uploaded);
        const probed = probeVideo(copy);
        expect(probed).toMatchObject({ codec: 'h264', pixelFormat: 'yuv420p' });
        expect(probed.durationSeconds).toBeCloseTo(5, 0);
        expect(startsFast(uploaded)).toBe(true);
        expect(contentOf(edit)).toContain('Here is your video');
        await until(() => logged('task delivered') === 1, 8_000, 'the task delivered');
        expect(videoFilesOnDisk()).toEqual([]);
      }, 120_000);
    },
  );

  it('without ffmpeg (FFMPEG_PATH pointing at nothing), a video over the limit is sent as its link, with when it expires', async () => {
    await start({}, { FFMPEG_PATH: join(tmpdir(), 'animate-no-such-dir', 'ffmpeg') });
    const videoFile = join(h.dir, 'large.mp4');
    writeFileSync(videoFile, randomBytes(VIDEO_BYTES));
    h.video.setDefaultTask({ pollsBeforeDone: 2, etaSeconds: 1, outcome: { kind: 'succeed', videoFile, ttlSeconds: 3600 } });

    const interaction = animate();
    await until(() => logged('task delivered') === 1, 20_000, 'the task delivered');

    const finals = acceptedEdits().filter((r) => r.path.includes(interaction.token) && contentOf(r).includes('Download it here'));
    expect(finals).toHaveLength(1);
    expect(finals[0]?.files).toEqual([]);
    const content = contentOf(finals[0] as RecordedRequest);
    expect(content).toMatch(/at 23\.8 MB it is larger than this server's 10\.0 MB upload limit/);
    // The expiry is a Discord timestamp about an hour ahead, which each member's client shows in their own time.
    const expiry = Number(/the link expires <t:(\d+):R>/.exec(content)?.[1]);
    expect(expiry * 1000).toBeGreaterThan(Date.now() + 50 * 60_000);
    expect(expiry * 1000).toBeLessThan(Date.now() + 61 * 60_000);
    expect(content).toMatch(/\): http:\/\/127\.0\.0\.1:\d+\/files\/.+\.mp4\?X-Amz-Expires=3600$/m);
    expect(h.discord.requests.filter((r) => r.files.length > 0)).toEqual([]);
    expect(h.logs.some((line) => line.includes('was not found at') && line.includes('FFMPEG_PATH'))).toBe(true);
    expect(videoFilesOnDisk()).toEqual([]);
  });
});
