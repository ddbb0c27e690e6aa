/** The environment, parsed once with zod into a typed, frozen object. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { parseEnvFile } from './env-file.ts';
import { DISCORD_ATTACHMENT_HOSTS } from './download-policy.ts';
import { LOG_LEVELS, type LogLevel } from './logger.ts';
import { QUOTA_PERIODS, type QuotaDefaults } from './quota/quota-settings.ts';

export interface Config {
  readonly discordToken: string;
  readonly highwayApiKey: string;
  /** REST base handed to discord.js as `rest.api` (it appends `/v10`). */
  readonly discordApiUrl: string;
  readonly highwayApiUrl: string;
  readonly storeUrl: string;
  readonly pollIntervalMs: number;
  /** A task not finished this long after the member asked is reported to them and refunded. */
  readonly taskMaxAgeMs: number;
  readonly highwayRequestsPerMinute: number;
  readonly logLevel: LogLevel;
  /** Limits for servers whose moderators have set nothing; null means no limit. */
  readonly quotaDefaults: QuotaDefaults;
  /** When set, the only servers the bot works in; elsewhere it says so and spends nothing. */
  readonly allowedGuilds?: readonly string[];
  /** The operator's /healthz and /metrics endpoint; undefined (the default) keeps it off. */
  readonly httpPort: number | undefined;
  /** Where that endpoint listens; loopback by default, so metrics are not published by accident. */
  readonly httpHost: string;
  /** Host names the member's picture may be downloaded from (default Discord's attachment hosts). */
  readonly attachmentHosts: readonly string[];
  /** Downloads over http and from loopback or private addresses: for tests pointing at local stand-ins. */
  readonly allowInsecureDownloads: boolean;
  /** ffmpeg, to re-encode a video over the upload limit so it fits; without it such a video goes as a link. */
  readonly ffmpegPath: string;
  /** ffprobe (the video's duration): FFPROBE_PATH, else beside FFMPEG_PATH, else `ffprobe` on the PATH. */
  readonly ffprobePath: string;
  /** How long the picture of a delivered video is kept for Re-roll, Remix and 10 s version (ms). */
  readonly imageRetentionMs: number;
}

const httpUrl = z
  .string()
  .trim()
  // `normalize` gives the URL as the WHATWG parser reads it: `HTTPS://Example.com` becomes `https://example.com/`.
  .pipe(z.url({ protocol: /^https?$/, normalize: true, error: 'must be an http(s) URL' }))
  .refine((url) => {
    // zod runs this even when the URL was refused above; that refusal is the one to report.
    const parsed = URL.parse(url);
    return parsed === null || (parsed.username === '' && parsed.password === '' && parsed.search === '' && parsed.hash === '');
  }, 'must be a base URL without user, password, ? or #')
  .transform((url) => url.replace(/\/+$/, ''));

/** Lower-cased first, so `INFO` and `Week` are accepted like any other spelling. */
const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(values, { error: `must be one of ${values.join(', ')}` }));

/** A program's name (looked up on the PATH) or its path; run directly, never through a shell. */
const programPath = z
  .string()
  .trim()
  .regex(/^[^\0\r\n]+$/, 'must be a program name or a path to it, e.g. ffmpeg or /usr/bin/ffmpeg');

const STORE_URL_FORMS = 'sqlite://<path> or redis://[user:password@]host[:port][/database]';

/**
 * STORE_URL, checked in full now rather than when the store is opened, with its scheme lower-cased. Problems
 * never quote the URL: it may carry a Redis password.
 */
function checkStoreUrl(value: string): { url: string } | { problem: string } {
  const scheme = /^(sqlite|redis|rediss):\/\//i.exec(value)?.[1]?.toLowerCase();
  if (scheme === undefined) return { problem: `must be ${STORE_URL_FORMS}` };
  const url = `${scheme}://${value.slice(scheme.length + 3)}`;
  if (scheme === 'sqlite') {
    const path = url.slice('sqlite://'.length);
    if (path === '' || path.endsWith('/') || path.includes('\0')) return { problem: 'must name a file: sqlite://<path to a file>' };
    return { url };
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { problem: `is not a valid URL (expected ${scheme}://[user:password@]host[:port][/database])` };
  }
  if (parsed.hostname === '') return { problem: `has no host (expected ${scheme}://[user:password@]host[:port][/database])` };
  if (!/^(\/\d*)?$/.test(parsed.pathname)) return { problem: `has a database that is not a number (as in ${scheme}://host:6379/0)` };
  if (parsed.search !== '' || parsed.hash !== '') return { problem: 'must not have a ? or # part' };
  return { url };
}

const positiveInt = (min: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min, `must be at least ${min}`));

/** A whole number, or `off` for no limit (a benchmark or a private server needs that). */
const limitOrOff = (fallback: number | null) =>
  z
    .string()
    .trim()
    .regex(/^(\d+|off)$/i, 'must be a whole number or off')
    .transform((v) => (v.toLowerCase() === 'off' ? null : Number(v)))
    .optional()
    .transform((v) => (v === undefined ? fallback : v));

const port = z
  .string()
  .trim()
  .regex(/^\d+$/, 'must be a whole number')
  .transform(Number)
  .pipe(z.number().int().min(1, 'must be between 1 and 65535').max(65535, 'must be between 1 and 65535'));
/** A DNS name or an IPv4 address, as URL.hostname gives it (lowercase, no port). */
const HOST_LABEL = '[a-z0-9](?:[a-z0-9-]*[a-z0-9])?';
const HOST_NAME = `${HOST_LABEL}(?:\\.${HOST_LABEL})*`;

const envSchema = z.object({
  DISCORD_TOKEN: z.string({ error: 'is required' }).trim().min(1, 'is required'),
  HIGHWAY_API_KEY: z.string({ error: 'is required' }).trim().min(1, 'is required'),
  DISCORD_API_URL: httpUrl.default('https://discord.com/api'),
  HIGHWAY_API_URL: httpUrl.default('https://api.highwayapi.ai'),
  STORE_URL: z
    .string()
    .trim()
    .transform((value, ctx) => {
      const checked = checkStoreUrl(value);
      if ('url' in checked) return checked.url;
      ctx.issues.push({ code: 'custom', message: checked.problem, input: value });
      return z.NEVER;
    })
    .default('sqlite://data/animate.sqlite'),
  POLL_INTERVAL_MS: positiveInt(250).default(5000),
  TASK_MAX_AGE_MS: positiveInt(60_000).default(30 * 60_000),
  HIGHWAY_REQUESTS_PER_MINUTE: positiveInt(1).default(120),
  LOG_LEVEL: oneOf(LOG_LEVELS).default('info'),
  QUOTA_PERIOD: oneOf(QUOTA_PERIODS).default('day'),
  QUOTA_MEMBER_UNITS: limitOrOff(3),
  QUOTA_SERVER_UNITS: limitOrOff(30),
  QUOTA_MEMBER_RUNNING: limitOrOff(1).refine((v) => v !== 0, 'must be at least 1 (or off): with 0 no generation could ever start'),
  QUOTA_MEMBER_WAITING: limitOrOff(2),
  QUOTA_GLOBAL_UNITS: limitOrOff(200),
  QUOTA_SERVER_MAX_UNITS: limitOrOff(100),
  ALLOWED_GUILDS: z
    .string()
    .trim()
    .regex(/^\d{1,20}(\s*,\s*\d{1,20})*$/, 'must be server ids (numbers) separated by commas')
    .transform((v) => v.split(',').map((id) => id.trim()))
    .optional(),
  HTTP_PORT: port.optional(),
  HTTP_HOST: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9.:%-]+$/, 'must be a host name or an IP address, e.g. 127.0.0.1 or 0.0.0.0')
    .default('127.0.0.1'),
  ATTACHMENT_HOSTS: z
    .string()
    .trim()
    .toLowerCase()
    .regex(new RegExp(`^${HOST_NAME}(\\s*,\\s*${HOST_NAME})*$`), 'must be host names separated by commas, without scheme or port')
    .transform((v) => v.split(',').map((host) => host.trim()))
    .default([...DISCORD_ATTACHMENT_HOSTS]),
  ALLOW_INSECURE_DOWNLOADS: z
    .string()
    .trim()
    .regex(/^(true|false)$/i, 'must be true or false')
    .transform((v) => v.toLowerCase() === 'true')
    .default(false),
  FFMPEG_PATH: programPath.default('ffmpeg'),
  FFPROBE_PATH: programPath.optional(),
  // Whole hours: the buttons under a video say the picture has expired after this; at most 30 days (the record's own life).
  IMAGE_RETENTION_HOURS: positiveInt(1).pipe(z.number().max(720, 'must be at most 720 (30 days)')).default(24),
});

/** ffprobe comes with ffmpeg: next to an ffmpeg given by its path, on the PATH when ffmpeg is found there too. */
function ffprobeBeside(ffmpegPath: string): string {
  return ffmpegPath.includes('/') ? join(dirname(ffmpegPath), 'ffprobe') : 'ffprobe';
}

export class ConfigError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Parses the environment; throws ConfigError with one line per problem, each naming its variable. */
/** Parses `env` with `schema`; throws ConfigError with one line per problem, each naming its variable. */
function parseEnvironment<S extends z.ZodType>(schema: S, env: Record<string, string | undefined>): z.infer<S> {
  // An empty value in .env means "not set", so the default applies instead of a confusing error.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ''));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    // Messages name the variable, never its value: a mistyped token must not land in a terminal log.
    const problems = parsed.error.issues.map((issue) => `${String(issue.path[0] ?? 'environment')} ${issue.message}`);
    throw new ConfigError([...new Set(problems)]);
  }
  return parsed.data;
}

/** What a script that only talks to Discord needs (deploy-commands): no video API key. */
export interface DiscordConfig {
  readonly discordToken: string;
  readonly discordApiUrl: string;
}

export function loadDiscordConfig(env: Record<string, string | undefined>): DiscordConfig {
  const e = parseEnvironment(envSchema.pick({ DISCORD_TOKEN: true, DISCORD_API_URL: true }), env);
  return Object.freeze({ discordToken: e.DISCORD_TOKEN, discordApiUrl: e.DISCORD_API_URL });
}

export function loadConfig(env: Record<string, string | undefined>): Config {
  const e = parseEnvironment(envSchema, env);
  return Object.freeze({
    discordToken: e.DISCORD_TOKEN,
    highwayApiKey: e.HIGHWAY_API_KEY,
    discordApiUrl: e.DISCORD_API_URL,
    highwayApiUrl: e.HIGHWAY_API_URL,
    storeUrl: e.STORE_URL,
    pollIntervalMs: e.POLL_INTERVAL_MS,
    taskMaxAgeMs: e.TASK_MAX_AGE_MS,
    highwayRequestsPerMinute: e.HIGHWAY_REQUESTS_PER_MINUTE,
    logLevel: e.LOG_LEVEL,
    quotaDefaults: Object.freeze({
      period: e.QUOTA_PERIOD,
      memberUnits: e.QUOTA_MEMBER_UNITS,
      serverUnits: e.QUOTA_SERVER_UNITS,
      memberRunning: e.QUOTA_MEMBER_RUNNING,
      memberWaiting: e.QUOTA_MEMBER_WAITING,
      globalUnitsPerDay: e.QUOTA_GLOBAL_UNITS,
      serverMaxUnitsPerDay: e.QUOTA_SERVER_MAX_UNITS,
    }),
    ...(e.ALLOWED_GUILDS ? { allowedGuilds: Object.freeze(e.ALLOWED_GUILDS) } : {}),
    httpPort: e.HTTP_PORT,
    httpHost: e.HTTP_HOST,
    attachmentHosts: Object.freeze(e.ATTACHMENT_HOSTS),
    allowInsecureDownloads: e.ALLOW_INSECURE_DOWNLOADS,
    ffmpegPath: e.FFMPEG_PATH,
    ffprobePath: e.FFPROBE_PATH ?? ffprobeBeside(e.FFMPEG_PATH),
    imageRetentionMs: e.IMAGE_RETENTION_HOURS * 3_600_000,
  });
}

export interface Environment {
  /** The variables, those set in the environment taking precedence over `.env`. */
  readonly values: Record<string, string | undefined>;
  /** What is wrong with `.env` itself, one line per problem, each naming the file and the line. */
  readonly problems: readonly string[];
}

/**
 * Reads `.env` when present and returns the environment with real variables taking precedence,
 * as operators expect when they override one value on the command line.
 */
export function readEnvironment(envFile = '.env', env: NodeJS.ProcessEnv = process.env): Environment {
  let text: string;
  try {
    text = readFileSync(envFile, 'utf8');
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return { values: { ...env }, problems: [] };
    const code = error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : String(error);
    return { values: { ...env }, problems: [`${envFile} cannot be read (${code})`] };
  }
  const file = parseEnvFile(text);
  return { values: { ...file.values, ...env }, problems: file.problems.map((problem) => `${envFile} ${problem}`) };
}

/**
 * For entry points: the config from `.env` and the environment, or undefined after writing one line per
 * problem to stderr (no stack trace: the operator needs the variable's name, nothing else).
 */
export function loadConfigOrExplain(write: (line: string) => void = (line) => process.stderr.write(line)): Config | undefined {
  return explainConfig(loadConfig, write);
}

/** The same for a script that only talks to Discord. */
export function loadDiscordConfigOrExplain(
  write: (line: string) => void = (line) => process.stderr.write(line),
): DiscordConfig | undefined {
  return explainConfig(loadDiscordConfig, write);
}

function explainConfig<C>(load: (env: Record<string, string | undefined>) => C, write: (line: string) => void): C | undefined {
  const environment = readEnvironment();
  const problems = [...environment.problems];
  let config: C | undefined;
  try {
    config = load(environment.values);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
  }
  for (const problem of problems) write(`config: ${problem}\n`);
  return problems.length === 0 ? config : undefined;
}
