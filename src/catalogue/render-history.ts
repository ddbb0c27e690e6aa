/**
 * /animate-history (a member's recent generations in one server, their states, when), the answer to sending
 * one of them again, and the words of the "Try again" button after an unknown submission outcome.
 */
import type { ResendOutcome, ResendRefusal } from '../animation/resend-video.ts';
import type { RetryRefusal } from '../animation/retry-animation.ts';
import { isPictureProblem } from '../outcomes.ts';
import type { TaskRecord } from '../tasks/task-record.ts';
import { catalogue, type Catalogue } from './catalogue.ts';
import { fitMessage, MESSAGE_MAX_CHARS, relativeTime } from './formats.ts';
import { promptPreview, replyText } from './render-reply.ts';

/**
 * How much of each prompt a history line quotes, longest first: ten lines must fit in one message, and an
 * escaped prompt (markdown, defused mentions) can be twice as long as it was typed.
 */
const HISTORY_PROMPT_CHARS = [80, 40] as const;

/**
 * The member's history, newest first, numbered from 1 as the re-send buttons are; `resendable` says which of
 * them can be sent again (the hint is shown only when one can).
 */
export function historyText(
  records: readonly TaskRecord[],
  resendable: (record: TaskRecord) => boolean,
  locale: string | undefined,
): string {
  const c = catalogue(locale);
  if (records.length === 0) return c.t('history.empty');
  const render = (promptChars: number) => {
    const lines = records.map((record, index) =>
      c.t('history.line', {
        number: index + 1,
        state: stateText(c, record),
        when: relativeTime(record.createdAt),
        prompt: promptPreview(record.options.prompt, promptChars),
      }),
    );
    const hint = records.some(resendable) ? [c.t('history.resend_hint')] : [];
    return [c.t('history.header', { count: records.length }), ...lines, ...hint].join('\n');
  };
  let text = '';
  for (const chars of HISTORY_PROMPT_CHARS) {
    text = render(chars);
    if (text.length <= MESSAGE_MAX_CHARS) return text;
  }
  return fitMessage(text);
}

/** A generation's state, in the words a member uses. */
function stateText(c: Catalogue, record: TaskRecord): string {
  switch (record.state) {
    case 'waiting':
      return c.t('history.state.waiting');
    case 'received':
    case 'checking':
    case 'submitting':
    case 'queued':
    case 'processing':
    case 'downloading':
    case 'delivering':
      return c.t('history.state.making');
    case 'delivered':
    case 'undelivered':
      return c.t(`history.state.${record.state}`);
    case 'failing':
    case 'failed':
      if (record.failure.kind === 'cancelled' || record.failure.kind === 'submit_unknown') {
        return c.t(`history.state.${record.failure.kind}`);
      }
      return isPictureProblem(record.failure) ? c.t('history.state.picture_refused') : c.t('history.state.failed');
  }
}

/** The label of the button that sends history entry `number` again. */
export function resendButtonLabel(number: number, locale: string | undefined): string {
  return catalogue(locale).t('history.resend_button', { number });
}

/** The private answer to a re-send: the video (or its link), or why it was not sent. */
export function resendText(outcome: ResendOutcome, locale: string | undefined): string {
  if (outcome.kind === 'not_sent') return resendRefusalText(outcome.why, locale);
  if (outcome.view.kind === 'video') {
    const c = catalogue(locale);
    return c.t('reply.with_prompt', { text: c.t('resend.video'), prompt: promptPreview(outcome.prompt) });
  }
  return replyText(outcome.view, outcome.prompt, locale);
}

function resendRefusalText(why: ResendRefusal, locale: string | undefined): string {
  return catalogue(locale).t(`resend.${why}`);
}

export function retryButtonLabel(locale: string | undefined): string {
  return catalogue(locale).t('retry.button');
}

/** Why pressing "Try again" asked for nothing (a refusal by the quota is worded by render-quota). */
export function retryRefusalText(why: RetryRefusal, locale: string | undefined): string {
  return catalogue(locale).t(`retry.${why}`);
}
