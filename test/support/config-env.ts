import { ConfigError, loadConfig } from '../../src/config.ts';

/** The two variables without which the bot does not start, with harmless values. */
export const REQUIRED_ENV = { DISCORD_TOKEN: 'bot-token-value', HIGHWAY_API_KEY: 'api-key-value' };

/** The problems the configuration reports for `env`; fails the test when it reports none. */
export function problemsOf(env: Record<string, string | undefined>): readonly string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}
