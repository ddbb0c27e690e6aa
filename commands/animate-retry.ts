/**
 * The "Try again" button on a generation whose submission outcome was unknown (the member was refunded): one
 * press asks for the same picture and options again, for the member who asked, through the one request.
 */
import type { ButtonInteraction } from 'discord.js';
import { retryAnimation } from '../src/animation/retry-animation.ts';
import { retryRefusalText } from '../src/catalogue/render-history.ts';
import type { ButtonHandler, CommandContext } from '../src/discord/command.ts';
import { privately, quotaRefusalAnswer, requesterOf } from '../src/discord/request-reply.ts';
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
            // The new generation is answered in a message of its own: this press's deferred reply.
            ...requesterOf(interaction, { guildId: interaction.guildId, channelId: interaction.channelId }),
          },
        );
  if (outcome.kind === 'accepted') return;
  await interaction.reply(
    outcome.kind === 'refused' ? quotaRefusalAnswer(outcome, interaction) : privately(retryRefusalText(outcome.why, localeOf(interaction))),
  );
}

export const animateRetryButton: ButtonHandler = { prefix: RETRY_BUTTON_PREFIX, execute };
