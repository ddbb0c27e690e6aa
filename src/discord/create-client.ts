import { Client, GatewayIntentBits, Options } from 'discord.js';
import { discordRestOptions } from './rest-options.ts';

/**
 * What the client keeps of what it sees. The bot answers interactions and edits its replies through REST: it
 * reads no message, and a member or user only from the interaction at hand (its payload carries both), so
 * keeping each one seen would only grow with every member of a burst (1000 commands: 1000 users and members
 * kept for the process's life). Channels and guilds stay cached: the gateway keeps them current.
 */
export const CLIENT_CACHE_LIMITS = {
  ...Options.DefaultMakeCacheSettings,
  MessageManager: 0,
  ReactionManager: 0,
  PresenceManager: 0,
  // The bot's own user and member are kept whatever the limit (discord.js reads them).
  UserManager: { maxSize: 0, keepOverLimit: (user: { id: string; client: Client }) => user.id === user.client.user?.id },
  GuildMemberManager: { maxSize: 0, keepOverLimit: (member: { id: string; client: Client }) => member.id === member.client.user?.id },
} as const;

/**
 * The discord.js client. Slash commands need only the Guilds intent (no privileged intents), and
 * `rest.api` lets an operator, or a test, put a REST proxy in front of Discord.
 */
export function createDiscordClient(options: { apiUrl: string }): Client {
  return new Client({
    intents: [GatewayIntentBits.Guilds],
    rest: discordRestOptions(options.apiUrl),
    makeCache: Options.cacheWithLimits(CLIENT_CACHE_LIMITS),
    // Nothing the bot sends through the client may ping anyone unless a call says otherwise.
    allowedMentions: { parse: [] },
  });
}
