/**
 * `.env` files. Node's own parser gives the values (https://nodejs.org/api/util.html#utilparseenvcontent);
 * it skips or cuts short what it cannot read without a word, so a pass of our own names each such line.
 */
import { parseEnv } from 'node:util';

export interface EnvFile {
  readonly values: Readonly<Record<string, string>>;
  /** One per malformed line, as `line 3 …`; never quoting the line, which may hold a secret. */
  readonly problems: readonly string[];
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const QUOTES = ['"', "'", '`'];

export function parseEnvFile(text: string): EnvFile {
  // Notepad saves with a byte-order mark, which Node would make part of the first name.
  const content = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(parseEnv(content))) if (value !== undefined) values[name] = value;
  const problems: string[] = [];
  content.split(/\r?\n/).forEach((line, index) => {
    const problem = lineProblem(line);
    if (problem !== undefined) problems.push(`line ${index + 1} ${problem}`);
  });
  return { values, problems };
}

/** What is wrong with one line, as Node's parser would read it; undefined for a good line, a blank or a comment. */
function lineProblem(line: string): string | undefined {
  const trimmed = line.trim();
  if (trimmed === '' || trimmed.startsWith('#')) return undefined;
  const equals = line.indexOf('=');
  if (equals === -1) return 'is not NAME=value';
  const name = line
    .slice(0, equals)
    .trim()
    .replace(/^export +/, '');
  if (!NAME.test(name)) return 'has a name that is not letters, digits and _ (not starting with a digit)';
  const raw = line.slice(equals + 1);
  const value = raw.trim();
  const quote = value[0];
  if (quote !== undefined && QUOTES.includes(quote)) {
    const closing = value.indexOf(quote, 1);
    // Node would carry on to the next such quote, lines further down, swallowing what lies between.
    if (closing === -1) return `opens a ${quote} that it does not close`;
    const rest = value.slice(closing + 1).trim();
    if (rest !== '' && !rest.startsWith('#')) return `has text after the closing ${quote} (only a # comment may follow)`;
    return undefined;
  }
  // Unquoted, a # starts a comment wherever it is: `TOKEN=ab#cd` would silently become `ab`.
  const hash = raw.indexOf('#');
  if (hash !== -1 && !/\s$/.test(raw.slice(0, hash))) {
    return 'has a # that cuts the value short (put the value in quotes if the # belongs to it)';
  }
  return undefined;
}
