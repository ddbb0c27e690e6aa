/** Entry point: read the config, start the bot, stop cleanly on SIGINT/SIGTERM (see process-stop.ts). */
import { startApp, type RunningApp } from './app.ts';
import { loadConfigOrExplain } from './config.ts';
import { createLogger, redactUrl, urlSecrets } from './logger.ts';
import { describeError } from './describe-error.ts';
import { ProcessStop } from './process-stop.ts';

async function main(): Promise<void> {
  const config = loadConfigOrExplain();
  if (!config) {
    process.exitCode = 1;
    return;
  }
  const logger = createLogger({
    level: config.logLevel,
    secrets: [config.discordToken, config.highwayApiKey, ...urlSecrets(config.storeUrl)],
  });
  process.on('unhandledRejection', (error) => logger.error('unhandled rejection', { error }));
  // Before starting, so a signal during start-up still means a clean stop rather than Node's default exit.
  const stopping = new ProcessStop({ logger, exit: (code) => process.exit(code) });
  process.on('SIGINT', () => stopping.signal('SIGINT'));
  process.on('SIGTERM', () => stopping.signal('SIGTERM'));

  let app: RunningApp;
  try {
    app = await startApp(config, logger);
  } catch (error) {
    // A short reason an operator can act on ("fetch failed" alone says nothing): the cause's code and the URL.
    logger.error('could not start', {
      reason: describeError(error),
      discordApiUrl: config.discordApiUrl,
      storeUrl: redactUrl(config.storeUrl),
    });
    process.exitCode = 1;
    // Asked to stop meanwhile: nothing left to stop, and the stop's own deadline must not hold the process.
    if (stopping.requested) process.exit(1);
    return;
  }

  stopping.attach(() => app.stop());
}

await main();
