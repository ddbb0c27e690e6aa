/**
 * Delivers a task's progress and result to the member: by editing the interaction's original reply while
 * its token lives (15 minutes); after that, or when the reply is gone, as a channel message that mentions
 * the member; when the channel is closed to the bot, as a direct message.
 * Works from the stored task alone, so a restarted bot finishes what an earlier one started.
 */
import { createHash } from 'node:crypto';
import { openAsBlob } from 'node:fs';
import { ButtonStyle, ComponentType, DiscordAPIError, MessageFlags, RESTJSONErrorCodes, Routes, type REST } from 'discord.js';
import { z } from 'zod';
import type { Logger } from '../logger.ts';
import type { Clock } from '../clock.ts';
import { ConcurrencyLimit } from '../concurrency-limit.ts';
import { noMetrics, type DeliveryKind, type DeliveryMetrics } from '../metrics.ts';
import type { Delivery, DeliveryOutcome, FinalView, PostedMessage, ProgressView, ReplyPort } from '../tasks/reply-port.ts';
import type { TaskRecord } from '../tasks/task-record.ts';
import type { VideoFile } from '../videos/video-files.ts';
import { cancelButtonLabel, directDeliveryText, lateDeliveryText, replyText } from '../catalogue/render-reply.ts';
import { resultComponents, type DeliveryPlace } from './result-buttons.ts';
import { finalComponents } from './retry-button.ts';

/** Discord: the token works for 15 minutes; stop using it a little early so a slow upload does not straddle. */
export const TOKEN_LIFETIME_MS = 14 * 60_000;

/** Errors meaning the reply cannot be edited any more (token expired, reply deleted). */
export const REPLY_GONE_CODES: ReadonlySet<number> = new Set([
  RESTJSONErrorCodes.InvalidWebhookToken,
  RESTJSONErrorCodes.UnknownWebhook,
  RESTJSONErrorCodes.UnknownMessage,
  RESTJSONErrorCodes.UnknownInteraction,
]);
/** Errors meaning the bot cannot post there (at all, or not this file). */
const POST_REFUSED_CODES: ReadonlySet<number> = new Set([
  RESTJSONErrorCodes.UnknownChannel,
  RESTJSONErrorCodes.MissingAccess,
  RESTJSONErrorCodes.MissingPermissions,
  RESTJSONErrorCodes.CannotSendMessagesInNonTextChannel,
  RESTJSONErrorCodes.CannotSendMessagesToThisUser,
  RESTJSONErrorCodes.CannotSendMessagesToThisUserDueToHavingNoMutualGuilds,
  RESTJSONErrorCodes.RequestEntityTooLarge,
]);
/** Discord found the body invalid (too long a text, a bad field): sending the same body again cannot work. */
const INVALID_BODY_CODES: ReadonlySet<number> = new Set([RESTJSONErrorCodes.InvalidFormBodyOrContentType]);

/** Every message the bot sends pings no one; a late delivery pings exactly the member who asked. */
const noMentions = { parse: [] };

/** https://discord.com/developers/docs/resources/message#create-message-jsonform-params: a nonce is at most 25 characters. */
const NONCE_MAX_CHARS = 25;

interface MessageBody {
  content: string;
  components?: unknown[];
  allowed_mentions: { parse: never[]; users?: string[] };
  attachments?: { id: number; filename: string }[];
  flags?: number;
  /** With `enforce_nonce`, Discord answers a repeat within a few minutes with the message it already made. */
  nonce?: string;
  enforce_nonce?: boolean;
}

/**
 * Videos being uploaded at once, per bot process. Each upload streams from its file, so memory does not
 * depend on this; it keeps a burst of finished videos from splitting the uplink twenty ways (each then
 * slow enough to risk the 15-minute token) and from piling onto Discord's rate limits. Deliveries past it wait.
 */
export const UPLOADS_IN_FLIGHT = 2;

/** A video to attach, read from its file while the request is sent. */
interface Upload {
  name: string;
  file: VideoFile;
}

/** Refusals that may be about the file only (Attach Files missing, over that place's size limit). */
const FILE_REFUSED_CODES: ReadonlySet<number | string> = new Set([
  RESTJSONErrorCodes.MissingPermissions,
  RESTJSONErrorCodes.RequestEntityTooLarge,
]);

/** A post that worked (with the message Discord made), or Discord's refusal. */
type Attempt = { posted: PostedMessage | undefined } | { refused: number | string; status: number };

const createdSchema = z.object({ id: z.string().regex(/^\d{1,20}$/) });

export class DiscordReplies implements ReplyPort {
  readonly #rest: REST;
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #metrics: DeliveryMetrics;
  /** Tasks whose reply was deleted, so progress stops editing it (kept in memory: after a restart one failed edit finds out again). */
  readonly #goneReplies = new Set<string>();
  readonly #uploads = new ConcurrencyLimit(UPLOADS_IN_FLIGHT);

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

  async deliver(task: TaskRecord, view: FinalView): Promise<Delivery> {
    if (view.kind === 'image_refused') return { outcome: await this.#refuseImage(task, view) };
    if (task.delivery) {
      // Posted already (the record says so): a second post would show the member the answer twice.
      this.#logger.info('already posted; not posting again', { taskId: task.id, messageId: task.delivery.messageId });
      return { outcome: 'delivered', posted: task.delivery };
    }
    try {
      return await this.#deliverView(task, view);
    } catch (error) {
      if (!isDiscordError(error, INVALID_BODY_CODES)) throw error;
      return this.#deliverGeneric(task, view, error);
    }
  }

  /**
   * Discord refused the answer as invalid (50035): sending it again would be refused for ever. A failure
   * is told once more in its generic words, without the provider's text; anything else cannot be told.
   */
  async #deliverGeneric(task: TaskRecord, view: FinalView, refusal: DiscordAPIError): Promise<Delivery> {
    const generic = withoutProviderText(view);
    if (generic) {
      this.#logger.warn('Discord refused the final answer as invalid; sending the generic text', { taskId: task.id, error: refusal });
      try {
        return await this.#deliverView(task, generic);
      } catch (error) {
        if (!isDiscordError(error, INVALID_BODY_CODES)) throw error;
        refusal = error;
      }
    }
    this.#logger.error('Discord refuses the final answer as invalid; it cannot be shown', { taskId: task.id, error: refusal });
    return { outcome: 'undeliverable' };
  }

  async #deliverView(task: TaskRecord, view: Exclude<FinalView, { kind: 'image_refused' }>): Promise<Delivery> {
    const content = replyText(view, task.options.prompt, task.locale);
    const upload: Upload | undefined = view.kind === 'video' ? { name: view.filename, file: view.video } : undefined;
    const components = [...finalComponents(task, view), ...resultComponents(task, view, 'reply')];
    if (this.#tokenAlive(task) && !this.#goneReplies.has(task.id)) {
      try {
        await this.#editOriginal(task, { content, allowed_mentions: noMentions, components, ...attachmentsOf(upload) }, upload);
        return this.#countedDelivery({ outcome: 'delivered' }, view.kind === 'video_link' ? 'link' : 'edit');
      } catch (error) {
        if (!isDiscordError(error, REPLY_GONE_CODES)) throw error;
        this.#logger.info('reply can no longer be edited, posting in the channel', { taskId: task.id, code: error.code });
      }
    }
    this.#goneReplies.delete(task.id);
    return this.#postElsewhere(task, view, content, upload);
  }

  /** Counts a final answer that reached the member, by how it did. */
  #counted(outcome: DeliveryOutcome, kind: DeliveryKind): DeliveryOutcome {
    if (outcome === 'delivered') this.#metrics.delivered(kind);
    return outcome;
  }

  #countedDelivery(delivery: Delivery, kind: DeliveryKind): Delivery {
    this.#counted(delivery.outcome, kind);
    return delivery;
  }

  /**
   * The reply is out of reach: a channel message that pings the member, else a direct message. Every post
   * of one task carries the same nonce, so a retry within minutes (a lost answer, a restart) gets back the
   * message already made instead of making a second one; the record keeps its id for longer outages.
   */
  async #postElsewhere(task: TaskRecord, view: FinalView, content: string, upload: Upload | undefined): Promise<Delivery> {
    const { channelId, userId } = task.requester;
    const nonce = deliveryNonce(task.id);
    const inChannel = await this.#postWithLink(task, view, content, upload, channelId, nonce, {
      text: (text) => lateDeliveryText(text, userId, task.locale),
      mentions: { parse: [], users: [userId] },
      place: 'channel',
    });
    const channelKind = view.kind === 'video_link' ? 'link' : 'channel';
    if ('posted' in inChannel) {
      return this.#countedDelivery({ outcome: 'delivered', ...(inChannel.posted ? { posted: inChannel.posted } : {}) }, channelKind);
    }

    this.#logger.info('cannot post in the channel, sending a direct message', { taskId: task.id, code: inChannel.refused });
    const direct = await this.#openDirectMessage(userId);
    const inDirect =
      'refused' in direct
        ? direct
        : await this.#postWithLink(task, view, content, upload, direct.channelId, nonce, {
            text: (text) => directDeliveryText(text, channelId, task.locale),
            mentions: noMentions,
            place: 'direct',
          });
    if ('posted' in inDirect) {
      return this.#countedDelivery({ outcome: 'delivered', ...(inDirect.posted ? { posted: inDirect.posted } : {}) }, 'direct');
    }
    this.#logger.info('cannot send a direct message either', {
      taskId: task.id,
      channelCode: inChannel.refused,
      directCode: inDirect.refused,
    });
    return { outcome: 'undeliverable' };
  }

  /** Posts the answer; a video the bot may not attach there (permissions, size) goes as its link instead. */
  async #postWithLink(
    task: TaskRecord,
    view: FinalView,
    content: string,
    upload: Upload | undefined,
    channelId: string,
    nonce: string,
    place: { text: (content: string) => string; mentions: MessageBody['allowed_mentions']; place: DeliveryPlace },
  ): Promise<Attempt> {
    // The buttons under the video go with it wherever it lands (Delete only in a direct message).
    const components = resultComponents(task, view, place.place);
    const body = { allowed_mentions: place.mentions, nonce, enforce_nonce: true, ...(components.length > 0 ? { components } : {}) };
    const first = await this.#post(channelId, { ...body, content: place.text(content), ...attachmentsOf(upload) }, upload);
    if ('posted' in first || upload === undefined || view.kind !== 'video' || !view.link) return first;
    if (!FILE_REFUSED_CODES.has(first.refused) && first.status !== 413) return first;
    // Discord's 50013 does not say which permission is missing: the link still gets the video to the member.
    this.#logger.info('posting the video link instead of the file', { taskId: task.id, code: first.refused });
    const link = replyText({ kind: 'video_link', ...view.link, cannotAttach: true }, task.options.prompt, task.locale);
    return this.#post(channelId, { ...body, content: place.text(link) });
  }

  async #post(channelId: string, body: MessageBody, upload?: Upload): Promise<Attempt> {
    const route = Routes.channelMessages(channelId);
    let created: unknown;
    try {
      created = upload
        ? await this.#uploads.run(async () => this.#rest.post(route, await multipart(body, upload)))
        : await this.#rest.post(route, { body });
    } catch (error) {
      if (isRefusal(error)) return { refused: error.code, status: error.status };
      throw error;
    }
    const parsed = createdSchema.safeParse(created);
    if (!parsed.success) this.#logger.warn('Discord answered a post without a message id', { channelId });
    return { posted: parsed.success ? { channelId, messageId: parsed.data.id } : undefined };
  }

  /** The direct-message channel with the member (https://discord.com/developers/docs/resources/user#create-dm). */
  async #openDirectMessage(userId: string): Promise<{ channelId: string } | { refused: number | string; status: number }> {
    let created: unknown;
    try {
      created = await this.#rest.post(Routes.userChannels(), { body: { recipient_id: userId } });
    } catch (error) {
      if (error instanceof DiscordAPIError && error.status >= 400 && error.status < 500 && error.status !== 429) {
        return { refused: error.code, status: error.status };
      }
      throw error;
    }
    return { channelId: createdSchema.parse(created).id };
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

  async #editOriginal(task: TaskRecord, body: MessageBody, upload?: Upload): Promise<void> {
    const { applicationId, token } = task.interaction;
    const route = Routes.webhookMessage(applicationId, token, '@original');
    if (upload) await this.#uploads.run(async () => this.#rest.patch(route, { auth: false, ...(await multipart(body, upload)) }));
    else await this.#rest.patch(route, { auth: false, body });
  }

  #tokenAlive(task: TaskRecord): boolean {
    return this.#clock.now() - task.interaction.createdAt < TOKEN_LIFETIME_MS;
  }
}

/** The nonce of every message posted for a task: the same task always gets the same one, at most 25 characters. */
export function deliveryNonce(taskId: string): string {
  return createHash('sha256').update(taskId).digest('base64url').slice(0, NONCE_MAX_CHARS);
}

/** The failure without the provider's own words (which Discord may refuse), or undefined when there are none. */
function withoutProviderText(view: FinalView): Exclude<FinalView, { kind: 'image_refused' }> | undefined {
  if (view.kind !== 'failed') return undefined;
  const { failure } = view;
  if ((failure.kind !== 'provider_rejected' && failure.kind !== 'generation_failed') || failure.reason === undefined) return undefined;
  return { ...view, failure: { kind: failure.kind } };
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

function attachmentsOf(upload: Upload | undefined): Pick<MessageBody, 'attachments'> {
  return upload ? { attachments: [{ id: 0, filename: upload.name }] } : {};
}

/**
 * The multipart body Discord takes for a message with a file (payload_json, then files[0]), with the file
 * read from disk while it is sent. discord.js's own `files` option would copy the whole video into memory
 * (it wants a Buffer and wraps it in a Blob); a FormData it passes through untouched, and undici streams a
 * file-backed Blob part by part. discord.js's rate-limit queue and retries still apply: a retry reads the
 * file again.
 */
async function multipart(body: MessageBody, upload: Upload): Promise<{ body: FormData; passThroughBody: true }> {
  const form = new FormData();
  form.append('payload_json', JSON.stringify(body));
  form.append('files[0]', await openAsBlob(upload.file.path, { type: 'video/mp4' }), upload.name);
  return { body: form, passThroughBody: true };
}

export function isDiscordError(error: unknown, codes: ReadonlySet<number>): error is DiscordAPIError {
  return error instanceof DiscordAPIError && typeof error.code === 'number' && codes.has(error.code);
}

/** The bot may not post there, or not this file: another place (or the link) may still reach the member. */
function isRefusal(error: unknown): error is DiscordAPIError {
  return (
    isDiscordError(error, POST_REFUSED_CODES) ||
    (error instanceof DiscordAPIError && (error.status === 403 || error.status === 404 || error.status === 413))
  );
}
