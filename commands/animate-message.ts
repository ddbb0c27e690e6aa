/**
 * The "Animate" message menu: on a phone, long-press a message with a picture, then Apps → Animate. A form
 * asks how it should move (and, optionally, the length and what to avoid); sending it makes exactly the
 * request /animate makes with that message's first picture: same checks, same quota, same delivery.
 */
import {
  ApplicationCommandType,
  ApplicationIntegrationType,
  ContextMenuCommandBuilder,
  InteractionContextType,
  type MessageContextMenuCommandInteraction,
  type ModalBuilder,
  type ModalSubmitInteraction,
} from 'discord.js';
import { withDefaults, type MemberDefaults } from '../src/animation/member-defaults.ts';
import { named } from '../src/catalogue/command-texts.ts';
import { localeOf } from '../src/discord/interaction-locale.ts';
import { menuFormTexts, menuRefusalText, promptFormProblemText, type MenuRefusal } from '../src/catalogue/render-menu.ts';
import type { CommandContext, MessageCommand, ModalHandler } from '../src/discord/command.ts';
import { firstPicture } from '../src/discord/message-picture.ts';
import { mayFetchPicture } from '../src/download-policy.ts';
import { promptForm, readPromptForm } from '../src/discord/prompt-form.ts';
import { answerOutcome, privately, requesterOf } from '../src/discord/request-reply.ts';
/**
 * The form's custom_id: this prefix and the menu interaction's id (a snowflake, at most 20 digits), which is
 * the store key of the chosen picture: far within Discord's 100 characters, and still valid after a restart.
 */
export const ANIMATE_FORM_PREFIX = 'animate-form:';

// Context-menu names may hold capitals and spaces; Discord shows this one under Apps.
const data = named(new ContextMenuCommandBuilder().setName('Animate'))
  .setType(ApplicationCommandType.Message)
  .setContexts(InteractionContextType.Guild)
  .setIntegrationTypes(ApplicationIntegrationType.GuildInstall);

async function execute(interaction: MessageContextMenuCommandInteraction, context: CommandContext): Promise<void> {
  const guildId = interaction.guildId;
  const message = interaction.targetMessage;
  const picture = firstPicture({ attachments: message.attachments.values(), embeds: message.embeds }, (url) =>
    mayFetchPicture(url, context.downloads),
  );
  if (guildId === null || picture === undefined) {
    await answerPrivately(interaction, 'no_picture');
    return;
  }
  // Kept in the store before the form opens: it is the only place the form's answer can find it again.
  await context.pictures.keep(interaction.id, {
    guildId,
    channelId: interaction.channelId,
    userId: interaction.user.id,
    messageId: interaction.targetId,
    image: picture,
  });
  const defaults = await context.memberDefaults.defaultsFor({ guildId, userId: interaction.user.id });
  // A form can only be the first answer, and must come within Discord's 3 seconds: two store calls come first.
  await interaction.showModal(animateForm(`${ANIMATE_FORM_PREFIX}${interaction.id}`, defaults, localeOf(interaction)));
}

function animateForm(customId: string, defaults: MemberDefaults, locale: string): ModalBuilder {
  const texts = menuFormTexts(locale);
  return promptForm({
    customId,
    texts: {
      title: texts.title,
      prompt: texts.prompt,
      promptPlaceholder: texts.promptPlaceholder,
      duration: { label: texts.duration, placeholder: texts.durationPlaceholder },
      negativePrompt: texts.negativePrompt,
      negativePromptPlaceholder: texts.negativePromptPlaceholder,
    },
    values: { duration: defaults.duration, negativePrompt: defaults.negativePrompt },
  });
}

async function submit(interaction: ModalSubmitInteraction, context: CommandContext): Promise<void> {
  const form = readPromptForm(interaction.fields, { withDuration: true });
  if (!form.ok) {
    await interaction.reply(privately(promptFormProblemText(form.problem, localeOf(interaction))));
    return;
  }

  // Only the member who opened the form sends it, in the server it was opened in.
  const picture = await context.pictures.take(interaction.customId.slice(ANIMATE_FORM_PREFIX.length), {
    userId: interaction.user.id,
    guildId: interaction.guildId,
  });
  if (picture === undefined) {
    await answerPrivately(interaction, 'expired');
    return;
  }
  // The one request /animate makes: units reserved first, so a refusal stays private; then the deferral. What the
  // form left out comes from the member's defaults (/animate-settings), else the bot's.
  const outcome = await context.animations.request({
    ...requesterOf(interaction, { guildId: picture.guildId, channelId: picture.channelId }),
    options: (defaults) => withDefaults(form.answer, defaults),
    image: picture.image,
  });
  await answerOutcome(interaction, outcome);
}

async function answerPrivately(
  interaction: MessageContextMenuCommandInteraction | ModalSubmitInteraction,
  refusal: MenuRefusal,
): Promise<void> {
  await interaction.reply(privately(menuRefusalText(refusal, localeOf(interaction))));
}

export const animateMessageCommand: MessageCommand = { data, preconditions: ['guild_only'], execute };

export const animateFormHandler: ModalHandler = { prefix: ANIMATE_FORM_PREFIX, execute: submit };
