/**
 * One bot under measurement, in a process of its own: its resident memory is then its own (the stand-ins
 * and this script live in the parent), and it has a whole core as it would in production. Its output goes
 * to a file rather than a pipe, so the parent spends nothing draining it during a burst and a full pipe
 * never stalls the bot.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { READY_LINE } from './bots/bot-env.ts';
import { COLLECTED_LINE } from './probes/memory-probe.ts';
import { sleep, waitFor } from './stats.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const MEMORY_PROBE = fileURLToPath(new URL('./probes/memory-probe.ts', import.meta.url));

export type BotName = 'this bot' | 'naive' | 'defer-only';

/** How to start each bot and how it says it is connected. */
export const BOTS: Record<BotName, { entry: string; readyLine: string }> = {
  // The production entry point, as `npm start` runs it: the Node check, the runtime settings (src/start.js
  // executes Node again with them: runtime-settings.ts), config from the environment, startApp, signals.
  'this bot': { entry: 'src/start.js', readyLine: 'connected to Discord' },
  naive: { entry: 'bench/bots/naive-bot.ts', readyLine: READY_LINE },
  'defer-only': { entry: 'bench/bots/defer-only-bot.ts', readyLine: READY_LINE },
};

export interface ProcessMemory {
  /** VmRSS: resident now. */
  rssBytes: number;
  /** VmHWM: the most that was ever resident (the process's peak). */
  peakRssBytes: number;
}

/** What the memory probe prints after its collection: the JS heap still in use is what the bot holds. */
const probeLine = z.object({ heapUsed: z.number() });

export class BotProcess {
  readonly name: BotName;
  /** Date.now() just before the process was spawned: "process start" for time-to-first-poll. */
  readonly startedAt: number;
  readonly logFile: string;
  readonly #child: ChildProcess;
  readonly #exited: Promise<void>;

  private constructor(name: BotName, child: ChildProcess, startedAt: number, logFile: string) {
    this.name = name;
    this.#child = child;
    this.startedAt = startedAt;
    this.logFile = logFile;
    this.#exited = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  /** Starts the bot in `dir` (its working directory and log) with exactly `env` plus PATH. */
  static start(name: BotName, env: Record<string, string>, dir: string): BotProcess {
    const logFile = join(dir, `${name.replace(/\W+/g, '-')}.log`);
    const out = openSync(logFile, 'a');
    const startedAt = Date.now();
    const child = spawn(process.execPath, ['--expose-gc', '--import', MEMORY_PROBE, join(ROOT, BOTS[name].entry)], {
      cwd: dir,
      // BENCH_BOT_NODE_OPTIONS reaches the bots as NODE_OPTIONS: e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to see
      // where a burst's time goes.
      env: {
        PATH: process.env.PATH ?? '',
        ...(process.env.BENCH_BOT_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_BOT_NODE_OPTIONS } : {}),
        // MALLOC_ARENA_MAX, when the bench has it, too (this bot has its own, src/runtime-settings.ts: the bench's wins).
        ...(process.env.MALLOC_ARENA_MAX ? { MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX } : {}),
        ...env,
      },
      stdio: ['ignore', out, out],
    });
    closeSync(out);
    return new BotProcess(name, child, startedAt, logFile);
  }

  get pid(): number {
    return this.#child.pid ?? -1;
  }

  /** Resolves once the bot printed its ready line; throws with its output if it did not within `timeoutMs`. */
  async waitUntilReady(timeoutMs = 30_000): Promise<void> {
    const line = BOTS[this.name].readyLine;
    const ready = await waitFor(() => this.output().includes(line) || this.#child.exitCode !== null, timeoutMs, 20);
    if (!ready || this.#child.exitCode !== null) {
      throw new Error(`${this.name} did not become ready:\n${this.output().slice(-4000)}`);
    }
  }

  output(): string {
    return existsSync(this.logFile) ? readFileSync(this.logFile, 'utf8') : '';
  }

  /** The process's memory as the kernel counts it (Linux /proc), so nothing is added by asking. */
  memory(): ProcessMemory {
    const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
    const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    return { rssBytes: kib('VmRSS'), peakRssBytes: kib('VmHWM') };
  }

  /** CPU time the process has used so far, user and system, in milliseconds (Linux /proc). */
  cpuMs(): number {
    // Fields 14 and 15 after the command name, in clock ticks; Linux reports them at 100 per second to user space.
    const stat = readFileSync(`/proc/${this.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  }

  /**
   * The JS heap still in use right after a full garbage collection in the bot (probes/memory-probe.ts), or
   * undefined when the probe did not answer.
   */
  async heapInUseAfterCollection(timeoutMs = 10_000): Promise<number | undefined> {
    // Only what is written after the signal: the log of a bot with a thousand tasks runs to megabytes.
    const from = statSync(this.logFile).size;
    this.#child.kill('SIGUSR2');
    let line: string | undefined;
    await waitFor(
      () => {
        line = this.#outputFrom(from)
          .split('\n')
          .find((l) => l.startsWith(COLLECTED_LINE));
        return line !== undefined;
      },
      timeoutMs,
      50,
    );
    if (line === undefined) return undefined;
    const parsed = probeLine.safeParse(JSON.parse(line.slice(COLLECTED_LINE.length)));
    return parsed.success ? parsed.data.heapUsed : undefined;
  }

  #outputFrom(offset: number): string {
    const length = statSync(this.logFile).size - offset;
    if (length <= 0) return '';
    const bytes = Buffer.alloc(length);
    const fd = openSync(this.logFile, 'r');
    try {
      readSync(fd, bytes, 0, length, offset);
    } finally {
      closeSync(fd);
    }
    return bytes.toString('utf8');
  }

  /**
   * SIGTERM, then SIGKILL if the bot has not exited within `graceMs` (longer under BENCH_BOT_NODE_OPTIONS:
   * a CPU profile is written as the process exits).
   */
  async stop(graceMs = process.env.BENCH_BOT_NODE_OPTIONS ? 60_000 : 3_000): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    this.#child.kill('SIGTERM');
    const exited = await Promise.race([this.#exited.then(() => true), sleep(graceMs).then(() => false)]);
    if (!exited) {
      this.#child.kill('SIGKILL');
      await this.#exited;
    }
  }
}
