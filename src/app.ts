/**
 * Builds the running bot from a config: store, video client, tracker, Discord client. index.ts adds the
 * process concerns (exit codes, signals); tests start the same app in-process.
 */
import { Events, type Client } from 'discord.js';
import type { Config } from './config.ts';
import { commands } from './discord/command-registry.ts';
import { createDiscordClient } from './discord/create-client.ts';
import { DiscordReplies } from './discord/discord-replies.ts';
import { InteractionRouter } from './discord/interaction-router.ts';
import { checkImage } from './images/check-image.ts';
import { downloadImage } from './images/download-image.ts';
import type { Logger } from './logger.ts';
import { openStore } from './store/open-store.ts';
import { systemClock, type Clock } from './tasks/clock.ts';
import { downloadVideo } from './tasks/download-video.ts';
import { TaskStore } from './tasks/task-store.ts';
import { TaskTracker } from './tasks/task-tracker.ts';
import { VideoApiClient } from './video-api/video-api-client.ts';

export interface RunningApp {
  readonly client: Client;
  readonly tracker: TaskTracker;
  stop(): Promise<void>;
}

export async function startApp(config: Config, logger: Logger, clock: Clock = systemClock): Promise<RunningApp> {
  const store = await openStore(config.storeUrl);
  const client = createDiscordClient({ apiUrl: config.discordApiUrl });
  const videoApi = new VideoApiClient({
    baseUrl: config.highwayApiUrl,
    apiKey: config.highwayApiKey,
    logger: logger.child({ component: 'video-api' }),
    requestsPerMinute: config.highwayRequestsPerMinute,
  });
  const tracker = new TaskTracker({
    store: new TaskStore(store, logger),
    videoApi,
    replies: new DiscordReplies(client.rest, logger.child({ component: 'replies' }), clock),
    logger: logger.child({ component: 'tracker' }),
    clock,
    pollIntervalMs: config.pollIntervalMs,
    downloadImage: (url) => downloadImage(url),
    checkImage,
    downloadVideo: (url, maxBytes) => downloadVideo(url, { maxBytes }),
  });
  const router = new InteractionRouter(commands, { tracker, logger, clock });

  client.on(Events.InteractionCreate, (interaction) => void router.handle(interaction));
  client.once(Events.ClientReady, (ready) => {
    logger.info('connected to Discord', { user: ready.user.tag, guilds: ready.guilds.cache.size });
    tracker.resumeOpenTasks().then(
      (count) => logger.info('resumed open tasks', { count }),
      (error: unknown) => logger.error('could not resume open tasks', { error }),
    );
  });
  client.on(Events.Error, (error) => logger.error('discord client error', { error }));

  try {
    await client.login(config.discordToken);
  } catch (error) {
    await store.close();
    throw error;
  }

  return {
    client,
    tracker,
    async stop() {
      await tracker.stop();
      await client.destroy();
      await store.close();
    },
  };
}
