/** /animate: the member attaches a picture, says how it should move, and gets a video in the same reply. */
import {
  ApplicationIntegrationType,
  InteractionContextType,
  PermissionFlagsBits,
  SlashCommandBuilder,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
} from 'discord.js';
import { z } from 'zod';
import { withDefaults, type GivenOptions } from '../src/animation/member-defaults.ts';
import type { ButtonHandler, CommandContext, SlashCommand } from '../src/discord/command.ts';
import { choice, described } from '../src/catalogue/command-texts.ts';
import { cancelAnswer, optionProblemText, type OptionProblem } from '../src/catalogue/render-reply.ts';
import { CANCEL_BUTTON_PREFIX } from '../src/discord/discord-replies.ts';
import { answerOutcome, privately, requesterOf } from '../src/discord/request-reply.ts';
import { PROMPT_MAX } from '../src/discord/prompt-form.ts';
import { animateOptionsSchema } from '../src/tasks/task-record.ts';
import { localeOf } from '../src/discord/interaction-locale.ts';

const data = described(new SlashCommandBuilder().setName('animate'), 'command.animate')
  .setContexts(InteractionContextType.Guild)
  .setIntegrationTypes(ApplicationIntegrationType.GuildInstall)
  .addAttachmentOption((o) => described(o.setName('image'), 'command.animate.image').setRequired(true))
  .addStringOption((o) => described(o.setName('prompt'), 'command.animate.prompt').setRequired(true).setMaxLength(PROMPT_MAX))
  .addStringOption((o) =>
    described(o.setName('duration'), 'command.animate.duration').addChoices(
      choice('command.animate.duration.5', '5'),
      choice('command.animate.duration.10', '10'),
    ),
  )
  .addNumberOption((o) => described(o.setName('cfg_scale'), 'command.animate.cfg_scale').setMinValue(0).setMaxValue(1))
  .addStringOption((o) => described(o.setName('negative_prompt'), 'command.animate.negative_prompt').setMaxLength(PROMPT_MAX));

// Discord enforces these limits on its side too; checked again because the payload comes from outside.
const interactionInputSchema = z.object({
  guildId: z.string().regex(/^\d+$/),
  attachment: z.object({
    url: z.url(),
    name: z.string(),
    size: z.number().int().nonnegative(),
  }),
  options: animateOptionsSchema.partial().required({ prompt: true }),
});

async function execute(interaction: ChatInputCommandInteraction, context: CommandContext): Promise<void> {
  const attachment = interaction.options.getAttachment('image', true);
  const negativePrompt = interaction.options.getString('negative_prompt')?.trim();
  // Only what the member typed: what they left out comes from their defaults once the request is made.
  const input = interactionInputSchema.safeParse({
    guildId: interaction.guildId,
    attachment: { url: attachment.url, name: attachment.name, size: attachment.size },
    options: {
      prompt: interaction.options.getString('prompt', true).trim(),
      duration: interaction.options.getString('duration') ?? undefined,
      cfgScale: interaction.options.getNumber('cfg_scale') ?? undefined,
      negativePrompt: negativePrompt === '' ? undefined : negativePrompt,
    },
  });
  if (!input.success) {
    const problem = input.error.issues[0];
    await interaction.reply(privately(optionProblemText(optionProblem(problem?.path ?? []), localeOf(interaction))));
    return;
  }

  // Units are reserved before anything public happens: a refused command leaves only a private answer.
  // The store answers in microseconds, well inside Discord's 3 seconds; the deferral comes right after.
  const given: GivenOptions = input.data.options;
  const outcome = await context.animations.request({
    ...requesterOf(interaction, { guildId: input.data.guildId, channelId: interaction.channelId }),
    // What the member left out: their own defaults (/animate-settings), else the bot's.
    options: (defaults) => withDefaults(given, defaults),
    image: { url: input.data.attachment.url, filename: input.data.attachment.name, reportedSize: input.data.attachment.size },
  });
  await answerOutcome(interaction, outcome);
}

/** The Cancel button on a generation waiting its turn. */
async function cancel(interaction: ButtonInteraction, context: CommandContext): Promise<void> {
  const taskId = interaction.customId.slice(CANCEL_BUTTON_PREFIX.length);
  await interaction.deferUpdate();
  const outcome = await context.tracker.cancel(taskId, {
    userId: interaction.user.id,
    isModerator: interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild) ?? false,
    guildId: interaction.guildId,
  });
  const answer = cancelAnswer(outcome, localeOf(interaction));
  if (answer) await interaction.followUp(privately(answer));
}

export const animateCancelButton: ButtonHandler = { prefix: CANCEL_BUTTON_PREFIX, execute: cancel };

/** Which option the first problem zod found is about. */
function optionProblem(path: readonly PropertyKey[]): OptionProblem {
  if (path.includes('prompt')) return { field: 'prompt', max: PROMPT_MAX };
  if (path.includes('negativePrompt')) return { field: 'negative_prompt', max: PROMPT_MAX };
  if (path.includes('guildId')) return { field: 'server' };
  if (path.includes('attachment')) return { field: 'image' };
  return { field: 'options' };
}

export const animateCommand: SlashCommand = { data, preconditions: ['guild_only'], execute };
