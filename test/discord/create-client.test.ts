import { GuildMember, GuildMemberManager, Message, MessageManager, User, UserManager, type Client } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { createDiscordClient } from '../../src/discord/create-client.ts';

describe('the Discord client', () => {
  let client: Client | undefined;

  afterEach(async () => {
    await client?.destroy();
  });

  it('keeps no message, and no member or user but its own, whatever a burst of interactions brought', () => {
    client = createDiscordClient({ apiUrl: 'http://127.0.0.1:1/api' });
    // As discord.js calls it for each manager it creates (its types name only the managers it lists).
    const makeCache = client.options.makeCache as unknown as (type: unknown, holds: unknown, manager: unknown) => Map<string, unknown>;
    const caches = {
      messages: makeCache(MessageManager, Message, MessageManager),
      members: makeCache(GuildMemberManager, GuildMember, GuildMemberManager),
      users: makeCache(UserManager, User, UserManager),
    };
    // What discord.js would keep of a burst of 50 members, each with their user and a message.
    for (let i = 0; i < 50; i++) {
      const id = String(1000 + i);
      caches.messages.set(id, { id, client });
      caches.members.set(id, { id, client });
      caches.users.set(id, { id, client });
    }
    expect([caches.messages.size, caches.members.size, caches.users.size]).toEqual([0, 0, 0]);
    // The client's own users cache is made the same way.
    client.users.cache.set('1', { id: '1', client } as unknown as User);
    expect(client.users.cache.size).toBe(0);
  });
});
