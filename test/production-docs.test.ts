/**
 * The README's "Running in production" and the Dockerfile say how to run and stop the bot; these checks keep
 * them in line with the code (the Dockerfile cannot be built here: no network for Docker).
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BOTS } from '../bench/bot-process.ts';
import { STOP_HARD_CAP_MS } from '../src/process-stop.ts';
import { RUNTIME_ENV, RUNTIME_NODE_FLAGS } from '../src/runtime-settings.ts';

const read = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');
const readme = read('README.md');
const production = readme.slice(readme.indexOf('## Running in production'), readme.indexOf('## How it is built'));

/** A directive's values (`NAME value` or `Name=value`), one per line that sets it. */
const directives = (text: string, name: string, separator: ' ' | '=') =>
  text
    .split('\n')
    .filter((line) => line.startsWith(name + separator))
    .map((line) => line.slice(name.length + 1).trim());

describe('running in production, as documented', () => {
  it('the README runs the entry file with the Node the project ships, and that Node is there', () => {
    expect(production).toContain('npm ci --omit=dev\nnode_modules/.bin/node src/start.js\n');
    expect(existsSync(new URL('../node_modules/.bin/node', import.meta.url))).toBe(true);
    expect(existsSync(new URL('../src/start.js', import.meta.url))).toBe(true);
  });

  it('npm start execs node, so a signal sent to npm reaches the bot', () => {
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    expect(scripts.start).toBe('exec node src/start.js');
  });

  it("the systemd unit sends SIGTERM and waits longer than the bot's own stop before SIGKILL", () => {
    const unit = production.slice(production.indexOf('```ini'), production.indexOf('```', production.indexOf('```ini') + 6));
    expect(directives(unit, 'ExecStart', '=')).toEqual(['/opt/animate-bot/node_modules/.bin/node src/start.js']);
    expect(directives(unit, 'KillSignal', '=')).toEqual(['SIGTERM']);
    const [timeout] = directives(unit, 'TimeoutStopSec', '=').map(Number);
    expect(timeout).toBeGreaterThanOrEqual(10);
    expect((timeout ?? 0) * 1000).toBeGreaterThan(STOP_HARD_CAP_MS);
  });

  it('the Dockerfile: Node 24, locked dependencies without the test tools, node itself on src/start.js, SIGTERM', () => {
    const dockerfile = read('Dockerfile');
    expect(directives(dockerfile, 'FROM', ' ')).toEqual([expect.stringMatching(/^node:24[-.\w]*$/)]);
    expect(directives(dockerfile, 'RUN', ' ').some((run) => run.startsWith('npm ci --omit=dev'))).toBe(true);
    expect(directives(dockerfile, 'STOPSIGNAL', ' ')).toEqual(['SIGTERM']);
    expect(directives(dockerfile, 'CMD', ' ')).toEqual(['["node", "src/start.js"]']);
    // Docker's grace before SIGKILL is 10 s.
    expect(STOP_HARD_CAP_MS).toBeLessThan(10_000);
    expect(production).toMatch(/has not been\s+built or run here/);
  });

  it("the image never holds the .env, nor this machine's node_modules or data", () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('#'));
    expect(ignored).toEqual(expect.arrayContaining(['.env', 'node_modules', 'data']));
  });

  it('the runtime settings are set in one place, src/start.js, which every way of running the bot runs, the bench included', () => {
    // package.json, the README's command and unit, and the Dockerfile all run src/start.js (the tests above).
    expect(BOTS['this bot'].entry).toBe('src/start.js');
    // None sets them a second time, where they could drift from runtime-settings.ts.
    const elsewhere = [read('Dockerfile'), production.slice(production.indexOf('```ini')), read('package.json')];
    for (const name of [...RUNTIME_NODE_FLAGS.map((flag) => flag.split('=')[0] ?? flag), ...Object.keys(RUNTIME_ENV)]) {
      for (const text of elsewhere) expect(text).not.toContain(name);
    }
  });

  it('the README says which runtime settings the bot applies, each with its value', () => {
    const memory = production.slice(production.indexOf('### Memory'), production.indexOf('### Stopping and restarting'));
    for (const flag of RUNTIME_NODE_FLAGS) expect(memory).toContain(`\`${flag}\``);
    for (const [name, value] of Object.entries(RUNTIME_ENV)) expect(memory).toContain(`\`${name}=${value}\``);
  });
});
