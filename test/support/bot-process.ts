/** Runs the bot (or another entry point) as a real child process, as `npm start` would. */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export class BotProcess {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** What this process had started when last looked at (see track()). */
  readonly #started: number[] = [];

  private constructor(child: ChildProcess) {
    this.child = child;
    child.stdout?.on('data', (chunk: Buffer) => (this.stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  /**
   * Starts `node <entry>` from the repository with exactly `env` (plus PATH), in an empty working
   * directory so no developer's `.env` leaks into the test.
   */
  static start(entry: string, env: Record<string, string>, args: string[] = []): BotProcess {
    const cwd = mkdtempSync(join(tmpdir(), 'animate-proc-'));
    const child = spawn(process.execPath, [join(ROOT, entry), ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new BotProcess(child);
  }

  /**
   * Runs `npm start` for real, as an operator does, in a copy of the project: the real package.json (so its
   * real start script) beside links to src/, commands/ and node_modules/, so no developer's `.env` leaks in.
   * npm is whichever the PATH gives (possibly on the machine's older Node). It leads its own process group,
   * as a container's PID 1 or a terminal's foreground job does, so a test can signal npm alone or the group.
   */
  static startNpm(env: Record<string, string>): BotProcess {
    const cwd = mkdtempSync(join(tmpdir(), 'animate-npm-'));
    copyFileSync(join(ROOT, 'package.json'), join(cwd, 'package.json'));
    for (const name of ['src', 'commands', 'node_modules']) symlinkSync(join(ROOT, name), join(cwd, name));
    const child = spawn('npm', ['start'], {
      cwd,
      // No update check: no test may reach a real host.
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? cwd, npm_config_update_notifier: 'false', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    return new BotProcess(child);
  }

  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** Every process below this one (npm's shell, the bot), from /proc: Linux only, as the deployments are. */
  descendants(): number[] {
    const found: number[] = [];
    const visit = (pid: number) => {
      for (const child of childrenOf(pid)) {
        found.push(child);
        visit(child);
      }
    };
    if (this.child.pid !== undefined) visit(this.child.pid);
    return found;
  }

  /** Ends the process if a test left it running, with whatever it started (an orphaned bot included). */
  async dispose(): Promise<void> {
    for (const pid of this.#started) if (isRunning(pid)) process.kill(pid, 'SIGKILL');
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGKILL');
      await this.exited;
    }
  }

  /** Remembers the processes below this one now, so dispose() can end them even once orphaned. */
  track(): number[] {
    const pids = this.descendants();
    this.#started.push(...pids);
    return pids;
  }
}

function childrenOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((thread) =>
      readFileSync(`/proc/${pid}/task/${thread}/children`, 'utf8')
        .split(' ')
        .filter((word) => word !== '')
        .map(Number),
    );
  } catch {
    return []; // It has exited meanwhile.
  }
}

/** Whether a process still runs; a zombie (ended, not yet reaped) does not. */
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The state follows the command name, which is in parentheses and may itself hold spaces.
    return !stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}
