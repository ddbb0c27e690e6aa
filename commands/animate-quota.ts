/** /animate-quota: a member's units left, when they renew, what is in progress, and which rule applies. */
import {
  ApplicationIntegrationType,
  InteractionContextType,
  MessageFlags,
  SlashCommandBuilder,
  type ChatInputCommandInteraction,
} from 'discord.js';
import type { CommandContext, SlashCommand } from '../src/discord/command.ts';
import { memberRoleIds } from '../src/discord/member-roles.ts';
import { standingText } from '../src/discord/quota-messages.ts';

const data = new SlashCommandBuilder()
  .setName('animate-quota')
  .setDescription('See how many video units you have left and when they renew')
  .setContexts(InteractionContextType.Guild)
  .setIntegrationTypes(ApplicationIntegrationType.GuildInstall);

async function execute(interaction: ChatInputCommandInteraction, context: CommandContext): Promise<void> {
  if (!interaction.guildId) {
    await interaction.reply({ content: '/animate-quota works in servers only.', flags: MessageFlags.Ephemeral });
    return;
  }
  const userId = interaction.user.id;
  const [standing, open] = await Promise.all([
    context.quota.standing(interaction.guildId, userId, memberRoleIds(interaction)),
    context.tasks.listOpen(),
  ]);
  const mine = open.filter((t) => t.requester.guildId === interaction.guildId && t.requester.userId === userId);
  const waiting = mine.filter((t) => t.state === 'waiting').length;
  await interaction.reply({
    content: standingText(standing, { running: mine.length - waiting, waiting }),
    flags: MessageFlags.Ephemeral,
    allowedMentions: { parse: [] },
  });
}

export const animateQuotaCommand: SlashCommand = { data, execute };
