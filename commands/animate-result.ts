/**
 * The buttons under a delivered video: Re-roll (the same picture and options again), Remix (a form with the
 * prompts to edit), 10 s version, and Delete. Anyone may ask for another video and pays for it from their own
 * quota (the one request, refused privately like /animate); only the member who asked, or someone who can
 * manage messages, may delete one. Every answer comes within Discord's 3 seconds: a few store reads first.
 */
import {
  DiscordAPIError,
  LabelBuilder,
  MessageFlags,
  ModalBuilder,
  PermissionFlagsBits,
  RESTJSONErrorCodes,
  TextInputBuilder,
  TextInputStyle,
  type ButtonInteraction,
  type ModalSubmitInteraction,
} from 'discord.js';
import { z } from 'zod';
import { rerollableVideo, rerollAnimation, type RerollOutcome, type RerollRequest } from '../src/animation/reroll-animation.ts';
import { localeOf } from '../src/discord/interaction-locale.ts';
import { deleteRefusalText, remixFormTexts, rerollRefusalText } from '../src/catalogue/render-buttons.ts';
import { refusalText } from '../src/catalogue/render-quota.ts';
import { optionProblemText } from '../src/catalogue/render-reply.ts';
import type { ButtonHandler, CommandContext, ModalHandler } from '../src/discord/command.ts';
import { memberRoleIds } from '../src/discord/member-roles.ts';
import { replyHandleOf } from '../src/discord/reply-handle.ts';
import { RESULT_BUTTON_PREFIX } from '../src/discord/result-buttons.ts';
import type { AnimateOptions } from '../src/tasks/task-record.ts';

const PROMPT_MAX = 2500;
/** The Remix form's custom_id: this prefix and the video's task id (the key; the prompts are in its record). */
export const REMIX_FORM_PREFIX = 'animate-remix-form:';
const FIELD = { prompt: 'prompt', negativePrompt: 'negative_prompt' } as const;

const privately = (content: string) => ({ content, flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } }) as const;

/** Asks for another video of the one the button is under, for the member who pressed it. */
async function requestAgain(
  interaction: ButtonInteraction | ModalSubmitInteraction,
  context: CommandContext,
  taskId: string,
  change?: RerollRequest['change'],
): Promise<void> {
  const guildId = interaction.guildId;
  const outcome: RerollOutcome =
    guildId === null
      ? { kind: 'cannot_reroll', why: 'not_found' }
      : await rerollAnimation(
          { tasks: context.tasks, pictures: context.keptPictures, animations: context.animations },
          {
            taskId,
            requester: {
              userId: interaction.user.id,
              guildId,
              channelId: interaction.channelId ?? '',
              roleIds: memberRoleIds(interaction),
            },
            locale: localeOf(interaction),
            // A new message of its own (the press's deferred reply): the video it came from stays as it is.
            reply: replyHandleOf(interaction),
            acknowledge: async () => {
              await interaction.deferReply();
            },
            ...(change ? { change } : {}),
          },
        );
  if (outcome.kind === 'accepted') return;
  await interaction.reply(
    privately(
      outcome.kind === 'refused'
        ? refusalText(outcome.refusal, outcome.period, localeOf(interaction))
        : rerollRefusalText(outcome.why, localeOf(interaction)),
    ),
  );
}

const taskIdAfter = (prefix: string, customId: string) => customId.slice(prefix.length);

export const animateRerollButton: ButtonHandler = {
  prefix: RESULT_BUTTON_PREFIX.reroll,
  execute: (interaction, context) => requestAgain(interaction, context, taskIdAfter(RESULT_BUTTON_PREFIX.reroll, interaction.customId)),
};

export const animateTenSecondsButton: ButtonHandler = {
  prefix: RESULT_BUTTON_PREFIX.tenSeconds,
  execute: (interaction, context) =>
    requestAgain(interaction, context, taskIdAfter(RESULT_BUTTON_PREFIX.tenSeconds, interaction.customId), (options) => ({
      ...options,
      duration: '10',
    })),
};

/** Remix: a form prefilled with the video's prompt and negative prompt (or the presser's default one). */
async function remix(interaction: ButtonInteraction, context: CommandContext): Promise<void> {
  const taskId = taskIdAfter(RESULT_BUTTON_PREFIX.remix, interaction.customId);
  const guildId = interaction.guildId;
  const found =
    guildId === null
      ? ({ why: 'not_found' } as const)
      : await rerollableVideo({ tasks: context.tasks, pictures: context.keptPictures }, taskId, guildId);
  if ('why' in found) {
    await interaction.reply(privately(rerollRefusalText(found.why, localeOf(interaction))));
    return;
  }
  const { options } = found.video;
  const defaults = await context.memberDefaults.defaultsFor({ guildId: found.video.requester.guildId, userId: interaction.user.id });
  await interaction.showModal(
    remixForm(`${REMIX_FORM_PREFIX}${taskId}`, options, options.negativePrompt ?? defaults.negativePrompt, localeOf(interaction)),
  );
}

function remixForm(customId: string, options: AnimateOptions, negativePrompt: string | undefined, locale: string): ModalBuilder {
  const texts = remixFormTexts(locale);
  const prompt = new TextInputBuilder()
    .setCustomId(FIELD.prompt)
    .setStyle(TextInputStyle.Paragraph)
    .setRequired(true)
    .setMinLength(1)
    .setMaxLength(PROMPT_MAX)
    .setValue(options.prompt);
  const negative = new TextInputBuilder()
    .setCustomId(FIELD.negativePrompt)
    .setStyle(TextInputStyle.Paragraph)
    .setRequired(false)
    .setMaxLength(PROMPT_MAX)
    .setPlaceholder(texts.negativePromptPlaceholder);
  if (negativePrompt !== undefined) negative.setValue(negativePrompt);
  return new ModalBuilder()
    .setCustomId(customId)
    .setTitle(texts.title)
    .addLabelComponents(
      new LabelBuilder().setLabel(texts.prompt).setTextInputComponent(prompt),
      new LabelBuilder().setLabel(texts.negativePrompt).setTextInputComponent(negative),
    );
}

// The form's fields come from outside: checked again whatever Discord enforced.
const remixSchema = z.object({
  prompt: z.string().trim().min(1).max(PROMPT_MAX),
  negativePrompt: z
    .string()
    .trim()
    .transform((v) => (v === '' ? undefined : v))
    .pipe(z.string().max(PROMPT_MAX).optional()),
});

async function submitRemix(interaction: ModalSubmitInteraction, context: CommandContext): Promise<void> {
  const form = remixSchema.safeParse({
    prompt: interaction.fields.getTextInputValue(FIELD.prompt),
    negativePrompt: interaction.fields.getTextInputValue(FIELD.negativePrompt),
  });
  if (!form.success) {
    const path = form.error.issues[0]?.path ?? [];
    const field = path.includes('negativePrompt') ? 'negative_prompt' : 'prompt';
    await interaction.reply(privately(optionProblemText({ field, max: PROMPT_MAX }, localeOf(interaction))));
    return;
  }
  // An emptied "what to avoid" means the presser's own default, as everywhere else.
  const negativePrompt =
    form.data.negativePrompt ??
    (interaction.guildId === null
      ? undefined
      : (await context.memberDefaults.defaultsFor({ guildId: interaction.guildId, userId: interaction.user.id })).negativePrompt);
  await requestAgain(interaction, context, taskIdAfter(REMIX_FORM_PREFIX, interaction.customId), (options) => {
    const { negativePrompt: _previous, ...rest } = options;
    return { ...rest, prompt: form.data.prompt, ...(negativePrompt !== undefined ? { negativePrompt } : {}) };
  });
}

export const animateRemixButton: ButtonHandler = { prefix: RESULT_BUTTON_PREFIX.remix, execute: remix };
export const animateRemixForm: ModalHandler = { prefix: REMIX_FORM_PREFIX, execute: submitRemix };

/**
 * Delete: removes the message the button is on and the picture kept for its buttons, and /animate-history no
 * longer sends the video again. Never refunds: the video was made and paid for.
 */
async function deleteVideo(interaction: ButtonInteraction, context: CommandContext): Promise<void> {
  const taskId = taskIdAfter(RESULT_BUTTON_PREFIX.delete, interaction.customId);
  const video = await context.tasks.get(taskId);
  const asked = video?.requester.userId === interaction.user.id;
  const mayManage = interaction.memberPermissions?.has(PermissionFlagsBits.ManageMessages) ?? false;
  if (!asked && !mayManage) {
    await interaction.reply(privately(deleteRefusalText(localeOf(interaction))));
    return;
  }
  // A component's deferred update makes its message the interaction's own: deleting it needs no channel permission.
  await interaction.deferUpdate();
  await context.keptPictures.erase(taskId);
  await context.deletedVideos.remember(taskId);
  try {
    await interaction.deleteReply();
  } catch (error) {
    // Pressed twice (or by two moderators at once): the message is already gone, which is what was asked.
    if (!(error instanceof DiscordAPIError && error.code === RESTJSONErrorCodes.UnknownMessage)) throw error;
  }
  context.logger.info('video deleted', { taskId, by: asked ? 'requester' : 'moderator' });
}

export const animateDeleteButton: ButtonHandler = { prefix: RESULT_BUTTON_PREFIX.delete, execute: deleteVideo };
