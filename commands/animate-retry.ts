/**
 * The "Try again" button on a generation whose submission outcome was unknown (the member was refunded): one
 * press asks for the same picture and options again, for the member who asked, through the one request.
 */
import { MessageFlags, type ButtonInteraction } from 'discord.js';
import { retryAnimation } from '../src/animation/retry-animation.ts';
import { retryRefusalText } from '../src/catalogue/render-history.ts';
import { refusalText } from '../src/catalogue/render-quota.ts';
import type { ButtonHandler, CommandContext } from '../src/discord/command.ts';
import { memberRoleIds } from '../src/discord/member-roles.ts';
import { replyHandleOf } from '../src/discord/reply-handle.ts';
import { RETRY_BUTTON_PREFIX } from '../src/discord/retry-button.ts';
import { localeOf } from '../src/discord/interaction-locale.ts';

async function execute(interaction: ButtonInteraction, context: CommandContext): Promise<void> {
  const taskId = interaction.customId.slice(RETRY_BUTTON_PREFIX.length);
  const outcome =
    interaction.guildId === null
      ? ({ kind: 'cannot_retry', why: 'not_found' } as const)
      : await retryAnimation(
          { tasks: context.tasks, animations: context.animations },
          {
            taskId,
            requester: {
              userId: interaction.user.id,
              guildId: interaction.guildId,
              channelId: interaction.channelId,
              roleIds: memberRoleIds(interaction),
            },
            locale: localeOf(interaction),
            // The new generation is answered in a message of its own: this press's deferred reply.
            reply: replyHandleOf(interaction),
            acknowledge: async () => {
              await interaction.deferReply();
            },
          },
        );
  if (outcome.kind === 'accepted') return;
  await interaction.reply({
    content:
      outcome.kind === 'refused'
        ? refusalText(outcome.refusal, outcome.period, localeOf(interaction))
        : retryRefusalText(outcome.why, localeOf(interaction)),
    flags: MessageFlags.Ephemeral,
    allowedMentions: { parse: [] },
  });
}

export const animateRetryButton: ButtonHandler = { prefix: RETRY_BUTTON_PREFIX, execute };
