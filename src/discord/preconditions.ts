import { PermissionFlagsBits, type CommandInteraction } from 'discord.js';
import type { Precondition } from './command.ts';

/** The first of a command's preconditions this interaction does not meet, if any. */
export function unmetPrecondition(interaction: CommandInteraction, preconditions: readonly Precondition[]): Precondition | undefined {
  return preconditions.find((precondition) => !meets(interaction, precondition));
}

function meets(interaction: CommandInteraction, precondition: Precondition): boolean {
  switch (precondition) {
    case 'guild_only':
      return interaction.guildId !== null;
    case 'manage_guild':
      return interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild) ?? false;
  }
}
