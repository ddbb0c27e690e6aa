import { GuildMember, type BaseInteraction } from 'discord.js';

/** The role ids of the member who ran a command or pressed a button, from the interaction itself (no extra API call). */
export function memberRoleIds(interaction: BaseInteraction): string[] {
  const member = interaction.member;
  if (!member) return [];
  if (member instanceof GuildMember) return [...member.roles.cache.keys()];
  return member.roles;
}
