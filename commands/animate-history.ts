/**
 * /animate-history: a member's recent generations in this server, newest first, each with the start of its
 * prompt, its state and when; a finished one can be sent again from the answer (a fresh link is asked of the
 * provider). Everything here is private to the member.
 */
import {
  ApplicationIntegrationType,
  ButtonStyle,
  ComponentType,
  InteractionContextType,
  MessageFlags,
  SlashCommandBuilder,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
} from 'discord.js';
import { isResendable } from '../src/animation/resend-video.ts';
import { described } from '../src/catalogue/command-texts.ts';
import { historyText, resendButtonLabel, resendText } from '../src/catalogue/render-history.ts';
import { guildIdOf, type ButtonHandler, type CommandContext, type SlashCommand } from '../src/discord/command.ts';
import type { TaskRecord } from '../src/tasks/task-record.ts';
import { uploadLimitOf } from '../src/discord/reply-handle.ts';
import { removeVideoFile } from '../src/videos/video-files.ts';
import { localeOf } from '../src/discord/interaction-locale.ts';

/** How many generations the answer lists. */
const HISTORY_SHOWN = 10;
/** Discord: at most 5 buttons in a row. */
const BUTTONS_PER_ROW = 5;
/** `animate-resend:<task id>`: a custom_id holds at most 100 characters, so the key, never the video. */
export const RESEND_BUTTON_PREFIX = 'animate-resend:';

const data = described(new SlashCommandBuilder().setName('animate-history'), 'command.animate-history')
  .setContexts(InteractionContextType.Guild)
  .setIntegrationTypes(ApplicationIntegrationType.GuildInstall);

async function execute(interaction: ChatInputCommandInteraction, context: CommandContext): Promise<void> {
  const records = await context.tasks.recentOfMember(guildIdOf(interaction), interaction.user.id, HISTORY_SHOWN);
  await interaction.reply({
    content: historyText(records, isResendable, localeOf(interaction)),
    components: resendRows(records, localeOf(interaction)),
    flags: MessageFlags.Ephemeral,
    allowedMentions: { parse: [] },
  });
}

/** One button per generation that can be sent again, numbered as in the list. */
function resendRows(records: readonly TaskRecord[], locale: string) {
  const buttons = records.flatMap((record, index) =>
    isResendable(record)
      ? [
          {
            type: ComponentType.Button as const,
            style: ButtonStyle.Secondary as const,
            label: resendButtonLabel(index + 1, locale),
            custom_id: `${RESEND_BUTTON_PREFIX}${record.id}`,
          },
        ]
      : [],
  );
  const rows = [];
  for (let start = 0; start < buttons.length; start += BUTTONS_PER_ROW) {
    rows.push({ type: ComponentType.ActionRow as const, components: buttons.slice(start, start + BUTTONS_PER_ROW) });
  }
  return rows;
}

/** A re-send button: the video comes back privately, fetched again from the provider. */
async function resend(interaction: ButtonInteraction, context: CommandContext): Promise<void> {
  // Asking the provider and downloading can take longer than Discord's 3 seconds.
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  const outcome =
    interaction.guildId === null
      ? ({ kind: 'not_sent', why: 'not_found' } as const)
      : await context.resends.resend({
          taskId: interaction.customId.slice(RESEND_BUTTON_PREFIX.length),
          userId: interaction.user.id,
          guildId: interaction.guildId,
          maxBytes: uploadLimitOf(interaction),
        });
  const video = outcome.kind === 'found' && outcome.view.kind === 'video' ? outcome.view : undefined;
  // discord.js reads a file given by its path into memory before sending it: one video at a time, at most the limit.
  const files = video ? [{ name: video.filename, attachment: video.video.path }] : [];
  try {
    await interaction.editReply({ content: resendText(outcome, localeOf(interaction)), files, allowedMentions: { parse: [] } });
  } finally {
    await removeVideoFile(video?.video);
  }
}

export const animateHistoryCommand: SlashCommand = { data, preconditions: ['guild_only'], execute };
export const animateResendButton: ButtonHandler = { prefix: RESEND_BUTTON_PREFIX, execute: resend };
