/** What the bench's own bots (naive, defer-only) share: their settings from the environment and their start and stop. */
import type { Client } from 'discord.js';

/** Printed once the client is ready; the bench waits for it before sending commands. */
export const READY_LINE = 'bench bot ready';

export interface BenchBotEnv {
  discordToken: string;
  discordApiUrl: string;
  highwayApiUrl: string;
  highwayApiKey: string;
  pollIntervalMs: number;
}

/** The same variables the real bot reads, so the bench starts every bot with one environment. */
export function benchBotEnv(env: NodeJS.ProcessEnv = process.env): BenchBotEnv {
  const required = (name: string): string => {
    const value = env[name];
    if (value === undefined || value === '') throw new Error(`${name} is required`);
    return value;
  };
  return {
    discordToken: required('DISCORD_TOKEN'),
    discordApiUrl: required('DISCORD_API_URL'),
    highwayApiUrl: env.HIGHWAY_API_URL ?? '',
    highwayApiKey: env.HIGHWAY_API_KEY ?? '',
    // "Poll every 5 seconds", as the guides do; the bench sets the same value for every bot.
    pollIntervalMs: Number(env.POLL_INTERVAL_MS ?? 5000),
  };
}

export function reportReady(): void {
  console.log(READY_LINE);
}

/** The bench stops each bot with SIGTERM once its figures are taken. */
export function stopOnSignal(client: Client): void {
  process.once('SIGTERM', () => {
    void client.destroy().finally(() => process.exit(0));
  });
}
