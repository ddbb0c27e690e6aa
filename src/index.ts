/** Entry point: read the config, start the bot, stop cleanly on SIGINT/SIGTERM. */
import { startApp } from './app.ts';
import { loadConfigOrExplain } from './config.ts';
import { createLogger, redactUrl, urlSecrets } from './logger.ts';
import { describeError } from './describe-error.ts';

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

  let app;
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
    return;
  }

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('stopping', { signal });
    app.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error('unclean stop', { error });
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

await main();
