/**
 * One structured logger for the whole bot, on pino: JSON lines (`time`, `level` by name, `msg`, then the fields),
 * written synchronously so nothing is lost at exit. Every string that reaches a line (the message, field values,
 * keys, bindings, error messages, stacks and causes) is scrubbed of secrets first: the configured ones and
 * every credential recognisable by its shape (see secrets.ts), and fields named like credentials are redacted.
 */
import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';
import { createScrubber, REDACTED, SECRET_FIELD_NAME } from './secrets.ts';

export { redactUrl, scrubText, urlSecrets } from './secrets.ts';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

export interface LoggerOptions {
  level: LogLevel;
  /** Exact strings that must never be written (bot token, API key, the store's password). */
  secrets?: readonly string[];
  /** Receives each line without its newline; default: synchronous writes to stdout. */
  write?: (line: string) => void;
  now?: () => Date;
}

// Deeper structures are cut: a log line is for a person, and a cyclic or huge object must not stall the bot.
const MAX_DEPTH = 10;

type Scrub = (text: string) => string;

export function createLogger(options: LoggerOptions, base: LogFields = {}): Logger {
  const secrets = options.secrets ?? [];
  const scrub = createScrubber(secrets);
  // A last pass over the finished line for the exact secrets only (sanitize has already applied every rule):
  // cheap insurance should pino ever write something that did not go through sanitize.
  const scrubExact = createScrubber(secrets, { patterns: false });
  const now = options.now ?? (() => new Date());
  const root = pino(
    {
      level: options.level,
      // No pid or hostname: the bot's lines are the same on every machine, as they were before pino.
      base: undefined,
      timestamp: () => `,"time":"${now().toISOString()}"`,
      formatters: { level: (label) => ({ level: label }) },
      hooks: { streamWrite: (line) => scrubExact(line) },
    },
    destination(options.write),
  );
  return wrap(root, scrub, sanitizeFields(base, scrub));
}

function destination(write: ((line: string) => void) | undefined): DestinationStream {
  // sync: a line logged just before process.exit() is on stdout when the process ends.
  if (!write) return pino.destination({ dest: 1, sync: true });
  return { write: (chunk: string) => write(chunk.endsWith('\n') ? chunk.slice(0, -1) : chunk) };
}

/**
 * Bindings are kept here and merged per line rather than handed to pino's child(): pino would write a key
 * bound by the parent and set again by the call twice in one line; merged, the call's value wins, once.
 */
function wrap(logger: PinoLogger, scrub: Scrub, bindings: LogFields): Logger {
  const emit = (level: LogLevel, message: string, fields?: LogFields): void => {
    if (!logger.isLevelEnabled(level)) return;
    const line = fields === undefined ? bindings : { ...bindings, ...sanitizeFields(fields, scrub) };
    logger[level](line, scrub(message));
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => wrap(logger, scrub, { ...bindings, ...sanitizeFields(fields, scrub) }),
  };
}

function sanitizeFields(fields: LogFields, scrub: Scrub): LogFields {
  return sanitize(fields, scrub, new WeakSet(), 0) as LogFields;
}

/**
 * Turns any value into plain JSON data with every string scrubbed, every credential-named field redacted, and
 * errors spelled out (JSON.stringify would write `{}` for an Error).
 */
function sanitize(value: unknown, scrub: Scrub, seen: WeakSet<object>, depth: number): unknown {
  if (typeof value === 'string') return scrub(value);
  if (typeof value !== 'object' || value === null) {
    return typeof value === 'function' || typeof value === 'symbol' ? undefined : value;
  }
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (value instanceof URL) return scrub(value.href);
  if (ArrayBuffer.isView(value)) return `[${value.constructor.name} ${value.byteLength} bytes]`;
  if (seen.has(value)) return '[Circular]';
  if (depth >= MAX_DEPTH) return Array.isArray(value) ? '[Array]' : '[Object]';
  seen.add(value);
  try {
    if (value instanceof Error) return serializeError(value, scrub, seen, depth);
    if (Array.isArray(value)) return value.map((item) => sanitize(item, scrub, seen, depth + 1) ?? null);
    if (value instanceof Map)
      return sanitizeEntries(
        [...value.entries()].map(([k, v]) => [String(k), v]),
        scrub,
        seen,
        depth,
      );
    if (value instanceof Set) return [...value].map((item) => sanitize(item, scrub, seen, depth + 1) ?? null);
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') return sanitize(toJSON.call(value), scrub, seen, depth + 1);
    return sanitizeEntries(Object.entries(value), scrub, seen, depth);
  } finally {
    // Only the path from the root counts: the same object twice side by side is not a cycle.
    seen.delete(value);
  }
}

function sanitizeEntries(entries: [string, unknown][], scrub: Scrub, seen: WeakSet<object>, depth: number): LogFields {
  const out: LogFields = {};
  for (const [key, item] of entries) {
    if (SECRET_FIELD_NAME.test(key) && item !== undefined && item !== null) {
      out[scrub(key)] = REDACTED;
      continue;
    }
    const clean = sanitize(item, scrub, seen, depth + 1);
    if (clean !== undefined) out[scrub(key)] = clean;
  }
  return out;
}

/**
 * name, message and stack; the `code`/`status` and other plain values the error carries (the provider's reason,
 * a socket's errno and address, discord.js's method and URL); the `cause` chain; an AggregateError's errors.
 * Nested objects on an error (a request body, a raw response) are left out: they are large and rarely help.
 */
function serializeError(error: Error, scrub: Scrub, seen: WeakSet<object>, depth: number): LogFields {
  const out: LogFields = { name: scrub(error.name), message: scrub(error.message) };
  if (error.stack !== undefined) out.stack = scrub(error.stack);
  // Plain values only; `code` and `status` even when a class defines them as getters.
  const plain: [string, unknown][] = [];
  for (const key of new Set([...Object.keys(error), 'code', 'status'])) {
    if (SPELLED_OUT.has(key)) continue;
    const value = readProperty(error, key);
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') plain.push([key, value]);
  }
  Object.assign(out, sanitizeEntries(plain, scrub, seen, depth));
  if (error.cause !== undefined) {
    out.cause = sanitize(error.cause, scrub, seen, depth + 1);
  }
  if (error instanceof AggregateError && Array.isArray(error.errors)) {
    out.errors = error.errors.map((item: unknown) => sanitize(item, scrub, seen, depth + 1) ?? null);
  }
  return out;
}

const SPELLED_OUT = new Set(['name', 'message', 'stack', 'cause', 'errors']);

function readProperty(error: Error, key: string): unknown {
  try {
    return (error as unknown as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

/** A logger that drops everything, for tests that do not look at logs. */
export const silentLogger: Logger = createLogger({
  level: 'error',
  write: () => {
    // Discards every line: tests and tools that want no output.
  },
});
