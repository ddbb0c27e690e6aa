/**
 * The buttons under a delivered video: Re-roll (the same picture and options again), Remix (a form with the
 * prompts to edit), 10 s version, and Delete. Anyone may ask for another video and pays for it from their own
 * quota (the one request, refused privately like /animate); only the member who asked, or someone who can
 * manage messages, may delete one. Every answer comes within Discord's 3 seconds: a few store reads first.
 */
import {
  DiscordAPIError,
  PermissionFlagsBits,
  RESTJSONErrorCodes,
  type ButtonInteraction,
  type ModalBuilder,
  type ModalSubmitInteraction,
} from 'discord.js';
import { rerollableVideo, rerollAnimation, type RerollOutcome, type RerollRequest } from '../src/animation/reroll-animation.ts';
import { localeOf } from '../src/discord/interaction-locale.ts';
import { deleteRefusalText, remixFormTexts, rerollRefusalText } from '../src/catalogue/render-buttons.ts';
import { promptFormProblemText } from '../src/catalogue/render-menu.ts';
import type { ButtonHandler, CommandContext, ModalHandler } from '../src/discord/command.ts';
import { promptForm, readPromptForm } from '../src/discord/prompt-form.ts';
import { privately, quotaRefusalAnswer, requesterOf } from '../src/discord/request-reply.ts';
import { RESULT_BUTTON_PREFIX } from '../src/discord/result-buttons.ts';
import type { AnimateOptions } from '../src/tasks/task-record.ts';

/** The Remix form's custom_id: this prefix and the video's task id (the key; the prompts are in its record). */
export const REMIX_FORM_PREFIX = 'animate-remix-form:';

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
            // A new message of its own (the press's deferred reply): the video it came from stays as it is.
            ...requesterOf(interaction, { guildId, channelId: interaction.channelId ?? '' }),
            ...(change ? { change } : {}),
          },
        );
  if (outcome.kind === 'accepted') return;
  await interaction.reply(
    outcome.kind === 'refused'
      ? quotaRefusalAnswer(outcome, interaction)
      : privately(rerollRefusalText(outcome.why, localeOf(interaction))),
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
  return promptForm({ customId, texts, values: { prompt: options.prompt, negativePrompt } });
}

async function submitRemix(interaction: ModalSubmitInteraction, context: CommandContext): Promise<void> {
  const form = readPromptForm(interaction.fields, { withDuration: false });
  if (!form.ok) {
    await interaction.reply(privately(promptFormProblemText(form.problem, localeOf(interaction))));
    return;
  }
  // An emptied "what to avoid" means the presser's own default, as everywhere else.
  const negativePrompt =
    form.answer.negativePrompt ??
    (interaction.guildId === null
      ? undefined
      : (await context.memberDefaults.defaultsFor({ guildId: interaction.guildId, userId: interaction.user.id })).negativePrompt);
  await requestAgain(interaction, context, taskIdAfter(REMIX_FORM_PREFIX, interaction.customId), (options) => {
    const { negativePrompt: _previous, ...rest } = options;
    return { ...rest, prompt: form.answer.prompt, ...(negativePrompt !== undefined ? { negativePrompt } : {}) };
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

// A video sent by direct message carries this button only, and it is pressed there: no server, nothing spent.
export const animateDeleteButton: ButtonHandler = { prefix: RESULT_BUTTON_PREFIX.delete, inDirectMessages: true, execute: deleteVideo };
