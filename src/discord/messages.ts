/** Every text the bot shows on Discord, in one place. Content stays under Discord's 2000-character limit. */
import { escapeMarkdown, time, TimestampStyles } from 'discord.js';
import type { ReplyView } from '../tasks/reply-port.ts';

/** Shown prompts are cut to about this many characters: a 2500-character prompt must fit in one message. */
export const PROMPT_PREVIEW_CHARS = 200;

/** A prompt as it appears in a message: short, markdown escaped, mentions defused. */
export function promptPreview(prompt: string): string {
  const flat = prompt.replace(/\s+/g, ' ').trim();
  const cut = flat.length > PROMPT_PREVIEW_CHARS ? `${flat.slice(0, PROMPT_PREVIEW_CHARS - 1).trimEnd()}…` : flat;
  // A zero-width space after @ and inside <@ ... > stops Discord rendering mention syntax at all.
  return escapeMarkdown(cut)
    .replace(/@/g, '@\u200b')
    .replace(/<(?=[@#])/g, '<\u200b');
}

const timestamp = (ms: number) => time(Math.round(ms / 1000), TimestampStyles.RelativeTime);

function formatMegabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** The text of the member's reply for each view; `prompt` is shown beneath as context. */
export function replyText(view: ReplyView, prompt: string): string {
  const quoted = `> ${promptPreview(prompt)}`;
  switch (view.kind) {
    case 'checking':
      return `🔍 Checking your picture…\n${quoted}`;
    case 'waiting':
      return `⏳ Waiting for the video service to start…\n${quoted}`;
    case 'waiting_turn':
      return view.paused
        ? `⏸️ Video generation is paused for a few minutes; yours will start when it resumes.\n${quoted}`
        : `⏳ Waiting for your previous video to finish (${ordinal(view.position)} in line). Your units are held for it.\n${quoted}`;
    case 'generating': {
      const parts = ['🎬 Generating your video…'];
      if (view.progressPercent !== undefined) parts.push(`${Math.floor(view.progressPercent)}%`);
      if (view.etaAt !== undefined) parts.push(`ready ${timestamp(view.etaAt)}`);
      return `${parts.join(' ')}\n${quoted}`;
    }
    case 'delivering':
      return `📦 Delivering your video…\n${quoted}`;
    case 'video':
      return `🎬 Here is your video!\n${quoted}`;
    case 'video_link': {
      const size = view.sizeBytes !== undefined ? `at ${formatMegabytes(view.sizeBytes)} ` : '';
      const why = view.cannotAttach
        ? "the bot isn't allowed to attach files in this channel"
        : `${size}it is larger than this server's ${formatMegabytes(view.limitBytes)} upload limit`;
      return `🎬 Your video is ready, but ${why}.\nDownload it here (the link expires ${timestamp(view.expiresAt)}): ${view.url}\n${quoted}`;
    }
    case 'failed':
      return `❌ ${view.message}${refundNote(view.refundedUnits)}\n${quoted}`;
    case 'image_refused':
      return `❌ ${view.message}${refundNote(view.refundedUnits)}`;
  }
}

export function unitsText(units: number): string {
  return units === 1 ? '1 unit' : `${units} units`;
}

function refundNote(units: number | undefined): string {
  if (units === undefined) return '';
  return units > 0 ? ` Your ${unitsText(units)} ${units === 1 ? 'was' : 'were'} refunded.` : '';
}

function ordinal(n: number): string {
  const suffix = n % 100 >= 11 && n % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}

/** Prefix for a reply that had to be posted in the channel because the interaction token expired. */
export function lateDeliveryPrefix(userId: string): string {
  return `<@${userId}> `;
}

export function genericApology(ref: string): string {
  return `❌ Something went wrong on our side (ref ${ref}). Please try again in a moment.`;
}
