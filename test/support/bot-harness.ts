/**
 * Starts the real bot against local stand-ins for Discord and the video API, each on 127.0.0.1, with a
 * fresh SQLite store. Tests drive it through the stand-ins and assert on what those received.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApp, type RunningApp } from '../../src/app.ts';
import type { Clock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { DiscordStandIn, type DiscordStandInOptions, type RecordedRequest } from './discord-stand-in.ts';
import { VideoApiStandIn } from './video-api-stand-in.ts';

export const TEST_API_KEY = 'test-api-key-0123456789';

export class BotHarness {
  readonly discord: DiscordStandIn;
  readonly video: VideoApiStandIn;
  readonly dir: string;
  readonly logs: string[] = [];
  app: RunningApp | undefined;

  readonly #envOverrides: Record<string, string>;

  private constructor(discord: DiscordStandIn, video: VideoApiStandIn, dir: string, env: Record<string, string>) {
    this.discord = discord;
    this.video = video;
    this.dir = dir;
    this.#envOverrides = env;
  }

  static async start(options: { discord?: DiscordStandInOptions; env?: Record<string, string> } = {}): Promise<BotHarness> {
    const discord = await DiscordStandIn.start(options.discord);
    const video = await VideoApiStandIn.start({ apiKey: TEST_API_KEY });
    // Real generations take minutes; the tests' provider answers within a second or two.
    video.setDefaultTask({ pollsBeforeDone: 2, etaSeconds: 1 });
    return new BotHarness(discord, video, mkdtempSync(join(tmpdir(), 'animate-e2e-')), options.env ?? {});
  }

  /** The environment a deployed bot would have, pointed at the stand-ins. */
  env(): Record<string, string> {
    return {
      DISCORD_TOKEN: this.discord.token,
      HIGHWAY_API_KEY: TEST_API_KEY,
      DISCORD_API_URL: this.discord.restUrl,
      HIGHWAY_API_URL: this.video.baseUrl,
      STORE_URL: `sqlite://${join(this.dir, 'animate.sqlite')}`,
      POLL_INTERVAL_MS: '250',
      LOG_LEVEL: 'debug',
      // The stand-ins serve pictures and videos over plain http on 127.0.0.1, which the bot refuses by default.
      ATTACHMENT_HOSTS: new URL(this.discord.baseUrl).hostname,
      ALLOW_INSECURE_DOWNLOADS: 'true',
      ...this.#envOverrides,
    };
  }

  /** Starts the bot in this process and waits until it is connected; `clock` stands in for the system's. */
  async startBot(options: { clock?: Clock } = {}): Promise<RunningApp> {
    const config = loadConfig(this.env());
    const logger = createLogger({
      level: 'debug',
      secrets: [config.discordToken, config.highwayApiKey],
      write: (line) => this.logs.push(line),
    });
    this.app = await startApp(config, logger, options.clock);
    await this.discord.waitForIdentify();
    return this.app;
  }

  /** Every message body the bot sent to Discord (edits, follow-ups, channel messages). */
  messageBodies(): { request: RecordedRequest; body: Record<string, unknown> }[] {
    return this.discord.requests
      .filter((r) => (r.method === 'PATCH' || r.method === 'POST') && /\/(webhooks|channels)\//.test(r.path))
      .map((request) => ({ request, body: (request.body ?? {}) as Record<string, unknown> }));
  }

  /** Waits for the final edit of the original reply that carries a file. */
  waitForVideoEdit(timeoutMs = 20_000): Promise<RecordedRequest> {
    return this.discord.waitForRequest(
      (r) => r.method === 'PATCH' && r.path.endsWith('/messages/@original') && r.files.length > 0,
      timeoutMs,
    );
  }

  async stop(): Promise<void> {
    await this.app?.stop();
    await this.discord.close();
    await this.video.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
