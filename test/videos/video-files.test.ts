/**
 * The bot's temporary video files: a directory of its own under the root, removed at stop; what a dead
 * process left behind is removed at the next start, and what a running one uses is never touched.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.ts';
import { removeVideoFile, VideoFiles } from '../../src/videos/video-files.ts';

let root: string;

beforeEach(() => {
  root = join(mkdtempSync(join(tmpdir(), 'animate-video-files-')), 'videos');
});

afterEach(() => {
  rmSync(join(root, '..'), { recursive: true, force: true });
});

/** The pid of a process that has ended (and, on this short a time, not been reused). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

describe('VideoFiles', () => {
  it('gives fresh paths in a private directory of its own, and removes it with its files at stop', async () => {
    const files = await VideoFiles.open(silentLogger, root);
    const [a, b] = [files.newPath(), files.newPath()];
    expect(a).not.toBe(b);
    expect(a.startsWith(`${files.directory}/`)).toBe(true);
    writeFileSync(a, 'video');
    await files.close();
    expect(existsSync(files.directory)).toBe(false);
  });

  it('at start, removes what a dead process left, and keeps the directories of running processes', async () => {
    const dead = join(root, `${deadPid()}-1700000000000-0a1b2c3d`);
    const running = join(root, `${process.ppid}-1700000000000-0a1b2c3d`);
    const samePidEarlierProcess = join(root, `${process.pid}-1600000000000-0a1b2c3d`);
    for (const dir of [dead, running, samePidEarlierProcess]) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'half-sent.mp4'), 'video');
    }
    const sibling = await VideoFiles.open(silentLogger, root);
    const files = await VideoFiles.open(silentLogger, root);
    // A second bot in the same process (tests do this) leaves the first one's directory alone.
    expect(readdirSync(root).sort()).toEqual([running, sibling.directory, files.directory].map((dir) => dir.slice(root.length + 1)).sort());
    await files.close();
    await sibling.close();
  });

  it('removes a delivered file, and a file already gone is no error', async () => {
    const files = await VideoFiles.open(silentLogger, root);
    const path = files.newPath();
    writeFileSync(path, 'video');
    await removeVideoFile({ path, sizeBytes: 5 });
    await removeVideoFile({ path, sizeBytes: 5 });
    expect(existsSync(path)).toBe(false);
    await files.close();
  });
});
