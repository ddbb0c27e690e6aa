import { Status, type Client } from 'discord.js';

/**
 * Whether the bot is connected to Discord's gateway now. `client.isReady()` alone stays true after the first
 * READY while a shard is reconnecting; a shard is back only once it is ready (or resumed) again.
 */
export function gatewayConnected(client: Client): boolean {
  return client.isReady() && client.ws.shards.size > 0 && client.ws.shards.every((shard) => shard.status === Status.Ready);
}
