/**
 * The bot's own temporary files for videos on their way to Discord. A video is streamed from the provider
 * to a file and uploaded from it, so memory stays the same whatever the size and the number of videos.
 *
 * Each process keeps its files in a directory of its own, `<tmpdir>/animate-bot-videos/<pid>-<start>-<id>`
 * (os.tmpdir() follows TMPDIR). A process that died mid-delivery leaves its directory behind; the next
 * one to start removes every directory whose process is gone, and never one of a process still running
 * (several bot processes, shards, may share a machine).
 */
import { lstat, mkdir, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Logger } from '../logger.ts';
import { randomId } from '../random.ts';

/** A video on disk, ready to upload. */
export interface VideoFile {
  path: string;
  sizeBytes: number;
}

export const VIDEO_DIRECTORY_NAME = 'animate-bot-videos';

/** When this process started, in whole milliseconds: with the pid, it tells this process from an earlier one with the same pid (a container's pid 1). */
const PROCESS_STARTED = Math.round(performance.timeOrigin);

export class VideoFiles {
  /** This bot's own directory (one per bot: tests run several in one process). */
  readonly directory: string;

  private constructor(directory: string) {
    this.directory = directory;
  }

  /** Creates this process's directory under `root`, after removing what dead processes left there. */
  static async open(logger: Logger, root: string = join(tmpdir(), VIDEO_DIRECTORY_NAME)): Promise<VideoFiles> {
    await ownDirectory(root);
    await removeLeftovers(root, logger);
    const directory = join(root, `${process.pid}-${PROCESS_STARTED}-${randomId().slice(0, 8)}`);
    await mkdir(directory, { recursive: true, mode: 0o700 });
    return new VideoFiles(directory);
  }

  /** A fresh path in this process's directory (nothing is created). */
  newPath(extension = '.mp4'): string {
    return join(this.directory, `${randomId()}${extension}`);
  }

  /** Removes this directory and every file left in it, at shutdown. */
  async close(): Promise<void> {
    await rm(this.directory, { recursive: true, force: true });
  }
}

/** Removes a video file once it has been delivered (or could not be); a file already gone is fine. */
export async function removeVideoFile(file: VideoFile | undefined): Promise<void> {
  if (file) await rm(file.path, { force: true });
}

/**
 * The shared root, created private to this user. A root that exists but is not a directory of this user
 * (another account's, a symlink planted in /tmp) is refused rather than written into.
 */
async function ownDirectory(root: string): Promise<void> {
  await mkdir(root, { recursive: true, mode: 0o700 });
  const stat = await lstat(root);
  const uid = process.getuid?.();
  if (!stat.isDirectory() || (uid !== undefined && stat.uid !== uid)) {
    throw new Error(`${root} is not a directory owned by this user: set TMPDIR to a private directory`);
  }
}

async function removeLeftovers(root: string, logger: Logger): Promise<void> {
  for (const name of await readdir(root)) {
    const match = /^(\d+)-(\d+)-[0-9a-f]+$/.exec(name);
    if (!match) continue;
    const pid = Number(match[1]);
    const started = Number(match[2]);
    // Another bot of this very process is using it; a process still running (not an earlier one with our pid) too.
    const thisProcess = pid === process.pid && started === PROCESS_STARTED;
    if (thisProcess || (pid !== process.pid && isRunning(pid))) continue;
    logger.info('removing video files left by a stopped bot process', { directory: join(root, name) });
    await rm(join(root, name), { recursive: true, force: true });
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
