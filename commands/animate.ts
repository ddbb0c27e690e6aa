/** /animate: the member attaches a picture, says how it should move, and gets a video in the same reply. */
import {
  ApplicationIntegrationType,
  InteractionContextType,
  MessageFlags,
  SlashCommandBuilder,
  type ChatInputCommandInteraction,
} from 'discord.js';
import { z } from 'zod';
import type { CommandContext, SlashCommand } from '../src/discord/command.ts';
import { animateOptionsSchema } from '../src/tasks/task-record.ts';

const PROMPT_MAX = 2500;
/** Discord's default upload limit for bots, when an interaction does not say (10 MiB since January 2025). */
const DEFAULT_ATTACHMENT_LIMIT = 10 * 1024 * 1024;

const data = new SlashCommandBuilder()
  .setName('animate')
  .setDescription('Turn a picture into a short video')
  .setContexts(InteractionContextType.Guild)
  .setIntegrationTypes(ApplicationIntegrationType.GuildInstall)
  .addAttachmentOption((o) => o.setName('image').setDescription('The picture to animate (PNG or JPEG, at least 300x300)').setRequired(true))
  .addStringOption((o) =>
    o.setName('prompt').setDescription('How the picture should move').setRequired(true).setMaxLength(PROMPT_MAX),
  )
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
    url: z.string().url(),
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

  // Acknowledge within Discord's 3 seconds, before any slow work.
  await interaction.deferReply();
  await context.tracker.accept({
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
}

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
export default animateCommand;
