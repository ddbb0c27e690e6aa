/**
 * Delivers a task's progress and result to the member: by editing the interaction's original reply while
 * its token lives (15 minutes), and as a channel message that mentions the member after that.
 * Works from the stored task alone, so a restarted bot finishes what an earlier one started.
 */
import { ButtonStyle, ComponentType, DiscordAPIError, MessageFlags, RESTJSONErrorCodes, Routes, type REST, type RawFile } from 'discord.js';
import type { Logger } from '../logger.ts';
import type { Clock } from '../clock.ts';
import { noMetrics, type DeliveryKind, type DeliveryMetrics } from '../metrics.ts';
import type { DeliveryOutcome, FinalView, ProgressView, ReplyPort } from '../tasks/reply-port.ts';
import type { TaskRecord } from '../tasks/task-record.ts';
import { cancelButtonLabel, lateDeliveryText, replyText } from '../catalogue/render-reply.ts';
import { finalComponents } from './retry-button.ts';

/** Discord: the token works for 15 minutes; stop using it a little early so a slow upload does not straddle. */
const TOKEN_LIFETIME_MS = 14 * 60_000;

/** Errors meaning the reply cannot be edited any more (token expired, reply deleted). */
const REPLY_GONE_CODES: ReadonlySet<number> = new Set([
  RESTJSONErrorCodes.InvalidWebhookToken,
  RESTJSONErrorCodes.UnknownWebhook,
  RESTJSONErrorCodes.UnknownMessage,
  RESTJSONErrorCodes.UnknownInteraction,
]);
/** Errors meaning the bot cannot post in that channel at all. */
const CHANNEL_CLOSED_CODES: ReadonlySet<number> = new Set([
  RESTJSONErrorCodes.UnknownChannel,
  RESTJSONErrorCodes.MissingAccess,
  RESTJSONErrorCodes.MissingPermissions,
  RESTJSONErrorCodes.CannotSendMessagesInNonTextChannel,
]);

/** Every message the bot sends pings no one; a late delivery pings exactly the member who asked. */
const noMentions = { parse: [] };

interface MessageBody {
  content: string;
  components?: unknown[];
  allowed_mentions: { parse: never[]; users?: string[] };
  attachments?: { id: number; filename: string }[];
  flags?: number;
}

export class DiscordReplies implements ReplyPort {
  readonly #rest: REST;
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #metrics: DeliveryMetrics;
  /** Tasks whose reply was deleted, so progress stops editing it (kept in memory: after a restart one failed edit finds out again). */
  readonly #goneReplies = new Set<string>();

  constructor(rest: REST, logger: Logger, clock: Clock, metrics: DeliveryMetrics = noMetrics) {
    this.#rest = rest;
    this.#logger = logger;
    this.#clock = clock;
    this.#metrics = metrics;
  }

  async showProgress(task: TaskRecord, view: ProgressView): Promise<void> {
    // Progress after the token expired would need channel messages: noise the member did not ask for.
    if (!this.#tokenAlive(task) || this.#goneReplies.has(task.id)) return;
    try {
      await this.#editOriginal(task, {
        content: replyText(view, task.options.prompt, task.locale),
        allowed_mentions: noMentions,
        // Only a generation still waiting its turn can be cancelled (nothing has been paid for yet).
        components: view.kind === 'waiting_turn' && !view.paused ? [cancelRow(task)] : [],
      });
    } catch (error) {
      if (!isDiscordError(error, REPLY_GONE_CODES)) throw error;
      // Deleted by the member or a moderator: stop editing it; the result goes to the channel instead.
      this.#goneReplies.add(task.id);
    }
  }

  async deliver(task: TaskRecord, view: FinalView): Promise<DeliveryOutcome> {
    if (view.kind === 'image_refused') return this.#refuseImage(task, view);
    const content = replyText(view, task.options.prompt, task.locale);
    const files: RawFile[] = view.kind === 'video' ? [{ name: view.filename, data: view.video, contentType: 'video/mp4' }] : [];
    const components = finalComponents(task, view);
    if (this.#tokenAlive(task) && !this.#goneReplies.has(task.id)) {
      try {
        await this.#editOriginal(task, { content, allowed_mentions: noMentions, components, ...attachmentsOf(files) }, files);
        return this.#counted('delivered', view.kind === 'video_link' ? 'link' : 'edit');
      } catch (error) {
        if (!isDiscordError(error, REPLY_GONE_CODES)) throw error;
        this.#logger.info('reply can no longer be edited, posting in the channel', { taskId: task.id, code: error.code });
      }
    }
    this.#goneReplies.delete(task.id);
    const outcome = await this.#postInChannel(task, content, files);
    if (outcome === 'undeliverable' && files.length > 0 && view.kind === 'video' && view.link) {
      // The bot may post but not attach files there: the link still gets the video to the member.
      this.#logger.info('posting the video link instead of the file', { taskId: task.id });
      const link = replyText({ kind: 'video_link', ...view.link, cannotAttach: true }, task.options.prompt, task.locale);
      return this.#counted(await this.#postInChannel(task, link, []), 'link');
    }
    return this.#counted(outcome, view.kind === 'video_link' ? 'link' : 'channel');
  }

  /** Counts a final answer that reached the member, by how it did. */
  #counted(outcome: DeliveryOutcome, kind: DeliveryKind): DeliveryOutcome {
    if (outcome === 'delivered') this.#metrics.delivered(kind);
    return outcome;
  }

  async #refuseImage(task: TaskRecord, view: Extract<FinalView, { kind: 'image_refused' }>): Promise<DeliveryOutcome> {
    if (!this.#tokenAlive(task)) return 'undeliverable';
    const { applicationId, token } = task.interaction;
    try {
      // Ephemeral follow-up first: the member must learn why before the public placeholder disappears.
      await this.#rest.post(Routes.webhook(applicationId, token), {
        auth: false,
        body: { content: replyText(view, task.options.prompt, task.locale), flags: MessageFlags.Ephemeral, allowed_mentions: noMentions },
      });
    } catch (error) {
      if (isDiscordError(error, REPLY_GONE_CODES)) return 'undeliverable';
      throw error;
    }
    try {
      await this.#rest.delete(Routes.webhookMessage(applicationId, token, '@original'), { auth: false });
    } catch (error) {
      // The member has been told. Throwing now would make the tracker send the follow-up again; a placeholder
      // left behind (or already deleted by the member) is the lesser harm.
      if (!isDiscordError(error, REPLY_GONE_CODES)) {
        this.#logger.warn('could not remove the placeholder of a refused picture', { taskId: task.id, error });
      }
    }
    return this.#counted('delivered', 'private');
  }

  async #postInChannel(task: TaskRecord, content: string, files: RawFile[]): Promise<DeliveryOutcome> {
    const { channelId, userId } = task.requester;
    try {
      await this.#rest.post(Routes.channelMessages(channelId), {
        body: {
          content: lateDeliveryText(content, userId, task.locale),
          allowed_mentions: { parse: [], users: [userId] },
          ...attachmentsOf(files),
        } satisfies MessageBody,
        files,
      });
      return 'delivered';
    } catch (error) {
      if (
        isDiscordError(error, CHANNEL_CLOSED_CODES) ||
        (error instanceof DiscordAPIError && (error.status === 403 || error.status === 404))
      ) {
        this.#logger.warn('cannot post in the channel; task undeliverable', { taskId: task.id, code: error.code });
        return 'undeliverable';
      }
      throw error;
    }
  }

  async #editOriginal(task: TaskRecord, body: MessageBody, files: RawFile[] = []): Promise<void> {
    const { applicationId, token } = task.interaction;
    await this.#rest.patch(Routes.webhookMessage(applicationId, token, '@original'), { auth: false, body, files });
  }

  #tokenAlive(task: TaskRecord): boolean {
    return this.#clock.now() - task.interaction.createdAt < TOKEN_LIFETIME_MS;
  }
}

/** A component's custom_id holds at most 100 characters: the task id is the key, its state is in the store. */
export const CANCEL_BUTTON_PREFIX = 'animate-cancel:';

function cancelRow(task: TaskRecord) {
  return {
    type: ComponentType.ActionRow,
    components: [
      {
        type: ComponentType.Button,
        style: ButtonStyle.Secondary,
        label: cancelButtonLabel(task.locale),
        custom_id: `${CANCEL_BUTTON_PREFIX}${task.id}`,
      },
    ],
  };
}

function attachmentsOf(files: RawFile[]): Pick<MessageBody, 'attachments'> {
  return files.length > 0 ? { attachments: files.map((file, id) => ({ id, filename: file.name })) } : {};
}

function isDiscordError(error: unknown, codes: ReadonlySet<number>): error is DiscordAPIError {
  return error instanceof DiscordAPIError && typeof error.code === 'number' && codes.has(error.code);
}
