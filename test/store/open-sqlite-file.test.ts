import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.ts';

describe('STORE_URL=sqlite://<path> at start', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'animate-sqlite-path-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("creates the file's own directory when missing", async () => {
    const store = await openStore(`sqlite://${join(dir, 'data', 'animate.sqlite')}`);
    await store.kv.set('probe', 1);
    await store.close();
    expect(existsSync(join(dir, 'data', 'animate.sqlite'))).toBe(true);
  });

  it('creates no chain of directories for a mistyped path, and says why', async () => {
    const url = `sqlite://${join(dir, 'vra', 'lib', 'animate-bot', 'animate.sqlite')}`;
    await expect(openStore(url)).rejects.toThrow(
      `STORE_URL: cannot create ${join(dir, 'vra', 'lib', 'animate-bot')} for the SQLite file, because ${join(dir, 'vra', 'lib')} does not exist (only the file's own directory is created)`,
    );
    expect(existsSync(join(dir, 'vra'))).toBe(false);
  });

  it('says so when the file cannot be created there', async () => {
    // A directory where the file should be: the same refusal a read-only directory gives (as root, which
    // the tests may run as, permissions refuse nothing).
    mkdirSync(join(dir, 'animate.sqlite'));
    await expect(openStore(`sqlite://${join(dir, 'animate.sqlite')}`)).rejects.toThrow(
      new RegExp(`^STORE_URL: cannot create or write the SQLite file ${join(dir, 'animate.sqlite')}: .+ \\(the bot's user needs to write`),
    );
  });

  it('says so when the directory is a file', async () => {
    writeFileSync(join(dir, 'data'), 'not a directory');
    await expect(openStore(`sqlite://${join(dir, 'data', 'animate.sqlite')}`)).rejects.toThrow(
      `STORE_URL: cannot create the SQLite file ${join(dir, 'data', 'animate.sqlite')}, because ${join(dir, 'data')} is not a directory`,
    );
  });
});
