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
  LabelBuilder,
  MessageFlags,
  ModalBuilder,
  TextInputBuilder,
  TextInputStyle,
  type MessageContextMenuCommandInteraction,
  type ModalSubmitInteraction,
} from 'discord.js';
import { z } from 'zod';
import { BOT_DEFAULTS, type MemberDefaults } from '../src/animation/member-defaults.ts';
import { named } from '../src/catalogue/command-texts.ts';
import { localeOf } from '../src/discord/interaction-locale.ts';
import { menuFormTexts, menuRefusalText, type MenuRefusal } from '../src/catalogue/render-menu.ts';
import { refusalText } from '../src/catalogue/render-quota.ts';
import { optionProblemText } from '../src/catalogue/render-reply.ts';
import type { CommandContext, MessageCommand, ModalHandler } from '../src/discord/command.ts';
import { memberRoleIds } from '../src/discord/member-roles.ts';
import { firstPicture } from '../src/discord/message-picture.ts';
import { replyHandleOf } from '../src/discord/reply-handle.ts';
import { animateOptionsSchema, videoDurationSchema } from '../src/tasks/task-record.ts';

const PROMPT_MAX = 2500;
/**
 * The form's custom_id: this prefix and the menu interaction's id (a snowflake, at most 20 digits), which is
 * the store key of the chosen picture: far within Discord's 100 characters, and still valid after a restart.
 */
export const ANIMATE_FORM_PREFIX = 'animate-form:';
const FIELD = { prompt: 'prompt', duration: 'duration', negativePrompt: 'negative_prompt' } as const;

// Context-menu names may hold capitals and spaces; Discord shows this one under Apps.
const data = named(new ContextMenuCommandBuilder().setName('Animate'))
  .setType(ApplicationCommandType.Message)
  .setContexts(InteractionContextType.Guild)
  .setIntegrationTypes(ApplicationIntegrationType.GuildInstall);

async function execute(interaction: MessageContextMenuCommandInteraction, context: CommandContext): Promise<void> {
  const guildId = interaction.guildId;
  const picture = firstPicture({ attachments: interaction.targetMessage.attachments.values(), embeds: interaction.targetMessage.embeds });
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
  const prompt = new TextInputBuilder()
    .setCustomId(FIELD.prompt)
    .setStyle(TextInputStyle.Paragraph)
    .setRequired(true)
    .setMinLength(1)
    .setMaxLength(PROMPT_MAX)
    .setPlaceholder(texts.promptPlaceholder);
  const duration = new TextInputBuilder()
    .setCustomId(FIELD.duration)
    .setStyle(TextInputStyle.Short)
    .setRequired(false)
    .setMaxLength(10)
    .setPlaceholder(texts.durationPlaceholder);
  if (defaults.duration !== undefined) duration.setValue(defaults.duration);
  const negativePrompt = new TextInputBuilder()
    .setCustomId(FIELD.negativePrompt)
    .setStyle(TextInputStyle.Paragraph)
    .setRequired(false)
    .setMaxLength(PROMPT_MAX)
    .setPlaceholder(texts.negativePromptPlaceholder);
  if (defaults.negativePrompt !== undefined) negativePrompt.setValue(defaults.negativePrompt);
  return new ModalBuilder()
    .setCustomId(customId)
    .setTitle(texts.title)
    .addLabelComponents(
      new LabelBuilder().setLabel(texts.prompt).setTextInputComponent(prompt),
      new LabelBuilder().setLabel(texts.duration).setTextInputComponent(duration),
      new LabelBuilder().setLabel(texts.negativePrompt).setTextInputComponent(negativePrompt),
    );
}

/** An empty optional field means "my default": undefined here, filled in from the member's defaults after. */
const emptyAsUndefined = (value: string) => (value.trim() === '' ? undefined : value.trim());

// The form's fields come from outside, like slash options: checked again here whatever Discord enforced.
const formSchema = z.object({
  prompt: z.string().trim().min(1).max(PROMPT_MAX),
  // "10", "10 s" and "10s" all mean ten seconds: what people type on a phone keyboard.
  duration: z
    .string()
    .transform(emptyAsUndefined)
    .pipe(
      z
        .string()
        .transform((v) => v.replace(/\s*s(ec(onds?)?)?$/i, ''))
        .pipe(videoDurationSchema)
        .optional(),
    ),
  negativePrompt: z.string().transform(emptyAsUndefined).pipe(z.string().max(PROMPT_MAX).optional()),
});

async function submit(interaction: ModalSubmitInteraction, context: CommandContext): Promise<void> {
  const form = formSchema.safeParse({
    prompt: interaction.fields.getTextInputValue(FIELD.prompt),
    duration: interaction.fields.getTextInputValue(FIELD.duration),
    negativePrompt: interaction.fields.getTextInputValue(FIELD.negativePrompt),
  });
  if (!form.success) {
    const path = form.error.issues[0]?.path ?? [];
    const content = path.includes('duration')
      ? menuRefusalText('duration', localeOf(interaction))
      : optionProblemText(
          { field: path.includes('negativePrompt') ? 'negative_prompt' : 'prompt', max: PROMPT_MAX },
          localeOf(interaction),
        );
    await interaction.reply({ content, flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
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
  const defaults = await context.memberDefaults.defaultsFor({ guildId: picture.guildId, userId: picture.userId });
  const negativePrompt = form.data.negativePrompt ?? defaults.negativePrompt;
  const options = animateOptionsSchema.parse({
    prompt: form.data.prompt,
    duration: form.data.duration ?? defaults.duration ?? BOT_DEFAULTS.duration,
    cfgScale: defaults.cfgScale ?? BOT_DEFAULTS.cfgScale,
    ...(negativePrompt !== undefined ? { negativePrompt } : {}),
  });

  // The one request /animate makes: units reserved first, so a refusal stays private; then the deferral.
  const outcome = await context.animations.request({
    requester: { userId: interaction.user.id, guildId: picture.guildId, channelId: picture.channelId, roleIds: memberRoleIds(interaction) },
    locale: localeOf(interaction),
    reply: replyHandleOf(interaction),
    options,
    image: picture.image,
    acknowledge: async () => {
      await interaction.deferReply();
    },
  });
  if (outcome.kind === 'refused') {
    await interaction.reply({
      content: refusalText(outcome.refusal, outcome.period, localeOf(interaction)),
      flags: MessageFlags.Ephemeral,
      allowedMentions: { parse: [] },
    });
  }
}

async function answerPrivately(
  interaction: MessageContextMenuCommandInteraction | ModalSubmitInteraction,
  refusal: MenuRefusal,
): Promise<void> {
  await interaction.reply({
    content: menuRefusalText(refusal, localeOf(interaction)),
    flags: MessageFlags.Ephemeral,
    allowedMentions: { parse: [] },
  });
}

export const animateMessageCommand: MessageCommand = { data, preconditions: ['guild_only'], execute };

export const animateFormHandler: ModalHandler = { prefix: ANIMATE_FORM_PREFIX, execute: submit };
