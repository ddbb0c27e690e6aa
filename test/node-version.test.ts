/** A Node too old for the bot says so in one line, whichever way the bot is started. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MINIMUM_NODE_VERSION, nodeVersionProblem } from '../src/node-version.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const START = join(ROOT, 'src', 'start.js');
const packageJson = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  engines: { node: string };
  dependencies: Record<string, string>;
};

/** The machine's own Node, when it is older than the bot needs (Debian's is 20): the newcomer's situation. */
function oldSystemNode(): { path: string; version: string } | undefined {
  for (const path of ['/usr/bin/node', '/usr/local/bin/node']) {
    const run = spawnSync(path, ['-p', 'process.versions.node'], { encoding: 'utf8' });
    const version = run.status === 0 ? run.stdout.trim() : undefined;
    if (version !== undefined && nodeVersionProblem(version) !== undefined) return { path, version };
  }
  return undefined;
}
const oldNode = oldSystemNode();

describe('the Node version check', () => {
  it('lets 22.19 and every later Node through', () => {
    for (const version of ['22.19.0', '22.20.1', '24.0.0', '24.21.0', '26.10.0', 'v24.1.0'])
      expect(nodeVersionProblem(version)).toBeUndefined();
  });

  it('stops older ones with one line naming the version needed, the one found, and how to get the right one', () => {
    for (const version of ['22.18.9', '22.0.0', '20.20.2', '18.19.1', '12.22.9']) {
      const problem = nodeVersionProblem(version);
      expect(problem).toBe(
        `animate-bot needs Node.js 22.19.0 or newer, and this is Node.js ${version}: run "npm install" then "npm start", ` +
          'which use the Node 24 that npm install puts in node_modules/.bin, or install Node 24 (the version in .nvmrc) from https://nodejs.org',
      );
    }
  });

  it('agrees with package.json, .nvmrc and the Node that npm install brings', () => {
    expect(packageJson.engines.node).toBe(`>=${MINIMUM_NODE_VERSION}`);
    const nvmrc = readFileSync(join(ROOT, '.nvmrc'), 'utf8').trim();
    expect(packageJson.dependencies.node).toMatch(new RegExp(`^\\^${nvmrc}\\.`));
    expect(nodeVersionProblem(`${nvmrc}.0.0`)).toBeUndefined();
  });

  it.skipIf(oldNode === undefined)(
    `a real old Node running src/start.js prints that line alone and exits 1${oldNode ? ` (Node ${oldNode.version})` : ' (skipped: no Node older than 22.19 at /usr/bin/node)'}`,
    () => {
      if (oldNode === undefined) return;
      const run = spawnSync(oldNode.path, [START], { encoding: 'utf8', cwd: tmpdir(), env: { PATH: '/usr/bin:/bin' } });
      expect(run.status).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toBe(`${nodeVersionProblem(oldNode.version) ?? ''}\n`);
    },
  );

  it('on this Node, src/start.js runs the bot, which reads .env and explains what is missing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'animate-start-'));
    try {
      writeFileSync(join(dir, '.env'), 'HIGHWAY_API_KEY=abc\nthis line is wrong\n');
      const run = spawnSync(process.execPath, [START], { encoding: 'utf8', cwd: dir, env: { PATH: process.env.PATH } });
      expect(run.status).toBe(1);
      const output = run.stdout + run.stderr;
      expect(output).toContain('.env line 2 is not NAME=value');
      expect(output).toContain('DISCORD_TOKEN is required');
      expect(output).not.toContain('    at ');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
