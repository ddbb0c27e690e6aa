import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseEnvFile } from '../src/config.ts';

const required = { DISCORD_TOKEN: 'bot-token-value', HIGHWAY_API_KEY: 'api-key-value' };

function problemsOf(env: Record<string, string | undefined>): readonly string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

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

  it('reads .env files with comments, quotes and export', () => {
    expect(
      parseEnvFile('# comment\nexport DISCORD_TOKEN="abc def"\nHIGHWAY_API_KEY=xyz # trailing\n\nLOG_LEVEL=\'debug\'\nnot a line\n'),
    ).toEqual({ DISCORD_TOKEN: 'abc def', HIGHWAY_API_KEY: 'xyz', LOG_LEVEL: 'debug' });
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

  it('names bad quota values', () => {
    expect(problemsOf({ ...required, QUOTA_PERIOD: 'year', QUOTA_SERVER_UNITS: '-1' })).toEqual([
      'QUOTA_PERIOD must be one of day, week, month',
      'QUOTA_SERVER_UNITS must be a whole number or off',
    ]);
  });
});
