/**
 * The oldest Node that runs the bot, and the one line that says so. Plain JavaScript, in syntax Node 12 still
 * parses, because it runs before any TypeScript: an older Node cannot even load a .ts file.
 */

/**
 * As in package.json's `engines` (a test keeps them equal): type stripping is on by default from 22.18, and
 * the dependencies (undici) want 22.19.
 */
export const MINIMUM_NODE_VERSION = '22.19.0';

/** Undefined when `version` (as in `process.versions.node`) can run the bot, else the one line to print. */
export function nodeVersionProblem(version) {
  if (compareVersions(version, MINIMUM_NODE_VERSION) >= 0) return undefined;
  const found = version.replace(/^v/, '');
  return (
    `animate-bot needs Node.js ${MINIMUM_NODE_VERSION} or newer, and this is Node.js ${found}: ` +
    'run "npm install" then "npm start", which use the Node 24 that npm install puts in node_modules/.bin, ' +
    'or install Node 24 (the version in .nvmrc) from https://nodejs.org'
  );
}

function compareVersions(a, b) {
  const x = parts(a);
  const y = parts(b);
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return 0;
}

function parts(version) {
  const numbers = version.replace(/^v/, '').split(/[.-]/).slice(0, 3).map(Number);
  while (numbers.length < 3) numbers.push(0);
  return numbers.map((n) => (Number.isFinite(n) ? n : 0));
}
