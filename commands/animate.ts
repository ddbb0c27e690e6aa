/** /animate: the member attaches a picture, says how it should move, and gets a video in the same reply. */
import {
  ApplicationIntegrationType,
  InteractionContextType,
  MessageFlags,
  PermissionFlagsBits,
  SlashCommandBuilder,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
} from 'discord.js';
import { z } from 'zod';
import type { ButtonHandler, CommandContext, SlashCommand } from '../src/discord/command.ts';
import { CANCEL_BUTTON_PREFIX } from '../src/discord/discord-replies.ts';
import { refusalText } from '../src/discord/quota-messages.ts';
import { memberRoleIds } from '../src/discord/member-roles.ts';
import { animateOptionsSchema, unitsFor } from '../src/tasks/task-record.ts';

const PROMPT_MAX = 2500;
/** Discord's default upload limit for bots, when an interaction does not say (10 MiB since January 2025). */
const DEFAULT_ATTACHMENT_LIMIT = 10 * 1024 * 1024;

const data = new SlashCommandBuilder()
  .setName('animate')
  .setDescription('Turn a picture into a short video')
  .setContexts(InteractionContextType.Guild)
  .setIntegrationTypes(ApplicationIntegrationType.GuildInstall)
  .addAttachmentOption((o) => o.setName('image').setDescription('The picture to animate (PNG or JPEG, at least 300x300)').setRequired(true))
  .addStringOption((o) => o.setName('prompt').setDescription('How the picture should move').setRequired(true).setMaxLength(PROMPT_MAX))
  .addStringOption((o) =>
    o
      .setName('duration')
      .setDescription('Length of the video in seconds (default 5)')
      .addChoices({ name: '5 seconds', value: '5' }, { name: '10 seconds', value: '10' }),
  )
  .addNumberOption((o) =>
    o
      .setName('cfg_scale')
      .setDescription('0 = more creative freedom, 1 = follow the prompt closely (default 0.5)')
      .setMinValue(0)
      .setMaxValue(1),
  )
  .addStringOption((o) => o.setName('negative_prompt').setDescription('What to avoid in the video').setMaxLength(PROMPT_MAX));

// Discord enforces these limits on its side too; checked again because the payload comes from outside.
const interactionInputSchema = z.object({
  guildId: z.string().regex(/^\d+$/),
  attachment: z.object({
    url: z.url(),
    name: z.string(),
    size: z.number().int().nonnegative(),
  }),
  options: animateOptionsSchema,
});

async function execute(interaction: ChatInputCommandInteraction, context: CommandContext): Promise<void> {
  const attachment = interaction.options.getAttachment('image', true);
  const negativePrompt = interaction.options.getString('negative_prompt')?.trim();
  const input = interactionInputSchema.safeParse({
    guildId: interaction.guildId,
    attachment: { url: attachment.url, name: attachment.name, size: attachment.size },
    options: {
      prompt: interaction.options.getString('prompt', true).trim(),
      duration: interaction.options.getString('duration') ?? '5',
      cfgScale: interaction.options.getNumber('cfg_scale') ?? 0.5,
      ...(negativePrompt ? { negativePrompt } : {}),
    },
  });
  if (!input.success) {
    const problem = input.error.issues[0];
    await interaction.reply({
      content: `❌ ${describeProblem(problem?.path ?? [])}`,
      flags: MessageFlags.Ephemeral,
      allowedMentions: { parse: [] },
    });
    return;
  }

  // Units are reserved before anything public happens: a refused command leaves only a private answer.
  // The store answers in milliseconds, well inside Discord's 3 seconds.
  const taskId = context.tracker.newTaskId();
  const units = unitsFor(input.data.options.duration);
  const reservation = await context.quota.reserve({
    taskId,
    guildId: input.data.guildId,
    channelId: interaction.channelId,
    userId: interaction.user.id,
    roleIds: memberRoleIds(interaction),
    units,
  });
  if (!reservation.ok) {
    const quota = await context.quota.quota(input.data.guildId);
    await interaction.reply({
      content: refusalText(reservation.refusal, quota.period),
      flags: MessageFlags.Ephemeral,
      allowedMentions: { parse: [] },
    });
    return;
  }

  try {
    // Acknowledge within Discord's 3 seconds, before any slow work.
    await interaction.deferReply();
  } catch (error) {
    // Nothing public exists and nothing was paid for: the reservation goes back whole.
    await context.quota.settle(taskId, true);
    throw error;
  }
  try {
    await context.tracker.accept(taskId, {
      requester: { userId: interaction.user.id, guildId: input.data.guildId, channelId: interaction.channelId },
      interaction: {
        id: interaction.id,
        applicationId: interaction.applicationId,
        token: interaction.token,
        createdAt: interaction.createdTimestamp,
        attachmentSizeLimit: interaction.attachmentSizeLimit || DEFAULT_ATTACHMENT_LIMIT,
      },
      options: input.data.options,
      image: { url: input.data.attachment.url, filename: input.data.attachment.name, reportedSize: input.data.attachment.size },
    });
  } catch (error) {
    // The task was never recorded, so nothing will settle it later: refund now (the apology says so).
    await context.quota.settle(taskId, true);
    throw error;
  }
}

/** The Cancel button on a generation waiting its turn. */
async function cancel(interaction: ButtonInteraction, context: CommandContext): Promise<void> {
  const taskId = interaction.customId.slice(CANCEL_BUTTON_PREFIX.length);
  await interaction.deferUpdate();
  const outcome = await context.tracker.cancel(taskId, {
    userId: interaction.user.id,
    isModerator: interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild) ?? false,
  });
  const answers = {
    cancelled: undefined,
    not_found: 'That generation no longer exists.',
    not_allowed: 'Only the member who asked (or a moderator) can cancel this generation.',
    started: 'This generation has already started, so it can no longer be cancelled.',
    finished: 'This generation has already finished.',
  } as const;
  const answer = answers[outcome];
  if (answer) await interaction.followUp({ content: answer, flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
}

export const animateCancelButton: ButtonHandler = { prefix: CANCEL_BUTTON_PREFIX, execute: cancel };

function describeProblem(path: readonly PropertyKey[]): string {
  const field = path.includes('prompt')
    ? 'prompt'
    : path.includes('negativePrompt')
      ? 'negative_prompt'
      : path.includes('guildId')
        ? 'server'
        : path.includes('attachment')
          ? 'image'
          : 'options';
  switch (field) {
    case 'prompt':
      return `The prompt must be between 1 and ${PROMPT_MAX} characters.`;
    case 'negative_prompt':
      return `The negative prompt must be at most ${PROMPT_MAX} characters.`;
    case 'server':
      return '/animate works in servers only.';
    case 'image':
      return 'Please attach a picture in the image option.';
    default:
      return 'Those options are not valid: duration is 5 or 10 and cfg_scale between 0 and 1.';
  }
}

export const animateCommand: SlashCommand = { data, execute };
