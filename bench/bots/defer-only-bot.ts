/**
 * The floor for acknowledgement latency: a discord.js client that defers every slash command and does
 * nothing else. Whatever the other bots take beyond this is theirs, not discord.js's or the stand-in's.
 * Run as its own process by the bench (`npm run bench`), configured like the other bots through the environment.
 */
import { Client, Events, GatewayIntentBits } from 'discord.js';
import { benchBotEnv, reportReady, stopOnSignal } from './bot-env.ts';

const env = benchBotEnv();
const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: env.discordApiUrl } });

client.on(Events.InteractionCreate, (interaction) => {
  if (!interaction.isChatInputCommand()) return;
  interaction.deferReply().catch((error: unknown) => {
    console.error('deferral failed', error);
  });
});
client.once(Events.ClientReady, reportReady);
stopOnSignal(client);
await client.login(env.discordToken);
