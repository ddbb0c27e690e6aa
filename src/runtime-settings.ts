/**
 * How the bot's Node process runs: the few V8 flags and C-allocator settings that keep its resident memory
 * bounded after a burst. They can only take effect when the process starts (V8 sizes its heap, and glibc reads
 * its MALLOC_* variables, before any of the bot's code runs; `v8.setFlagsFromString` comes too late for them), so
 * src/start.js applies them itself: when one is missing it executes Node again, in the same process (same pid,
 * so signals and supervisors see no difference), with them added. `npm start`, the Dockerfile, the systemd unit,
 * a plain `node src/start.js` and the bench all run src/start.js, so this list is the one place they are set.
 *
 * Figures: 1000 open tasks after a burst of 1000 /animate commands (`npm run bench`, 2-core machine, Node 24).
 */

/**
 * V8 flags, each with the reason it is here.
 *
 * `--max-semi-space-size=16`: V8 sizes the young generation from the machine's memory, up to 64 MiB per
 * semi-space on a 24 GiB host, and a burst's short-lived garbage (pictures, request bodies) grows it to that
 * maximum: 128 MiB resident during the burst, and kept until a collection reduces it (memory-after-bursts.ts
 * runs one once the burst is over). At 16 MiB it stays at 32 MiB: the burst's peak was 330 to 510 MiB with it,
 * 410 to 575 without, for the same CPU time per command within the measurement's noise (7.0 to 8.0 ms).
 *
 * `--always-sparkplug`: V8 runs a function in its interpreter until it has been called often enough, and a
 * burst of 100 at the start runs the whole acknowledgement path (options, quota, store, deferral) cold. With
 * baseline machine code from the first call (cheap to make: no optimisation), that burst's p99 was 1.20 times
 * the bot that only defers instead of 1.53 (median of nine interleaved rounds), and a burst of 1000 was no
 * slower. The code takes about 3 MiB more of the JS heap (49 MiB in use at 1000 open tasks instead of 46).
 *
 * Not `--min-semi-space-size`: starting the young generation at its working size helped the same burst while
 * the start's garbage was still in the heap (1.11 times instead of 1.36), but once that garbage is collected
 * before connecting (memory-after-bursts.ts `collectStartGarbage`) it made no difference (1.25 against 1.27),
 * and it kept the young generation from shrinking after a burst: 186 to 198 MiB resident at 1000 open tasks
 * with it, 176 to 180 without.
 */
export const RUNTIME_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=16', '--always-sparkplug'];

/**
 * The C allocator (glibc's malloc: libvips, undici's and SQLite's buffers, Node's own), read once at start.
 *
 * `MALLOC_ARENA_MAX=2`: glibc gives each thread that allocates its own arena, up to eight per core, and keeps
 * what each grew to: sharp's and the thread pool's workers held 24 to 42 MiB after a burst, 5 to 21 with two.
 * `MALLOC_MMAP_THRESHOLD_=65536`: a fixed threshold (glibc's moves up after each large block is freed, so later
 * pictures and bodies of 100 KB to 1 MB land in the main heap and fragment it): blocks of 64 KiB and more are
 * mapped on their own and returned to the system when freed. The main heap stayed at 75 to 85 MiB after a burst
 * without it (resident 210 to 240 MiB at 1000 open tasks), 27 to 30 with it (175), for about 0.5 ms of CPU
 * more per command (a system call for each such block).
 */
export const RUNTIME_ENV: Readonly<Record<string, string>> = {
  MALLOC_ARENA_MAX: '2',
  MALLOC_MMAP_THRESHOLD_: '65536',
};

export interface RuntimeSettingsMissing {
  flags: string[];
  env: Record<string, string>;
}

/**
 * A flag's name without its value or negation: `--max-semi-space-size` for `--max-semi-space-size=16`,
 * `--always-sparkplug` for `--no-always-sparkplug` (V8 reads `_` and `-` alike).
 */
const flagName = (flag: string) => (flag.split('=')[0] ?? flag).replaceAll('_', '-').replace(/^--no-/, '--');

/**
 * The settings this process was started without. A flag the operator gave already (on the command line or in
 * NODE_OPTIONS), and a variable they set, are theirs: never replaced.
 */
export function missingRuntimeSettings(execArgv: readonly string[], env: NodeJS.ProcessEnv): RuntimeSettingsMissing {
  const given = [...execArgv, ...(env.NODE_OPTIONS ?? '').split(/\s+/)].map(flagName);
  return {
    flags: RUNTIME_NODE_FLAGS.filter((flag) => !given.includes(flagName(flag))),
    env: Object.fromEntries(Object.entries(RUNTIME_ENV).filter(([name]) => env[name] === undefined)),
  };
}

/**
 * Set by the process that executes Node again with the settings, so that the new process never does it a
 * second time, whatever it finds (a loop of re-executions would be a process that never starts).
 */
export const RUNTIME_SETTINGS_APPLIED = 'ANIMATE_BOT_RUNTIME_SETTINGS';

/**
 * When a setting is missing, replaces this process by Node with the settings added (process.execve: same pid,
 * same arguments, the operator's own flags kept after ours) and does not return. Returns, having changed
 * nothing, when nothing is missing, when it was done already, or where Node cannot (Windows has no execve):
 * the bot then runs as started, and `warn` says what it lacks.
 */
export function applyRuntimeSettings(warn: (line: string) => void): void {
  if (process.env[RUNTIME_SETTINGS_APPLIED] !== undefined) return;
  const missing = missingRuntimeSettings(process.execArgv, process.env);
  if (missing.flags.length === 0 && Object.keys(missing.env).length === 0) return;
  const lacking = [...missing.flags, ...Object.entries(missing.env).map(([name, value]) => `${name}=${value}`)].join(' ');
  if (typeof process.execve !== 'function') {
    warn(
      `animate-bot: this platform cannot restart Node with ${lacking}; running without (more resident memory after bursts, slower acknowledgements just after a start)`,
    );
    return;
  }
  const args = [process.execPath, ...missing.flags, ...process.execArgv, ...process.argv.slice(1)];
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) if (value !== undefined) env[name] = value;
  try {
    process.execve(process.execPath, args, { ...env, ...missing.env, [RUNTIME_SETTINGS_APPLIED]: '1' });
  } catch (error) {
    warn(
      `animate-bot: could not restart Node with ${lacking} (${error instanceof Error ? error.message : String(error)}); running without`,
    );
  }
}
