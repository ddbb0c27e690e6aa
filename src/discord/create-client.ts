import { Client, GatewayIntentBits } from 'discord.js';
import { discordRestOptions } from './rest-options.ts';

/**
 * The discord.js client. Slash commands need only the Guilds intent (no privileged intents), and
 * `rest.api` lets an operator, or a test, put a REST proxy in front of Discord.
 */
export function createDiscordClient(options: { apiUrl: string }): Client {
  return new Client({
    intents: [GatewayIntentBits.Guilds],
    rest: discordRestOptions(options.apiUrl),
    // Nothing the bot sends through the client may ping anyone unless a call says otherwise.
    allowedMentions: { parse: [] },
  });
}
