/** /animate-quota: a member's units left, when they renew, what is in progress, and which rule applies. */
import { ApplicationIntegrationType, InteractionContextType, SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import { described } from '../src/catalogue/command-texts.ts';
import { standingText } from '../src/catalogue/render-quota.ts';
import { guildIdOf, type CommandContext, type SlashCommand } from '../src/discord/command.ts';
import { memberRoleIds } from '../src/discord/member-roles.ts';
import { privately } from '../src/discord/request-reply.ts';
import { localeOf } from '../src/discord/interaction-locale.ts';

const data = described(new SlashCommandBuilder().setName('animate-quota'), 'command.animate-quota')
  .setContexts(InteractionContextType.Guild)
  .setIntegrationTypes(ApplicationIntegrationType.GuildInstall);

async function execute(interaction: ChatInputCommandInteraction, context: CommandContext): Promise<void> {
  const guildId = guildIdOf(interaction);
  const userId = interaction.user.id;
  const [standing, mine] = await Promise.all([
    context.quota.standing(guildId, userId, memberRoleIds(interaction)),
    context.tasks.openOfMember(guildId, userId),
  ]);
  const waiting = mine.filter((t) => t.state === 'waiting').length;
  await interaction.reply(privately(standingText(standing, { running: mine.length - waiting, waiting }, localeOf(interaction))));
}

export const animateQuotaCommand: SlashCommand = { data, preconditions: ['guild_only'], execute };
