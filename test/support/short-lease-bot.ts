/**
 * The bot as `npm start` runs it, with task leases of a few seconds instead of 30 s, so the two-process tests
 * see a takeover without waiting for production timing. Run by BotProcess; stopped by a signal.
 */
import { startApp } from '../../src/app.ts';
import { loadConfigOrExplain } from '../../src/config.ts';
import { createLogger, urlSecrets } from '../../src/logger.ts';

const config = loadConfigOrExplain();
if (!config) process.exit(1);
const logger = createLogger({
  level: config.logLevel,
  secrets: [config.discordToken, config.highwayApiKey, ...urlSecrets(config.storeUrl)],
});
const app = await startApp(config, logger, undefined, {
  leaseTiming: { leaseMs: 3_000, renewEveryMs: 1_000, takeoverEveryMs: 1_000 },
});
const stop = () => void app.stop().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
