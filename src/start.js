/**
 * What `npm start` runs: checks the Node version, applies the runtime settings (runtime-settings.ts: when one is
 * missing, Node is executed again in this same process with it), then runs the bot (index.ts). Plain
 * JavaScript, so that a Node too old to load TypeScript prints one line saying what to do instead of a stack
 * trace about ERR_UNKNOWN_FILE_EXTENSION.
 */
import process from 'node:process';
import { setImmediate } from 'node:timers';
import { nodeVersionProblem } from './node-version.js';

const problem = nodeVersionProblem(process.versions.node);
if (problem === undefined) {
  // No top-level await (Node 12 would not parse this file): whatever escapes index.ts is thrown again
  // outside the promise, so it ends the process exactly as it would had index.ts been run directly.
  import('./runtime-settings.ts')
    .then((settings) => {
      settings.applyRuntimeSettings((line) => process.stderr.write(line + '\n'));
      return import('./index.ts');
    })
    .catch((error) => {
      setImmediate(() => {
        throw error;
      });
    });
} else {
  process.stderr.write(problem + '\n');
  process.exitCode = 1;
}
