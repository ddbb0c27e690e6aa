/**
 * Builds the running bot from a config: store, video client, tracker, Discord client. index.ts adds the
 * process concerns (exit codes, signals); tests start the same app in-process.
 */
import { hostname } from 'node:os';
import { Events, Routes, type Client } from 'discord.js';
import packageJson from '../package.json' with { type: 'json' };
import { Registry } from 'prom-client';
import type { Config } from './config.ts';
import { buttons, commandPayloads, commands, messageCommands, modals } from './command-registry.ts';
import { createDiscordClient } from './discord/create-client.ts';
import { commandDrift, registeredCommandsSchema } from './discord/command-drift.ts';
import { DiscordReplies } from './discord/discord-replies.ts';
import { DiscordInterruptedReplies } from './discord/interrupted-replies.ts';
import { gatewayConnected } from './discord/gateway-health.ts';
import { startOperatorServer, type OperatorServer } from './http/operator-server.ts';
import { PrometheusMetrics } from './http/prometheus-metrics.ts';
import { collectStartGarbage, MemoryAfterBursts } from './memory-after-bursts.ts';
import { noMetrics } from './metrics.ts';
import { InteractionRouter } from './discord/interaction-router.ts';
import { AcknowledgementsFirst } from './tasks/acknowledgements-first.ts';
import { reportFirstResponses } from './discord/answered-interactions.ts';
import { AnimationRequests } from './animation/request-animation.ts';
import { DeletedVideos } from './animation/deleted-videos.ts';
import { InterruptedRequests } from './animation/interrupted-request.ts';
import { KeptPictures } from './animation/kept-pictures.ts';
import { MemberSettings } from './animation/member-settings.ts';
import { PendingPictures } from './animation/pending-pictures.ts';
import { VideoResends } from './animation/resend-video.ts';
import { IMAGE_LIMITS } from './images/check-image.ts';
import { ImagePreparer } from './images/prepare-image.ts';
import { createDownloadDispatcher, type DownloadPolicy } from './download-policy.ts';
import { downloadImage } from './images/download-image.ts';
import type { Logger } from './logger.ts';
import { randomId } from './random.ts';
import { openStore } from './store/open-store.ts';
import { storeAnswers } from './store/store-health.ts';
import type { Store } from './store/store.ts';
import { systemClock, type Clock } from './clock.ts';
import { downloadVideo } from './video-api/download-video.ts';
import { QuotaService } from './quota/quota-service.ts';
import { Maintenance } from './tasks/maintenance.ts';
import { DEFAULT_LEASE_TIMING, type LeaseTiming } from './tasks/task-leases.ts';
import { TaskStore } from './tasks/task-store.ts';
import { TaskTracker } from './tasks/task-tracker.ts';
import { RequestBudget, StoreRateWindow } from './video-api/request-budget.ts';
import { VideoApiClient } from './video-api/video-api-client.ts';
import { DeliverableVideos } from './videos/deliverable-videos.ts';
import { VideoFitter } from './videos/fit-video.ts';
import { VideoFiles } from './videos/video-files.ts';

/** A development deploy registers in a server: that many of the bot's servers are looked at, not all. */
const GUILDS_CHECKED_FOR_COMMANDS = 3;

/**
 * How long after connecting the bot waits before comparing Discord's commands with its own. The first moments
 * after a (re)start are when the members who saw the bot offline try again, all at once; the comparison's
 * requests and the building of every command's payload (about 5 ms of CPU) would be spent while their
 * deferrals wait. A burst of 100 at the start had its p99 about 10% lower without it (1.64 times the bot
 * that only defers instead of 1.83, median of seven interleaved rounds of bursts). The warning is for the
 * operator's log: half a minute late costs nothing.
 */
export const COMMANDS_CHECK_DELAY_MS = 30_000;

export interface RunningApp {
  readonly client: Client;
  readonly tracker: TaskTracker;
  readonly store: Store;
  /** The /healthz and /metrics endpoint, when HTTP_PORT is set. */
  readonly operatorServer: OperatorServer | undefined;
  stop(): Promise<void>;
}

/** Internal timing, not for operators: the two-process tests shorten the task leases so as not to wait 45 s. */
export interface AppTuning {
  leaseTiming?: LeaseTiming;
}

export async function startApp(config: Config, logger: Logger, clock: Clock = systemClock, tuning: AppTuning = {}): Promise<RunningApp> {
  const leaseTiming = tuning.leaseTiming ?? DEFAULT_LEASE_TIMING;
  // Videos go from the provider to a file, and from the file to Discord: never whole in memory.
  const videoFiles = await VideoFiles.open(logger.child({ component: 'videos' }));
  const store = await openStore(config.storeUrl);
  const client = createDiscordClient({ apiUrl: config.discordApiUrl });
  // One registry for the whole process, served on /metrics; without HTTP_PORT nothing is measured at all.
  const registry = config.httpPort === undefined ? undefined : new Registry();
  const metrics = registry ? new PrometheusMetrics(registry) : noMetrics;
  // This process's name where processes meet in a shared store: on task leases and in the request budget's queue.
  const processName = `${hostname()}:${process.pid}:${randomId().slice(0, 8)}`;
  // HIGHWAY_REQUESTS_PER_MINUTE is the account's: kept in the store, it is shared by every process on Redis.
  const budget = new RequestBudget({
    window: new StoreRateWindow({ store, limit: config.highwayRequestsPerMinute, waiter: processName }),
    sleep: (ms) => new Promise<void>((resolve) => clock.setTimer(resolve, ms)),
    now: () => clock.now(),
  });
  const videoApi = new VideoApiClient({
    baseUrl: config.highwayApiUrl,
    apiKey: config.highwayApiKey,
    logger: logger.child({ component: 'video-api' }),
    budget,
    metrics,
  });
  const downloads: DownloadPolicy = { attachmentHosts: config.attachmentHosts, allowInsecure: config.allowInsecureDownloads };
  const downloader = createDownloadDispatcher(downloads);
  const videos = new DeliverableVideos({
    download: (url, maxBytes) => downloadVideo(url, { maxBytes, path: videoFiles.newPath(), policy: downloads, dispatcher: downloader }),
    fitter: new VideoFitter({
      ffmpegPath: config.ffmpegPath,
      ffprobePath: config.ffprobePath,
      files: videoFiles,
      logger: logger.child({ component: 'videos' }),
    }),
    logger: logger.child({ component: 'videos' }),
  });
  const fetchVideo = (url: string, limitBytes: number) => videos.fetch(url, limitBytes);
  const tasks = new TaskStore(store, logger);
  const images = new ImagePreparer();
  // The prepared picture of each generation, for the Re-roll, Remix and 10 s buttons under its video.
  const keptPictures = new KeptPictures({ store, clock, retentionMs: config.imageRetentionMs });
  const settings = new MemberSettings(store);
  const deletedVideos = new DeletedVideos(store);
  const quota = new QuotaService({ store, defaults: config.quotaDefaults, clock, logger: logger.child({ component: 'quota' }) });
  // Deferrals before new tasks' work: a burst's last members are acknowledged as fast as its first.
  const acknowledgements = new AcknowledgementsFirst();
  reportFirstResponses(client.rest, acknowledgements);
  // What a burst of picture checks took from the system is given back once it is over.
  const afterBursts = new MemoryAfterBursts({ clock, logger: logger.child({ component: 'memory' }) });
  const tracker = new TaskTracker({
    acknowledgements,
    burstWork: afterBursts,
    store: tasks,
    quota,
    videoApi,
    replies: new DiscordReplies(client.rest, logger.child({ component: 'replies' }), clock, metrics),
    logger: logger.child({ component: 'tracker' }),
    clock,
    pollIntervalMs: config.pollIntervalMs,
    maxTaskAgeMs: config.taskMaxAgeMs,
    requestsPerMinute: config.highwayRequestsPerMinute,
    // Stopped with the tracker: a backlog waiting for slots is abandoned unsent, and resumed at the next start.
    requestBudget: budget,
    // Larger than the API takes: a phone's photo is downscaled after the download, not refused before it.
    downloadImage: (url) => downloadImage(url, { maxBytes: IMAGE_LIMITS.maxDownloadBytes, policy: downloads, dispatcher: downloader }),
    checkImage: (bytes) => images.prepare(bytes),
    downloadVideo: fetchVideo,
    pictures: keptPictures,
    ...(store.sharedAcrossProcesses ? { leaseOwner: processName, leaseTiming } : {}),
    metrics,
  });
  const animations = new AnimationRequests({ quota, tasks: tracker, clock, metrics, acknowledgements, memberDefaults: settings });
  const resends = new VideoResends({
    tasks,
    videoApi,
    downloadVideo: fetchVideo,
    clock,
    logger: logger.child({ component: 'resends' }),
    deleted: deletedVideos,
  });
  const router = new InteractionRouter(
    commands,
    buttons,
    {
      animations,
      resends,
      tracker,
      quota,
      tasks,
      logger,
      clock,
      pictures: new PendingPictures(store),
      // What /animate-settings saves is what every front end reads for the options a member leaves out.
      memberDefaults: settings,
      settings,
      keptPictures,
      deletedVideos,
      downloads,
    },
    { messageCommands, modals, acknowledgements, ...(config.allowedGuilds ? { allowedGuilds: config.allowedGuilds } : {}) },
  );
  // Several processes: a dead one's tasks are looked for as often as the lease timing says.
  const maintenance = new Maintenance({
    tracker,
    quota,
    tasks,
    logger,
    clock,
    orphans: new InterruptedRequests(new DiscordInterruptedReplies(client.rest, clock), logger.child({ component: 'quota' })),
    requestsInFlight: { has: (taskId) => animations.isInFlight(taskId) },
    ...(store.sharedAcrossProcesses ? { resumeEveryMs: leaseTiming.takeoverEveryMs } : {}),
  });

  let commandsCheck: unknown;
  client.on(Events.InteractionCreate, (interaction) => void router.handle(interaction));
  client.once(Events.ClientReady, (ready) => {
    logger.info('connected to Discord', {
      version: packageJson.version,
      store: new URL(config.storeUrl).protocol.replace(/:$/, ''),
      quota: config.quotaDefaults,
      applicationId: ready.application.id,
      user: ready.user.tag,
      servers: ready.guilds.cache.size,
    });
    maintenance.start();
    commandsCheck = clock.setTimer(() => void warnIfCommandsStale(ready, logger), COMMANDS_CHECK_DELAY_MS);
  });
  client.on(Events.Error, (error) => logger.error('discord client error', { error }));

  collectStartGarbage(logger);
  try {
    await client.login(config.discordToken);
  } catch (error) {
    await store.close();
    await downloader.close();
    await videoFiles.close();
    throw error;
  }

  let operatorServer: OperatorServer | undefined;
  const stop = async () => {
    // First, so no probe or scrape reaches a half-stopped bot: the orchestrator sees it gone.
    await operatorServer?.close();
    // Commands that arrive from now on are answered "restarting"; those being handled, and the tasks' steps
    // under way, finish and are recorded before the connection and the store close.
    router.stopAccepting();
    if (commandsCheck !== undefined) clock.clearTimer(commandsCheck);
    maintenance.stop();
    afterBursts.stop();
    await Promise.all([tracker.stop(), router.idle()]);
    await client.destroy();
    await store.close();
    await downloader.close();
    await videoFiles.close();
  };
  if (registry && config.httpPort !== undefined) {
    try {
      operatorServer = await startOperatorServer({
        host: config.httpHost,
        port: config.httpPort,
        health: { discord: () => gatewayConnected(client), store: () => storeAnswers(store) },
        metrics: registry,
        logger: logger.child({ component: 'http' }),
      });
    } catch (error) {
      // A port already taken is a mistake to fix now, not a bot running without the probes it was promised.
      await stop();
      throw error;
    }
  }

  return { client, tracker, store, operatorServer, stop };
}

/**
 * Warns once when Discord's commands for this application are not this version's (missing, or changed since
 * the last deploy): members would not see a new command, or would see old options. Global commands and those
 * of a few of the bot's servers (a development deploy with --guild) both count.
 */
async function warnIfCommandsStale(client: Client<true>, logger: Logger): Promise<void> {
  try {
    // Every locale's names and descriptions, not only the bot's own: a deploy without the translations is stale too.
    const query = new URLSearchParams({ with_localizations: 'true' });
    const lists = await Promise.all([
      client.rest.get(Routes.applicationCommands(client.application.id), { query }),
      ...[...client.guilds.cache.keys()]
        .slice(0, GUILDS_CHECKED_FOR_COMMANDS)
        .map((guildId) => client.rest.get(Routes.applicationGuildCommands(client.application.id, guildId), { query })),
    ]);
    const registered = lists.flatMap((list) => registeredCommandsSchema.parse(list));
    const drift = commandDrift(commandPayloads(), registered);
    if (drift.missing.length > 0 || drift.changed.length > 0) {
      logger.warn('the commands Discord has differ from this version: run npm run deploy-commands', { ...drift });
    }
  } catch (error) {
    logger.warn('could not compare the deployed commands with this version', { error });
  }
}
