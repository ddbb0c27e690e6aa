/** Entry point: read the config, start the bot, stop cleanly on SIGINT/SIGTERM. */
import { startApp } from './app.ts';
import { loadConfigOrExplain } from './config.ts';
import { createLogger, redactUrl, urlSecrets } from './logger.ts';

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
      reason: describeStartFailure(error),
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

function describeStartFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // Network failures hide their code a few causes down (fetch → undici → the socket).
  let detail: string | undefined;
  let cause: unknown = error.cause;
  for (let depth = 0; depth < 4 && cause instanceof Error; depth++) {
    detail = 'code' in cause && typeof cause.code === 'string' ? cause.code : cause.message;
    cause = cause.cause;
  }
  return detail ? `${error.message} (${detail})` : error.message;
}

await main();
