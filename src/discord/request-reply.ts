/**
 * What every Discord front end of the one request (/animate, the Animate form, the buttons under a video,
 * Try again) takes from its interaction, and how the request's outcome is answered: an accepted request is
 * already answered by its deferral; a refusal is private, so nothing public happens.
 */
import { MessageFlags, type RepliableInteraction } from 'discord.js';
import type { AnimationOutcome, AnimationRequest } from '../animation/request-animation.ts';
import { refusalText } from '../catalogue/render-quota.ts';
import { localeOf } from './interaction-locale.ts';
import { memberRoleIds } from './member-roles.ts';
import { replyHandleOf } from './reply-handle.ts';
import { deferPublicly } from './deferral.ts';

/** A private answer that can ping nobody. */
export const privately = (content: string) => ({ content, flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } }) as const;

/** Who asks, in which language, and how to answer them: all of a request but the picture and the options. */
export function requesterOf(
  interaction: RepliableInteraction,
  where: { guildId: string; channelId: string },
): Pick<AnimationRequest, 'requester' | 'locale' | 'reply' | 'acknowledge'> {
  return {
    requester: { userId: interaction.user.id, guildId: where.guildId, channelId: where.channelId, roleIds: memberRoleIds(interaction) },
    // Every later message about this task (after a restart, or posted in the channel) is in the member's language.
    locale: localeOf(interaction),
    reply: replyHandleOf(interaction),
    // The deferral every member of a burst waits for: straight to Discord, the cheapest way (deferral.ts).
    acknowledge: () => deferPublicly(interaction),
  };
}

/** The refusal of a quota, privately; the caller has already returned for an accepted request. */
export function quotaRefusalAnswer(outcome: Extract<AnimationOutcome, { kind: 'refused' }>, interaction: RepliableInteraction) {
  return privately(refusalText(outcome.refusal, outcome.period, localeOf(interaction)));
}

/** Answers a request's outcome: nothing more when accepted (the deferral was the answer), privately when refused. */
export async function answerOutcome(interaction: RepliableInteraction, outcome: AnimationOutcome): Promise<void> {
  if (outcome.kind === 'refused') await interaction.reply(quotaRefusalAnswer(outcome, interaction));
}
