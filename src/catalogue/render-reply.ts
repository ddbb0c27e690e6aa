/**
 * The member's reply in every state of a request (src/tasks/reply-port.ts), and the short answers around
 * it: the Cancel button, what cancelling did, a bad /animate option, the apology for an unexpected error.
 */
import { channelMention, escapeMarkdown, userMention } from 'discord.js';
import type { ReplyView } from '../tasks/reply-port.ts';
import { catalogue, type Catalogue } from './catalogue.ts';
import { localCommandName } from './command-texts.ts';
import { megabytesText, oneLine, relativeTime } from './formats.ts';
import { renderFailure } from './render-failure.ts';
import type { CancelOutcome } from '../tasks/task-tracker.ts';

/** Shown prompts are cut to about this many characters: a 2500-character prompt must fit in one message. */
export const PROMPT_PREVIEW_CHARS = 200;

/** A prompt as it appears in a message: short (`maxChars` before escaping), markdown escaped, mentions defused. */
export function promptPreview(prompt: string, maxChars = PROMPT_PREVIEW_CHARS): string {
  // A zero-width space after @ and inside <@ ... > stops Discord rendering mention syntax at all.
  return escapeMarkdown(oneLine(prompt, maxChars))
    .replace(/@/g, '@\u200b')
    .replace(/<(?=[@#])/g, '<\u200b');
}

/** The text of the member's reply for each view, in their locale; `prompt` is quoted beneath as context. */
export function replyText(view: ReplyView, prompt: string, locale: string | undefined): string {
  const c = catalogue(locale);
  const text = viewText(view, c);
  // A refused picture is answered privately, alone: nothing public should remain of the request.
  if (view.kind === 'image_refused') return text;
  return c.t('reply.with_prompt', { text, prompt: promptPreview(prompt) });
}

function viewText(view: ReplyView, c: Catalogue): string {
  switch (view.kind) {
    case 'checking':
    case 'waiting':
    case 'delivering':
    case 'still_working':
      return c.t(`progress.${view.kind}`);
    case 'waiting_turn':
      return view.paused
        ? c.t('progress.paused')
        : c.t('progress.waiting_turn', { position: c.t('number.ordinal', { count: view.position }) });
    case 'generating': {
      const percent = view.progressPercent === undefined ? undefined : Math.floor(view.progressPercent);
      const eta = view.etaAt === undefined ? undefined : relativeTime(view.etaAt);
      if (percent !== undefined && eta !== undefined) return c.t('progress.generating_percent_eta', { percent, eta });
      if (percent !== undefined) return c.t('progress.generating_percent', { percent });
      if (eta !== undefined) return c.t('progress.generating_eta', { eta });
      return c.t('progress.generating');
    }
    case 'video':
      return c.t('final.video');
    case 'video_link': {
      const link = { expires: relativeTime(view.expiresAt), url: view.url, limit: megabytesText(c, view.limitBytes) };
      if (view.cannotAttach) return c.t('final.video_link_cannot_attach', link);
      if (view.sizeBytes === undefined) return c.t('final.video_link_too_large', link);
      return c.t('final.video_link_too_large_sized', { ...link, size: megabytesText(c, view.sizeBytes) });
    }
    case 'failed':
    case 'image_refused': {
      const failure = renderFailure(view.failure, c.locale);
      const units = view.refundedUnits ?? 0;
      return units > 0
        ? c.t('final.failed_refunded', { failure, refund: c.t('final.refund', { count: units }) })
        : c.t('final.failed', { failure });
    }
  }
}

/** A reply posted in the channel after the interaction token expired: it mentions (and pings) the member who asked. */
export function lateDeliveryText(content: string, userId: string, locale: string | undefined): string {
  return catalogue(locale).t('reply.late_delivery', { member: userMention(userId), text: content });
}

/** A reply sent as a direct message because the bot may not post in the channel where the member asked. */
export function directDeliveryText(content: string, channelId: string, locale: string | undefined): string {
  return catalogue(locale).t('reply.direct_delivery', { text: content, channel: channelMention(channelId) });
}

export function genericApology(ref: string, locale: string | undefined): string {
  return catalogue(locale).t('reply.generic_apology', { ref });
}

/** "/animate-quota works in servers only." */
/** In a server outside ALLOWED_GUILDS. */
export function notEnabledText(locale: string | undefined): string {
  return catalogue(locale).t('reply.not_enabled');
}

/** While the bot is stopping (a restart or a deploy): the command was not taken. */
export function restartingText(locale: string | undefined): string {
  return catalogue(locale).t('reply.restarting');
}

/** What a command may declare it needs before it runs (checked by the router). */
export type Precondition = 'guild_only' | 'manage_guild';

/** Why a command did not run: a precondition it declares was not met. `/animate-admin` is named as the member's list shows it. */
export function preconditionText(unmet: Precondition, command: string, locale: string | undefined): string {
  const c = catalogue(locale);
  const shown = command.startsWith('/') ? `/${localCommandName(command.slice(1), locale)}` : command;
  return unmet === 'guild_only' ? c.t('reply.servers_only', { command: shown }) : c.t('reply.needs_manage_server', { command: shown });
}

export function cancelButtonLabel(locale: string | undefined): string {
  return catalogue(locale).t('cancel.button');
}

/** What pressing Cancel did; nothing to say when it worked (the reply itself then says it was cancelled). */
export function cancelAnswer(outcome: CancelOutcome, locale: string | undefined): string | undefined {
  return outcome === 'cancelled' ? undefined : catalogue(locale).t(`cancel.${outcome}`);
}

/** Which /animate option was not valid, and its limit. */
export type OptionProblem =
  | { field: 'prompt'; max: number }
  | { field: 'negative_prompt'; max: number }
  | { field: 'server' }
  | { field: 'image' }
  | { field: 'options' };

export function optionProblemText(problem: OptionProblem, locale: string | undefined): string {
  const c = catalogue(locale);
  switch (problem.field) {
    case 'prompt':
    case 'negative_prompt':
      return c.t(`animate.problem.${problem.field}`, { max: problem.max });
    case 'server':
    case 'image':
    case 'options':
      return c.t(`animate.problem.${problem.field}`);
  }
}

/**
 * The member's reply when the bot died after acknowledging the request and before recording it: nothing
 * reached the video service, and the units came back.
 */
export function interruptedRequestText(units: number, locale: string | undefined): string {
  const c = catalogue(locale);
  return c.t('final.interrupted', { refund: c.t('final.refund', { count: units }) });
}
