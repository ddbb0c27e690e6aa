/** One structured logger for the whole bot: JSON lines, with every known secret redacted before writing. */

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
  /** Exact strings that must never be written (bot token, API key). */
  secrets?: readonly string[];
  write?: (line: string) => void;
  now?: () => Date;
}

// Field names whose values are credentials wherever they appear (interaction tokens included:
// anyone holding one can edit the member's reply for 15 minutes).
const SECRET_FIELD = /token|authorization|api[-_]?key|password|secret/i;
const REDACTED = '[redacted]';
// Webhook and interaction URLs carry the interaction token in the path (an error may quote its URL).
const INTERACTION_TOKEN_IN_PATH = /(\/(?:webhooks|interactions)\/\d+\/)[A-Za-z0-9_.-]{20,}/g;

export function createLogger(options: LoggerOptions, base: LogFields = {}): Logger {
  const threshold = LOG_LEVELS.indexOf(options.level);
  const secrets = (options.secrets ?? []).filter((s) => s.length >= 6);
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const now = options.now ?? (() => new Date());

  const scrub = (text: string): string =>
    secrets.reduce((out, secret) => out.split(secret).join(REDACTED), text).replace(INTERACTION_TOKEN_IN_PATH, `$1${REDACTED}`);

  const emit = (level: LogLevel, message: string, fields?: LogFields): void => {
    if (LOG_LEVELS.indexOf(level) < threshold) return;
    const record = { time: now().toISOString(), level, msg: message, ...base, ...fields };
    write(scrub(JSON.stringify(record, redactReplacer)));
  };

  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => createLogger(options, { ...base, ...fields }),
  };
}

function redactReplacer(key: string, value: unknown): unknown {
  if (key !== '' && SECRET_FIELD.test(key) && value !== undefined && value !== null) return REDACTED;
  if (value instanceof Error) {
    return { name: value.name, message: value.message, stack: value.stack };
  }
  return value;
}

/** A logger that drops everything, for tests that do not look at logs. */
export const silentLogger: Logger = createLogger({
  level: 'error',
  write: () => {
    // Discards every line: tests and tools that want no output.
  },
});
