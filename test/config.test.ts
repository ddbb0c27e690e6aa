import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig, readEnvironment } from '../src/config.ts';
import { parseEnvFile } from '../src/env-file.ts';
import { REQUIRED_ENV as required, problemsOf } from './support/config-env.ts';

describe('configuration', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig(required);
    expect(config).toMatchObject({
      discordApiUrl: 'https://discord.com/api',
      highwayApiUrl: 'https://api.highwayapi.ai',
      storeUrl: 'sqlite://data/animate.sqlite',
      pollIntervalMs: 5000,
      logLevel: 'info',
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('keeps pictures for the buttons IMAGE_RETENTION_HOURS whole hours, 24 by default, at most 30 days', () => {
    expect(loadConfig(required).imageRetentionMs).toBe(24 * 3_600_000);
    expect(loadConfig({ ...required, IMAGE_RETENTION_HOURS: '2' }).imageRetentionMs).toBe(2 * 3_600_000);
    expect(problemsOf({ ...required, IMAGE_RETENTION_HOURS: '0' })).toEqual(['IMAGE_RETENTION_HOURS must be at least 1']);
    expect(problemsOf({ ...required, IMAGE_RETENTION_HOURS: '721' })).toEqual(['IMAGE_RETENTION_HOURS must be at most 720 (30 days)']);
    expect(problemsOf({ ...required, IMAGE_RETENTION_HOURS: '1.5' })).toEqual(['IMAGE_RETENTION_HOURS must be a whole number']);
  });

  it('names each missing secret on its own line', () => {
    expect(problemsOf({})).toEqual(['DISCORD_TOKEN is required', 'HIGHWAY_API_KEY is required']);
  });

  it('treats empty values as unset, so defaults apply', () => {
    expect(loadConfig({ ...required, POLL_INTERVAL_MS: '', LOG_LEVEL: ' ' }).pollIntervalMs).toBe(5000);
  });

  it('reports every bad value with the variable it belongs to, never the value', () => {
    const problems = problemsOf({
      ...required,
      DISCORD_API_URL: 'ftp://secret-host.example',
      HIGHWAY_API_URL: 'not a url',
      STORE_URL: 'mongodb://x',
      POLL_INTERVAL_MS: 'soon',
      LOG_LEVEL: 'loud',
    });
    expect(problems.map((p) => p.split(' ')[0])).toEqual([
      'DISCORD_API_URL',
      'HIGHWAY_API_URL',
      'STORE_URL',
      'POLL_INTERVAL_MS',
      'LOG_LEVEL',
    ]);
    expect(problems.join('\n')).not.toContain('secret-host');
  });

  it('rejects a poll interval that would hammer the provider', () => {
    expect(problemsOf({ ...required, POLL_INTERVAL_MS: '10' })).toEqual(['POLL_INTERVAL_MS must be at least 250']);
  });

  it('strips trailing slashes so paths join cleanly', () => {
    const config = loadConfig({ ...required, DISCORD_API_URL: 'http://127.0.0.1:8080/api/', HIGHWAY_API_URL: 'http://127.0.0.1:9/' });
    expect(config.discordApiUrl).toBe('http://127.0.0.1:8080/api');
    expect(config.highwayApiUrl).toBe('http://127.0.0.1:9');
  });

  it('protects a server that set nothing with the quota defaults, and accepts off for no limit', () => {
    expect(loadConfig(required).quotaDefaults).toEqual({
      period: 'day',
      memberUnits: 3,
      serverUnits: 30,
      memberRunning: 1,
      memberWaiting: 2,
      globalUnitsPerDay: 200,
      serverMaxUnitsPerDay: 100,
    });
    const custom = loadConfig({ ...required, QUOTA_PERIOD: 'week', QUOTA_MEMBER_UNITS: 'OFF', QUOTA_GLOBAL_UNITS: '500' }).quotaDefaults;
    expect(custom).toMatchObject({ period: 'week', memberUnits: null, globalUnitsPerDay: 500 });
    const uncapped = loadConfig({ ...required, QUOTA_GLOBAL_UNITS: 'off', QUOTA_SERVER_MAX_UNITS: 'off' }).quotaDefaults;
    expect(uncapped).toMatchObject({ globalUnitsPerDay: null, serverMaxUnitsPerDay: null });
  });

  it("caps spending, not settings: a server budget above the operator's ceiling is not an error", () => {
    expect(loadConfig({ ...required, QUOTA_SERVER_UNITS: 'off', QUOTA_SERVER_MAX_UNITS: '10' }).quotaDefaults).toMatchObject({
      serverUnits: null,
      serverMaxUnitsPerDay: 10,
    });
  });

  it('refuses QUOTA_MEMBER_RUNNING=0, which would leave every generation waiting for ever', () => {
    expect(problemsOf({ ...required, QUOTA_MEMBER_RUNNING: '0' })).toEqual([
      'QUOTA_MEMBER_RUNNING must be at least 1 (or off): with 0 no generation could ever start',
    ]);
  });

  it('reads ALLOWED_GUILDS as a list of server ids and refuses anything else', () => {
    expect(loadConfig(required).allowedGuilds).toBeUndefined();
    expect(loadConfig({ ...required, ALLOWED_GUILDS: '300000000000000001, 300000000000000002' }).allowedGuilds).toEqual([
      '300000000000000001',
      '300000000000000002',
    ]);
    expect(problemsOf({ ...required, ALLOWED_GUILDS: 'my-server' })).toEqual([
      'ALLOWED_GUILDS must be server ids (numbers) separated by commas',
    ]);
  });

  it('accepts any case for words, schemes and hosts', () => {
    const config = loadConfig({
      ...required,
      LOG_LEVEL: 'INFO',
      QUOTA_PERIOD: 'WEEK',
      QUOTA_SERVER_UNITS: 'Off',
      STORE_URL: 'SQLite://data/Animate.sqlite',
      DISCORD_API_URL: 'HTTPS://Discord.com/api/',
    });
    expect(config).toMatchObject({
      logLevel: 'info',
      storeUrl: 'sqlite://data/Animate.sqlite',
      discordApiUrl: 'https://discord.com/api',
      quotaDefaults: { period: 'week', serverUnits: null },
    });
    expect(loadConfig({ ...required, LOG_LEVEL: 'Debug', QUOTA_PERIOD: 'Month' })).toMatchObject({
      logLevel: 'debug',
      quotaDefaults: { period: 'month' },
    });
    expect(loadConfig({ ...required, STORE_URL: 'REDIS://cache.internal:6379/2' }).storeUrl).toBe('redis://cache.internal:6379/2');
  });

  it('names bad quota values', () => {
    expect(problemsOf({ ...required, QUOTA_PERIOD: 'year', QUOTA_SERVER_UNITS: '-1' })).toEqual([
      'QUOTA_PERIOD must be one of day, week, month',
      'QUOTA_SERVER_UNITS must be a whole number or off',
    ]);
  });
});

describe('STORE_URL', () => {
  it('accepts the forms the README gives', () => {
    for (const url of [
      'sqlite://data/animate.sqlite',
      'sqlite:///var/lib/animate-bot/animate.sqlite',
      'redis://localhost:6379',
      'redis://127.0.0.1',
      'redis://:s3cret@cache:6379/0',
      'rediss://bot:s3cret@cache.example:6380/3',
    ]) {
      expect(loadConfig({ ...required, STORE_URL: url }).storeUrl).toBe(url);
    }
  });

  it('refuses a Redis URL that cannot be parsed at start, without echoing its password', () => {
    const problems = problemsOf({ ...required, STORE_URL: 'redis://u:pw@ho st:bad' });
    expect(problems).toEqual(['STORE_URL is not a valid URL (expected redis://[user:password@]host[:port][/database])']);
    const secret = problemsOf({ ...required, STORE_URL: 'rediss://bot:hunter2-secret@cache:99999' }).join('\n');
    expect(secret).toMatch(/^STORE_URL is not a valid URL/);
    expect(secret).not.toContain('hunter2');
  });

  it.each([
    ['redis://', 'STORE_URL has no host (expected redis://[user:password@]host[:port][/database])'],
    ['redis://cache:6379/zero', 'STORE_URL has a database that is not a number (as in redis://host:6379/0)'],
    ['redis://cache:6379?db=1', 'STORE_URL must not have a ? or # part'],
    ['sqlite://', 'STORE_URL must name a file: sqlite://<path to a file>'],
    ['sqlite://data/', 'STORE_URL must name a file: sqlite://<path to a file>'],
    ['mongodb://u:pw@x', 'STORE_URL must be sqlite://<path> or redis://[user:password@]host[:port][/database]'],
  ])('refuses %s, saying what is expected', (url, problem) => {
    expect(problemsOf({ ...required, STORE_URL: url })).toEqual([problem]);
  });

  it('refuses a REST base with a password, a query or a fragment, without echoing it', () => {
    const problems = problemsOf({
      ...required,
      DISCORD_API_URL: 'https://u:hunter2@proxy.example/api',
      HIGHWAY_API_URL: 'https://h.example/?k=1',
    });
    expect(problems).toEqual([
      'DISCORD_API_URL must be a base URL without user, password, ? or #',
      'HIGHWAY_API_URL must be a base URL without user, password, ? or #',
    ]);
    expect(problemsOf({ ...required, DISCORD_API_URL: 'https://ho st:bad/api' })).toEqual(['DISCORD_API_URL must be an http(s) URL']);
  });
});

describe('.env files', () => {
  it("takes values as Node's own parser reads them: quotes, comments, export", () => {
    const { values, problems } = parseEnvFile(
      [
        '# a comment',
        'DISCORD_TOKEN="abc" # the bot token',
        "export HIGHWAY_API_KEY='x y z'",
        'LOG_LEVEL=debug # trailing',
        '  STORE_URL = redis://cache:6379  ',
        'QUOTA_PERIOD="a#b"',
        'POLL_INTERVAL_MS=',
      ].join('\n'),
    );
    expect(values).toEqual({
      DISCORD_TOKEN: 'abc',
      HIGHWAY_API_KEY: 'x y z',
      LOG_LEVEL: 'debug',
      STORE_URL: 'redis://cache:6379',
      QUOTA_PERIOD: 'a#b',
      POLL_INTERVAL_MS: '',
    });
    expect(problems).toEqual([]);
  });

  it('reads Windows line ends and a byte-order mark', () => {
    expect(parseEnvFile('\uFEFFDISCORD_TOKEN=abc\r\nLOG_LEVEL="warn"\r\n')).toEqual({
      values: { DISCORD_TOKEN: 'abc', LOG_LEVEL: 'warn' },
      problems: [],
    });
  });

  it('names each malformed line by its number, one line per problem, never quoting it', () => {
    const { problems } = parseEnvFile(
      [
        'DISCORD_TOKEN=fine',
        'MTIzNDU2Nzg5.secret-token-pasted-alone',
        'HIGHWAY API KEY=abc',
        '1ST=x',
        'LOG_LEVEL="debug',
        'QUOTA_PERIOD="week" monthly',
        'HIGHWAY_API_KEY=ab#cd',
        'STORE_URL=#nothing',
        '',
        '   # indented comment',
        'POLL_INTERVAL_MS=5000 # fine',
      ].join('\n'),
    );
    expect(problems).toEqual([
      'line 2 is not NAME=value',
      'line 3 has a name that is not letters, digits and _ (not starting with a digit)',
      'line 4 has a name that is not letters, digits and _ (not starting with a digit)',
      'line 5 opens a " that it does not close',
      'line 6 has text after the closing " (only a # comment may follow)',
      'line 7 has a # that cuts the value short (put the value in quotes if the # belongs to it)',
      'line 8 has a # that cuts the value short (put the value in quotes if the # belongs to it)',
    ]);
    expect(problems.join('\n')).not.toContain('secret-token');
  });

  it('.env.example reads cleanly, and every variable in it is in the README table', () => {
    const example = parseEnvFile(readFileSync(new URL('../.env.example', import.meta.url), 'utf8'));
    expect(example.problems).toEqual([]);
    expect(Object.values(example.values).every((value) => value === '')).toBe(true);
    expect(loadConfig({ ...example.values, ...required })).toMatchObject({ storeUrl: 'sqlite://data/animate.sqlite' });
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const documented = [...readme.matchAll(/^\| `([A-Z_]+)` +\| (?:yes|no) /gm)].map((match) => match[1]);
    expect(documented.sort()).toEqual(Object.keys(example.values).sort());
  });

  describe('read from a file', () => {
    let dir: string | undefined;
    afterEach(() => {
      if (dir) rmSync(dir, { recursive: true, force: true });
      dir = undefined;
    });
    const envFileWith = (text: string) => {
      dir = mkdtempSync(join(tmpdir(), 'animate-env-'));
      const file = join(dir, '.env');
      writeFileSync(file, text);
      return file;
    };

    it('lets variables set in the environment win over the file', () => {
      const file = envFileWith('DISCORD_TOKEN=from-file\nLOG_LEVEL=debug\n');
      expect(readEnvironment(file, { LOG_LEVEL: 'warn' })).toEqual({
        values: { DISCORD_TOKEN: 'from-file', LOG_LEVEL: 'warn' },
        problems: [],
      });
    });

    it('names the file in each problem', () => {
      const file = envFileWith('DISCORD_TOKEN=abc\noops\n');
      expect(readEnvironment(file, {}).problems).toEqual([`${file} line 2 is not NAME=value`]);
    });

    it('is optional, but one that cannot be read is a problem, not a crash', () => {
      dir = mkdtempSync(join(tmpdir(), 'animate-env-'));
      expect(readEnvironment(join(dir, '.env'), { LOG_LEVEL: 'warn' })).toEqual({ values: { LOG_LEVEL: 'warn' }, problems: [] });
      mkdirSync(join(dir, 'folder.env'));
      expect(readEnvironment(join(dir, 'folder.env'), {}).problems).toEqual([`${join(dir, 'folder.env')} cannot be read (EISDIR)`]);
    });
  });
});
