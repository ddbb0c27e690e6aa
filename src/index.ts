/** Entry point: read the config, start the bot, stop cleanly on SIGINT/SIGTERM. */
import { startApp } from './app.ts';
import { loadConfigOrExplain } from './config.ts';
import { createLogger } from './logger.ts';

async function main(): Promise<void> {
  const config = loadConfigOrExplain();
  if (!config) {
    process.exitCode = 1;
    return;
  }
  const logger = createLogger({ level: config.logLevel, secrets: [config.discordToken, config.highwayApiKey] });
  process.on('unhandledRejection', (error) => logger.error('unhandled rejection', { error }));

  let app;
  try {
    app = await startApp(config, logger);
  } catch (error) {
    logger.error('could not start', { error: error instanceof Error ? error.message : String(error) });
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
