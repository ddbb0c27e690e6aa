/**
 * /animate-settings: a member's own defaults in this server for the options they leave out of /animate, the
 * Animate form and Remix (length, cfg_scale, what to avoid). Private. With no option it shows them; `reset`
 * clears them (then any option given is saved on top).
 */
import { ApplicationIntegrationType, InteractionContextType, SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import { z } from 'zod';
import type { MemberDefaults } from '../src/animation/member-defaults.ts';
import { withoutUndefined } from '../src/animation/member-settings.ts';
import { localeOf } from '../src/discord/interaction-locale.ts';
import { choice, described } from '../src/catalogue/command-texts.ts';
import { optionProblemText } from '../src/catalogue/render-reply.ts';
import { settingsText, type SettingsAnswer } from '../src/catalogue/render-settings.ts';
import { guildIdOf, type CommandContext, type SlashCommand } from '../src/discord/command.ts';
import { PROMPT_MAX } from '../src/discord/prompt-form.ts';
import { privately } from '../src/discord/request-reply.ts';
import { videoDurationSchema } from '../src/tasks/task-record.ts';

const data = described(new SlashCommandBuilder().setName('animate-settings'), 'command.animate-settings')
  .setContexts(InteractionContextType.Guild)
  .setIntegrationTypes(ApplicationIntegrationType.GuildInstall)
  .addStringOption((o) =>
    described(o.setName('duration'), 'command.animate-settings.duration').addChoices(
      choice('command.animate.duration.5', '5'),
      choice('command.animate.duration.10', '10'),
    ),
  )
  .addNumberOption((o) => described(o.setName('cfg_scale'), 'command.animate-settings.cfg_scale').setMinValue(0).setMaxValue(1))
  .addStringOption((o) => described(o.setName('negative_prompt'), 'command.animate-settings.negative_prompt').setMaxLength(PROMPT_MAX))
  .addBooleanOption((o) => described(o.setName('reset'), 'command.animate-settings.reset'));

// Checked again here: the payload comes from outside, whatever Discord enforced.
const changeSchema = z.object({
  duration: videoDurationSchema.optional(),
  cfgScale: z.number().min(0).max(1).optional(),
  negativePrompt: z.string().trim().min(1).max(PROMPT_MAX).optional(),
});

/** Spaces alone say nothing: the option counts as left out. */
function nonEmpty(text: string | null): string | undefined {
  const trimmed = text?.trim();
  return trimmed === '' ? undefined : trimmed;
}

async function execute(interaction: ChatInputCommandInteraction, context: CommandContext): Promise<void> {
  const member = { guildId: guildIdOf(interaction), userId: interaction.user.id };
  const parsed = changeSchema.safeParse({
    duration: interaction.options.getString('duration') ?? undefined,
    cfgScale: interaction.options.getNumber('cfg_scale') ?? undefined,
    negativePrompt: nonEmpty(interaction.options.getString('negative_prompt')),
  });
  if (!parsed.success) {
    const field = parsed.error.issues[0]?.path.includes('negativePrompt') ? 'negative_prompt' : 'options';
    await interaction.reply(
      privately(optionProblemText(field === 'negative_prompt' ? { field, max: PROMPT_MAX } : { field }, localeOf(interaction))),
    );
    return;
  }
  const change: MemberDefaults = withoutUndefined(parsed.data);
  const reset = interaction.options.getBoolean('reset') ?? false;
  const changes = Object.keys(change).length > 0;
  if (reset) await context.settings.reset(member);
  let answer: SettingsAnswer;
  if (changes) answer = { kind: 'saved', defaults: await context.settings.change(member, change) };
  else if (reset) answer = { kind: 'reset' };
  else answer = { kind: 'current', defaults: await context.settings.defaultsFor(member) };
  await interaction.reply(privately(settingsText(answer, localeOf(interaction))));
}

export const animateSettingsCommand: SlashCommand = { data, preconditions: ['guild_only'], execute };
