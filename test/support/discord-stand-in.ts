/**
 * A local stand-in for Discord (REST API v10 and gateway) that the real discord.js Client logs in to.
 * It speaks the wire format discord.js reads (see /work/shared/discord-facts.md, "Standing in for Discord in
 * tests"), records every REST request, keeps the messages it was asked to create, and enforces the limits
 * Discord enforces (3 s to answer an interaction, 15 min token life, 10 MiB uploads, 2000 characters,
 * one initial response) so end-to-end tests fail the way production would. Channel messages honour
 * `nonce` with `enforce_nonce`, and the bot can open direct messages (which a member may refuse).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { z } from 'zod';

export interface RecordedFile {
  field: string;
  filename: string;
  contentType?: string;
  /** The uploaded bytes; empty when the stand-in was told not to keep them (`keepUploadedBytes: false`). */
  data: Buffer;
  sizeBytes: number;
}

export interface RecordedRequest {
  method: string;
  /** Decoded path without the /api/v10 prefix, e.g. '/webhooks/APP/TOKEN/messages/@original'. */
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body, or the parsed payload_json of a multipart body; undefined when there was none. */
  body: unknown;
  files: RecordedFile[];
  /** Date.now() when the request arrived. */
  at: number;
  /** The status the stand-in answered with; set once the answer is written. */
  status?: number;
}

export interface DiscordStandInOptions {
  /** Expected bot token. Default 'test-bot-token'. */
  token?: string;
  applicationId?: string;
  botUserId?: string;
  /** Default: one guild with a generated id. */
  guildIds?: string[];
  /**
   * The bot's effective permissions in every guild channel (decimal string).
   * Default: view, send, embed links, attach files, read history, reactions, external emojis.
   */
  botPermissions?: string;
  /** Upload limit per file for channel messages and the default `attachment_size_limit`. Default 10 MiB. */
  uploadLimitBytes?: number;
  /** How long after dispatch the first interaction response is accepted. Default 3000 (Discord's 3 s). */
  responseDeadlineMs?: number;
  /** How long an interaction token works for webhook calls. Default 15 minutes. */
  tokenLifetimeMs?: number;
  /** Extra roles every guild has (members get them through `memberRoles`). */
  roles?: { id: string; name: string }[];
  /**
   * How long a message nonce sent with `enforce_nonce` is remembered: a repeat within it gets the message
   * already made. Discord documents "the past few minutes". Default 3 minutes.
   */
  nonceWindowMs?: number;
  /**
   * Whether uploaded files are kept in memory (their bytes in `files[].data`, and served on the stand-in CDN).
   * Default true; false for tests that upload hundreds of megabytes and only look at sizes.
   */
  keepUploadedBytes?: boolean;
}

/** What a failNext or loseNextAnswer predicate sees of a request: `body` is its JSON (or payload_json). */
export interface RequestTarget {
  method: string;
  path: string;
  body?: unknown;
}

export interface DiscordErrorSpec {
  status: number;
  code: number;
  message: string;
  /** For 429: seconds until the retry (body `retry_after` and `Retry-After` header). Default 0.05. */
  retryAfter?: number;
  /** For 429: a global rate limit. */
  global?: boolean;
}

export interface ResolvedAttachmentInput {
  id: string;
  filename: string;
  url: string;
  size?: number;
  proxy_url?: string;
  content_type?: string;
  width?: number;
  height?: number;
}

export interface CommandOptionInput {
  name: string;
  type: number;
  value?: string | number | boolean;
  options?: CommandOptionInput[];
  focused?: boolean;
}

interface InteractionContextInput {
  commandName: string;
  commandId?: string;
  /** The member who ran the command. Default: the stand-in's `memberUserId`. */
  userId?: string;
  username?: string;
  /** The member's permissions in the channel (decimal string). Default: a regular member's. */
  permissions?: string;
  channelId?: string;
  guildId?: string;
  /** Default: `uploadLimitBytes` (10 MiB). */
  attachmentSizeLimit?: number;
  /** The bot's permissions in the channel (decimal string). Default: `botPermissions`. */
  appPermissions?: string;
  /** The member's Discord client language. Default: en-US. */
  locale?: string;
  /** The server's language (`guild_locale`, set in its Community settings). Default: en-US. */
  guildLocale?: string;
  /** Role ids of the member who ran the command. */
  memberRoles?: string[];
  /**
   * Deliver to one gateway session only (index among ready sessions, in connection order), as Discord
   * delivers each guild's events to one shard. Default: every ready session.
   */
  session?: number;
  /**
   * Sent from the member's direct messages with the bot (context BOT_DM) instead of a server: no guild_id,
   * `user` instead of `member`, the DM channel. `guildId`, `permissions`, `memberRoles` and `guildLocale` are
   * then ignored, as there is no server to have them.
   */
  directMessage?: boolean;
}

export interface CommandInteractionInput extends InteractionContextInput {
  options?: CommandOptionInput[];
  attachments?: ResolvedAttachmentInput[];
  /** Users and roles that user/role options point at, resolved as Discord sends them. */
  resolvedUsers?: string[];
  resolvedRoles?: string[];
  resolvedChannels?: string[];
}

export interface MessageCommandInteractionInput extends InteractionContextInput {
  /** The message the member right-clicked. */
  target: { id?: string; content?: string; authorId?: string; attachments?: ResolvedAttachmentInput[] };
}

export interface DispatchedInteraction {
  interactionId: string;
  token: string;
  payload: Record<string, unknown>;
  /** Date.now() when the stand-in sent it: the start of Discord's 3 s, and of an acknowledgement's latency. */
  dispatchedAt: number;
}

export interface StandInUser {
  id: string;
  username: string;
  global_name: string | null;
  discriminator: string;
  avatar: string | null;
  bot?: boolean;
}

export interface StandInAttachment {
  id: string;
  filename: string;
  size: number;
  url: string;
  proxy_url: string;
  content_type?: string;
  description?: string;
  width?: number;
  height?: number;
  ephemeral?: boolean;
}

/** A message as Discord returns it, with the fields discord.js builds a `Message` from. */
export interface StandInMessage {
  id: string;
  type: number;
  channel_id: string;
  guild_id?: string;
  author: StandInUser;
  content: string;
  timestamp: string;
  edited_timestamp: string | null;
  tts: boolean;
  mention_everyone: boolean;
  mentions: StandInUser[];
  mention_roles: string[];
  attachments: StandInAttachment[];
  embeds: unknown[];
  components: unknown[];
  pinned: boolean;
  flags: number;
  webhook_id?: string;
  application_id?: string;
  allowed_mentions?: unknown;
  message_reference?: unknown;
  interaction_metadata?: Record<string, unknown>;
  interaction?: Record<string, unknown>;
}

const API_PREFIX = '/api/v10';
const CDN_PREFIX = '/attachments/';
const DISCORD_EPOCH = 1_420_070_400_000n;
// https://discord.com/developers/docs/reference#uploading-files: 10 MiB per file since January 2025.
const DEFAULT_UPLOAD_LIMIT = 10 * 1024 * 1024;
const MAX_CONTENT_LENGTH = 2000;
const MAX_ATTACHMENTS = 10;
// https://discord.com/developers/docs/resources/message#create-message-jsonform-params
const MAX_NONCE_LENGTH = 25;
const DEFAULT_NONCE_WINDOW_MS = 3 * 60_000;
const HEARTBEAT_INTERVAL_MS = 41_250;

const FLAG_EPHEMERAL = 1 << 6;
const FLAG_LOADING = 1 << 7;
// Only these message flags may be changed by an edit; ephemeral stays as it was created.
const EDITABLE_FLAGS = (1 << 2) | (1 << 12) | (1 << 15);

const PERMISSION = {
  createInstantInvite: 1n << 0n,
  addReactions: 1n << 6n,
  viewChannel: 1n << 10n,
  sendMessages: 1n << 11n,
  embedLinks: 1n << 14n,
  attachFiles: 1n << 15n,
  readMessageHistory: 1n << 16n,
  useExternalEmojis: 1n << 18n,
  connect: 1n << 20n,
  speak: 1n << 21n,
  changeNickname: 1n << 26n,
  useApplicationCommands: 1n << 31n,
  sendMessagesInThreads: 1n << 38n,
  mentionEveryone: 1n << 17n,
} as const;

/**
 * The app's permissions in a direct message (`app_permissions` there): Attach Files, Embed Links and Mention
 * Everyone, plus Use External Emojis in the DM with the app's own bot user.
 */
const DIRECT_MESSAGE_APP_PERMISSIONS =
  PERMISSION.attachFiles | PERMISSION.embedLinks | PERMISSION.mentionEveryone | PERMISSION.useExternalEmojis;

export const MEMBER_PERMISSIONS =
  PERMISSION.createInstantInvite |
  PERMISSION.addReactions |
  PERMISSION.viewChannel |
  PERMISSION.sendMessages |
  PERMISSION.embedLinks |
  PERMISSION.attachFiles |
  PERMISSION.readMessageHistory |
  PERMISSION.useExternalEmojis |
  PERMISSION.connect |
  PERMISSION.speak |
  PERMISSION.changeNickname |
  PERMISSION.useApplicationCommands;

const BOT_PERMISSIONS =
  PERMISSION.addReactions |
  PERMISSION.viewChannel |
  PERMISSION.sendMessages |
  PERMISSION.embedLinks |
  PERMISSION.attachFiles |
  PERMISSION.readMessageHistory |
  PERMISSION.useExternalEmojis |
  PERMISSION.sendMessagesInThreads;

// Privileged intents must be switched on in the developer portal; Discord closes with 4014 otherwise.
const PRIVILEGED_INTENTS = (1 << 1) | (1 << 8) | (1 << 15);

const CALLBACK_TYPES = new Set([1, 4, 5, 6, 7, 8, 9, 10, 12]);

const identifySchema = z.object({
  token: z.string(),
  intents: z.number().int(),
  properties: z.record(z.string(), z.unknown()),
  shard: z.tuple([z.number(), z.number()]).optional(),
});

const gatewayFrameSchema = z.object({ op: z.number().int(), d: z.unknown() });

const attachmentRefSchema = z
  .object({
    id: z.union([z.string(), z.number()]),
    filename: z.string().optional(),
    description: z.string().nullish(),
  })
  .loose();

const messagePayloadSchema = z
  .object({
    content: z.string().nullish(),
    embeds: z.array(z.record(z.string(), z.unknown())).nullish(),
    components: z.array(z.record(z.string(), z.unknown())).nullish(),
    flags: z.number().int().nullish(),
    attachments: z.array(attachmentRefSchema).nullish(),
    allowed_mentions: z.record(z.string(), z.unknown()).nullish(),
    message_reference: z.record(z.string(), z.unknown()).nullish(),
    tts: z.boolean().nullish(),
    poll: z.record(z.string(), z.unknown()).nullish(),
    sticker_ids: z.array(z.string()).nullish(),
    nonce: z.union([z.string(), z.number().int()]).nullish(),
    enforce_nonce: z.boolean().nullish(),
  })
  .loose();
type MessagePayload = z.infer<typeof messagePayloadSchema>;

// Built once: zod compiles a schema on first use, and a burst dispatches a thousand interactions.
const interactionCreateSchema = z
  .object({
    id: z.string(),
    token: z.string(),
    type: z.number(),
    application_id: z.string(),
    guild_id: z.string().optional(),
    channel_id: z.string().optional(),
    channel: z.object({ id: z.string() }).loose().optional(),
    member: z
      .object({ user: z.record(z.string(), z.unknown()) })
      .loose()
      .optional(),
    user: z.record(z.string(), z.unknown()).optional(),
    data: z.object({ name: z.string().optional(), type: z.number().optional() }).loose().optional(),
    attachment_size_limit: z.number().optional(),
    /** The message a component (button) is on. */
    message: z.object({ id: z.string() }).loose().optional(),
  })
  .loose();

// https://discord.com/developers/docs/components/reference#text-input and #label: a modal holds 1–5 labels
// (or, the older way, action rows) around text inputs; custom_id up to 100, title and label up to 45.
const textInputSchema = z
  .object({
    type: z.literal(4),
    custom_id: z.string().min(1).max(100),
    style: z.union([z.literal(1), z.literal(2)]),
    label: z.string().min(1).max(45).optional(),
    placeholder: z.string().max(100).optional(),
    value: z.string().max(4000).optional(),
    required: z.boolean().optional(),
    min_length: z.number().int().min(0).max(4000).optional(),
    max_length: z.number().int().min(1).max(4000).optional(),
  })
  .loose();
const modalSchema = z
  .object({
    custom_id: z.string().min(1).max(100),
    title: z.string().min(1).max(45),
    components: z
      .array(
        z.union([
          z
            .object({
              type: z.literal(18),
              label: z.string().min(1).max(45),
              description: z.string().max(100).optional(),
              component: textInputSchema,
            })
            .loose(),
          z.object({ type: z.literal(1), components: z.tuple([textInputSchema.extend({ label: z.string().min(1).max(45) })]) }).loose(),
        ]),
      )
      .min(1)
      .max(5),
  })
  .loose();

const callbackSchema = z.object({ type: z.number().int(), data: z.record(z.string(), z.unknown()).nullish() }).loose();

const createDmSchema = z.object({ recipient_id: z.string().regex(/^\d{1,20}$/) }).loose();

/**
 * Discord's locale codes (https://discord.com/developers/docs/reference#locales): a localization under any
 * other key is refused.
 */
const DISCORD_LOCALES = [
  'id',
  'da',
  'de',
  'en-GB',
  'en-US',
  'es-ES',
  'es-419',
  'fr',
  'hr',
  'it',
  'lt',
  'hu',
  'nl',
  'no',
  'pl',
  'pt-BR',
  'ro',
  'fi',
  'sv-SE',
  'vi',
  'tr',
  'cs',
  'el',
  'bg',
  'ru',
  'uk',
  'hi',
  'th',
  'zh-CN',
  'ja',
  'zh-TW',
  'ko',
] as const;

/** A slash command's or option's name, in any locale: lowercase where the script has case, no spaces, 1–32. */
const slashName = z
  .string()
  .regex(/^[-_\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u, 'APPLICATION_COMMAND_INVALID_NAME')
  .refine((name) => name === name.toLowerCase(), 'APPLICATION_COMMAND_INVALID_NAME');
/** A context-menu command's name: 1–32 characters, spaces and capitals allowed. */
const menuName = z.string().min(1).max(32);
const description = z.string().min(1).max(100);
const localized = (text: z.ZodType<string>) => z.partialRecord(z.enum(DISCORD_LOCALES), text.nullable()).nullish();

const choiceSchema = z.object({ name: description, name_localizations: localized(description) }).loose();
const optionSchema: z.ZodType = z.lazy(() =>
  z
    .object({
      name: slashName,
      name_localizations: localized(slashName),
      description,
      description_localizations: localized(description),
      choices: z.array(choiceSchema).max(25).optional(),
      options: z.array(optionSchema).max(25).optional(),
    })
    .loose(),
);

/** What Discord checks of a registered command: names and descriptions in every locale, as far as the tests need. */
const commandSchema = z.union([
  z
    .object({
      type: z.literal(1).optional(),
      name: slashName,
      name_localizations: localized(slashName),
      description,
      description_localizations: localized(description),
      options: z.array(optionSchema).max(25).optional(),
    })
    .loose(),
  z.object({ type: z.union([z.literal(2), z.literal(3)]), name: menuName, name_localizations: localized(menuName) }).loose(),
]);

const commandsSchema = z.array(commandSchema).max(100);

class DiscordHttpError extends Error {
  readonly status: number;
  readonly code: number;
  readonly errors: unknown;

  constructor(status: number, code: number, message: string, errors?: unknown) {
    super(message);
    this.status = status;
    this.code = code;
    this.errors = errors;
  }
}

const unauthorized = () => new DiscordHttpError(401, 0, '401: Unauthorized');
const notFound = () => new DiscordHttpError(404, 0, '404: Not Found');
const unknownInteraction = () => new DiscordHttpError(404, 10062, 'Unknown interaction');
const unknownMessage = () => new DiscordHttpError(404, 10008, 'Unknown Message');
const unknownWebhook = () => new DiscordHttpError(404, 10015, 'Unknown Webhook');
const invalidWebhookToken = () => new DiscordHttpError(401, 50027, 'Invalid Webhook Token');
/** Discord's 50035 shape: errors nested along the field path, `_errors` at the leaf. */
const invalidFormBody = (field: string, code: string, message: string) => {
  const leaf = { _errors: [{ code, message }] };
  const path = field === '_root' ? [] : field.split('.');
  const errors = path.reduceRight<unknown>((inner, key) => ({ [key]: inner }), leaf);
  return new DiscordHttpError(400, 50035, 'Invalid Form Body', errors);
};

interface Answer {
  status: number;
  /** undefined: no body and no content-type (204), as discord.js expects. */
  body?: unknown;
  headers?: Record<string, string>;
}

interface InjectedFailure {
  predicate: (r: RequestTarget) => boolean;
  error: DiscordErrorSpec;
  remaining: number;
}

/** A request whose answer is held back (see holdNextAnswer). */
interface HeldAnswerRule {
  predicate: (r: RequestTarget) => boolean;
  arrive: () => void;
  /** Resolves when the test releases the answer, or the stand-in closes. */
  released: Promise<void>;
  release: () => void;
  /** Set once a request matched: each rule holds one answer. */
  taken: boolean;
}

/** A request the stand-in has carried out but not yet answered. */
export interface HeldAnswer {
  /** Resolves once a matching request has arrived and been carried out; its answer now waits. */
  readonly arrived: Promise<void>;
  /** Sends the held answer (to nobody, if the client has gone meanwhile). */
  release(): void;
}

/** A direct-message channel between the bot and one user. */
interface DirectChannel {
  id: string;
  recipient: StandInUser;
}

interface InteractionState {
  id: string;
  token: string;
  type: number;
  applicationId: string;
  guildId: string | null;
  channelId: string;
  user: StandInUser;
  commandName: string;
  commandType: number;
  attachmentSizeLimit: number;
  dispatchedAt: number;
  acknowledged: boolean;
  expired: boolean;
  originalMessageId?: string;
  /** A component interaction's message: after a deferred update (type 6) it is the original response. */
  componentMessageId?: string;
  followUpIds: string[];
  /** The form (modal) shown in answer to this interaction, as the bot sent it. */
  modal?: StandInModal;
}

/** A form (modal) the bot showed: its custom_id, its title and its text inputs, in order. */
export interface StandInModal {
  customId: string;
  title: string;
  fields: { customId: string; label: string; style: number; required: boolean; value?: string; placeholder?: string; maxLength?: number }[];
}

interface HostedFile {
  data: Buffer;
  contentType: string;
}

interface GatewaySession {
  socket: WebSocket;
  sequence: number;
  sessionId?: string;
  ready: boolean;
}

interface GuildFixture {
  id: string;
  channelId: string;
  everyoneRoleId: string;
  botRoleId: string;
  everyonePermissions: bigint;
  botRolePermissions: bigint;
}

interface Route {
  method: string;
  pattern: string;
  botAuth: boolean;
  handle: (params: Record<string, string>, request: RecordedRequest) => Answer;
}

type Waiter = () => void;

function matchPath(pattern: string, path: string): Record<string, string> | null {
  const want = pattern.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (const [index, part] of want.entries()) {
    const actual = got[index] ?? '';
    if (part.startsWith(':')) {
      if (actual === '') return null;
      params[part.slice(1)] = actual;
    } else if (part !== actual) {
      return null;
    }
  }
  return params;
}

function decodePath(rawPath: string): string {
  return rawPath
    .split('/')
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        return segment;
      }
    })
    .join('/');
}

function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

/** Index n of a multipart part named `files[n]`, which `attachments[].id` refers to. */
function fileIndex(field: string, position: number): number {
  const match = /^files\[(\d+)\]$/.exec(field);
  return match?.[1] === undefined ? position : Number(match[1]);
}

export class DiscordStandIn {
  readonly restUrl: string;
  readonly baseUrl: string;
  readonly gatewayUrl: string;
  readonly token: string;
  readonly applicationId: string;
  readonly botUserId: string;
  /** The first guild. */
  readonly guildId: string;
  readonly guildIds: readonly string[];
  /** The text channel of the first guild, where commands are run by default. */
  readonly channelId: string;
  /** The member who runs commands unless a dispatch says otherwise. */
  readonly memberUserId: string;
  /** Every REST request, in order of arrival. */
  readonly requests: RecordedRequest[] = [];
  /** Every download from the stand-in CDN (`/attachments/...`). */
  readonly cdnRequests: { method: string; path: string; at: number; status: number }[] = [];
  /** Every IDENTIFY payload received on the gateway. */
  readonly identifies: z.infer<typeof identifySchema>[] = [];
  /** Commands registered with PUT: key 'global' or the guild id. */
  readonly registeredCommands = new Map<string, Record<string, unknown>[]>();

  readonly #server: Server;
  readonly #gateway: WebSocketServer;
  readonly #uploadLimit: number;
  #uploadsInFlight = 0;
  /** The most requests carrying files (uploads) that were in flight here at once. */
  maxUploadsInFlight = 0;
  readonly #responseDeadlineMs: number;
  readonly #tokenLifetimeMs: number;
  readonly #botPermissions: bigint;
  readonly #guilds: GuildFixture[];
  readonly #botUser: StandInUser;
  readonly #routes: Route[];
  readonly #failures: InjectedFailure[] = [];
  /** Requests that are carried out, but whose answer is replaced by an error (as when a proxy drops it). */
  readonly #lostAnswers: InjectedFailure[] = [];
  /** holdNextAnswer rules, kept until closing so that closing releases what they hold. */
  readonly #answerHolds: HeldAnswerRule[] = [];
  /** `${authorId}:${nonce}` of messages created with `enforce_nonce`, and when. */
  readonly #nonces = new Map<string, { messageId: string; at: number }>();
  readonly #directChannels = new Map<string, DirectChannel>();
  /** Users whose privacy settings refuse direct messages from the bot (50007). */
  readonly #closedDirectMessages = new Set<string>();
  readonly #interactionsById = new Map<string, InteractionState>();
  readonly #interactionsByToken = new Map<string, InteractionState>();
  readonly #messages = new Map<string, StandInMessage>();
  readonly #hosted = new Map<string, HostedFile>();
  readonly #sessions = new Set<GatewaySession>();
  readonly #waiters = new Set<Waiter>();
  #readySessions = 0;
  #snowflakeIncrement = 0;
  #closed = false;
  /** While set, gateway connections are turned away (see dropGateway). */
  #gatewayDown = false;

  readonly #options: DiscordStandInOptions;

  private constructor(server: Server, options: DiscordStandInOptions) {
    const { port } = server.address() as AddressInfo;
    this.#server = server;
    this.baseUrl = `http://127.0.0.1:${port}`;
    this.restUrl = `${this.baseUrl}/api`;
    this.gatewayUrl = `ws://127.0.0.1:${port}`;
    this.token = options.token ?? 'test-bot-token';
    this.applicationId = options.applicationId ?? this.#snowflake();
    this.botUserId = options.botUserId ?? this.applicationId;
    this.memberUserId = this.#snowflake();
    this.#uploadLimit = options.uploadLimitBytes ?? DEFAULT_UPLOAD_LIMIT;
    this.#responseDeadlineMs = options.responseDeadlineMs ?? 3000;
    this.#tokenLifetimeMs = options.tokenLifetimeMs ?? 15 * 60 * 1000;
    this.#botPermissions = options.botPermissions === undefined ? BOT_PERMISSIONS : BigInt(options.botPermissions);
    this.#options = options;
    const guildIds = options.guildIds && options.guildIds.length > 0 ? options.guildIds : [this.#snowflake()];
    this.#guilds = guildIds.map((id) => ({
      id,
      channelId: this.#snowflake(),
      everyoneRoleId: id,
      botRoleId: this.#snowflake(),
      // So that the bot's effective permissions are exactly botPermissions, @everyone grants no more than it.
      everyonePermissions: MEMBER_PERMISSIONS & this.#botPermissions,
      botRolePermissions: this.#botPermissions,
    }));
    this.guildIds = guildIds;
    const firstGuild = this.#guilds[0] as GuildFixture;
    this.guildId = firstGuild.id;
    this.channelId = firstGuild.channelId;
    this.#botUser = {
      id: this.botUserId,
      username: 'animate-bot',
      global_name: null,
      discriminator: '4821',
      avatar: null,
      bot: true,
    };
    this.#routes = this.#buildRoutes();

    this.#gateway = new WebSocketServer({ server, path: '/' });
    this.#gateway.on('connection', (socket) => this.#onGatewayConnection(socket));
    // A failure after listen (there is none expected) must not become an unhandled 'error' event in a test run.
    this.#gateway.on('error', () => undefined);
    server.on('request', (req, res) => {
      this.#onHttpRequest(req, res).catch(() => {
        // The client went away mid-request (aborted upload, destroyed client): nothing left to answer.
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    });
  }

  static async start(options: DiscordStandInOptions = {}): Promise<DiscordStandIn> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    return new DiscordStandIn(server, options);
  }

  /** Serve bytes at `${baseUrl}/attachments/<name>` (stands in for Discord's CDN) and return that URL. */
  hostAttachment(name: string, data: Buffer, contentType = 'application/octet-stream'): string {
    this.#hosted.set(name, { data, contentType });
    return `${this.baseUrl}${CDN_PREFIX}${encodePath(name)}`;
  }

  /** Stop serving a hosted file, as when a CDN link has expired. */
  unhostAttachment(name: string): void {
    this.#hosted.delete(name);
  }

  /** Number of gateway sessions so far that IDENTIFYed and were sent READY and every GUILD_CREATE. */
  get identifyCount(): number {
    return this.#readySessions;
  }

  /**
   * Resolves once `atLeast` gateway sessions in total (default 1) have IDENTIFYed and been sent READY and
   * every GUILD_CREATE. The client handles those frames asynchronously: wait for its ClientReady event too.
   */
  async waitForIdentify(timeoutMs = 5000, atLeast = 1): Promise<void> {
    await this.#waitUntil(
      () => (this.#readySessions >= atLeast ? true : undefined),
      timeoutMs,
      () => `no client became ready on the gateway within ${timeoutMs} ms (${this.#readySessions} ready sessions)`,
    );
  }

  /** Dispatch a chat-input command (interaction type 2, command type 1) as Discord sends it from a guild. */
  dispatchCommand(input: CommandInteractionInput): DispatchedInteraction {
    const resolvedAttachments = Object.fromEntries(
      (input.attachments ?? []).map((attachment) => [attachment.id, this.#resolvedAttachment(attachment)]),
    );
    const data: Record<string, unknown> = {
      ...this.#commandRef(input.commandName, input.guildId),
      name: input.commandName,
      type: 1,
      options: input.options ?? [],
    };
    if (input.commandId !== undefined) data.id = input.commandId;
    const resolved: Record<string, unknown> = {};
    if (input.attachments && input.attachments.length > 0) resolved.attachments = resolvedAttachments;
    if (input.resolvedUsers?.length) {
      resolved.users = Object.fromEntries(
        input.resolvedUsers.map((id) => [id, { id, username: `user${id.slice(-4)}`, global_name: null, discriminator: '0', avatar: null }]),
      );
    }
    if (input.resolvedRoles?.length) {
      const known = new Map((this.#options.roles ?? []).map((r) => [r.id, r.name]));
      resolved.roles = Object.fromEntries(
        input.resolvedRoles.map((id) => [
          id,
          {
            id,
            name: known.get(id) ?? `role${id.slice(-4)}`,
            color: 0,
            hoist: false,
            position: 2,
            permissions: '0',
            managed: false,
            mentionable: false,
            flags: 0,
          },
        ]),
      );
    }
    if (input.resolvedChannels?.length) {
      resolved.channels = Object.fromEntries(
        input.resolvedChannels.map((id) => [
          id,
          { id, type: 0, name: `channel${id.slice(-4)}`, permissions: MEMBER_PERMISSIONS.toString() },
        ]),
      );
    }
    if (Object.keys(resolved).length > 0) data.resolved = resolved;
    return this.#dispatchApplicationCommand(input, data);
  }

  /** Dispatch a message context-menu command (command type 3) on `target`. */
  dispatchMessageCommand(input: MessageCommandInteractionInput): DispatchedInteraction {
    const targetId = input.target.id ?? this.#snowflake();
    const channelId = input.channelId ?? this.#guildFixture(input.guildId).channelId;
    const author: StandInUser = {
      id: input.target.authorId ?? input.userId ?? this.memberUserId,
      username: 'member',
      global_name: 'Member',
      discriminator: '0',
      avatar: null,
    };
    const targetMessage: StandInMessage = {
      ...this.#baseMessage(targetId, channelId, author),
      content: input.target.content ?? '',
      attachments: (input.target.attachments ?? []).map((attachment) => this.#resolvedAttachment(attachment)),
    };
    const data: Record<string, unknown> = {
      ...this.#commandRef(input.commandName, input.guildId),
      ...(input.commandId !== undefined ? { id: input.commandId } : {}),
      name: input.commandName,
      type: 3,
      target_id: targetId,
      resolved: { messages: { [targetId]: targetMessage } },
    };
    return this.#dispatchApplicationCommand(input, data);
  }

  /**
   * A member clicks a button (interaction type 3) on the original reply of the interaction `onToken`, or on
   * the message `onMessage` (a channel post, a follow-up, a direct message: then with `directMessage`).
   * `commandName` names nothing here; it is required by the shared input type only.
   */
  dispatchButton(
    input: Omit<InteractionContextInput, 'commandName'> & { customId: string } & ({ onToken: string } | { onMessage: string }),
  ): DispatchedInteraction {
    const message = 'onToken' in input ? this.originalMessage(input.onToken) : this.#messages.get(input.onMessage);
    if (!message) throw new Error('dispatchButton: no such message');
    return this.#dispatchApplicationCommand({ ...input, commandName: '' }, { custom_id: input.customId, component_type: 2 }, 3, {
      message,
    });
  }

  /** Dispatch any raw gateway event to every ready client. An INTERACTION_CREATE is also registered for replies. */
  dispatch(event: string, data: unknown, sessionIndex?: number): void {
    const ready = [...this.#sessions].filter((session) => session.ready);
    if (ready.length === 0) {
      throw new Error(`cannot dispatch ${event}: no client is connected and ready on the gateway`);
    }
    const targets = sessionIndex === undefined ? ready : ready.slice(sessionIndex, sessionIndex + 1);
    if (targets.length === 0) throw new Error(`cannot dispatch ${event}: no ready session ${sessionIndex}`);
    if (event === 'INTERACTION_CREATE') this.#registerInteraction(data);
    for (const session of targets) this.#sendDispatch(session, event, data);
  }

  /** Wait until a recorded REST request matches; on timeout the error lists every request received. */
  waitForRequest(predicate: (r: RecordedRequest) => boolean, timeoutMs = 5000): Promise<RecordedRequest> {
    return this.#waitUntil(
      () => this.requests.find((request) => request.status !== undefined && predicate(request)),
      timeoutMs,
      () =>
        `no matching request within ${timeoutMs} ms; received:\n${
          this.requests.map((r) => `  ${r.method} ${r.path} -> ${r.status ?? 'pending'}`).join('\n') || '  (none)'
        }`,
    );
  }

  /** Make the next `times` requests that match fail with a Discord error, before any route logic runs. */
  failNext(predicate: (r: RequestTarget) => boolean, error: DiscordErrorSpec, times = 1): void {
    this.#failures.push({ predicate, error, remaining: times });
  }

  /**
   * Carry out the next `times` requests that match (a message is created), then answer them with a Discord
   * error instead: the answer was lost on the way back, and the client cannot tell whether it worked.
   */
  loseNextAnswer(predicate: (r: RequestTarget) => boolean, error: DiscordErrorSpec, times = 1): void {
    this.#lostAnswers.push({ predicate, error, remaining: times });
  }

  /**
   * Carry out the next request that matches (a REST route runs: the message is made or edited; a CDN file is
   * looked up), then hold its answer until `release()`: the client waits as on a stalled network, and a test
   * can kill it at that moment. The predicate sees REST paths without `/api/v10` and CDN paths whole
   * (`/attachments/<name>`). Closing the stand-in releases every held answer.
   */
  holdNextAnswer(predicate: (r: RequestTarget) => boolean): HeldAnswer {
    let arrive = (): void => undefined;
    let release = (): void => undefined;
    const arrived = new Promise<void>((resolve) => (arrive = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    this.#answerHolds.push({ predicate, arrive, released, release, taken: false });
    return { arrived, release };
  }

  /** Forget every nonce, as Discord does after a few minutes: a repeated nonce then makes a new message. */
  forgetNonces(): void {
    this.#nonces.clear();
  }

  /** Refuse direct messages to this user (403 50007), as their privacy settings can. */
  refuseDirectMessages(userId: string): void {
    this.#closedDirectMessages.add(userId);
  }

  /** The id of the direct-message channel the bot opened with this user, if it did. */
  directChannelOf(userId: string): string | undefined {
    return [...this.#directChannels.values()].find((channel) => channel.recipient.id === userId)?.id;
  }

  /** Age an interaction past its token's life: callbacks fail 10062, webhook calls 50027. */
  expireInteraction(token: string): void {
    const interaction = this.#interactionsByToken.get(token);
    if (!interaction) throw new Error('expireInteraction: unknown interaction token');
    interaction.expired = true;
  }

  /** Delete a message as a member or moderator would; later edits of it fail with 10008. */
  deleteMessage(messageId: string): void {
    this.#messages.delete(messageId);
  }

  /** The current original response of an interaction, if it exists. */
  originalMessage(token: string): StandInMessage | undefined {
    const id = this.#interactionsByToken.get(token)?.originalMessageId;
    return id === undefined ? undefined : this.#messages.get(id);
  }

  /** The form (modal) the bot showed in answer to the interaction `token`, if it showed one. */
  modalShown(token: string): StandInModal | undefined {
    return this.#interactionsByToken.get(token)?.modal;
  }

  /**
   * The member sends the form the bot showed for `onToken` (interaction type 5, MODAL_SUBMIT), with `values`
   * by field custom_id; a field left out is sent empty, as Discord sends an optional field nobody filled in.
   */
  dispatchModalSubmit(
    input: Omit<InteractionContextInput, 'commandName'> & { onToken: string; values: Record<string, string>; customId?: string },
  ): DispatchedInteraction {
    const modal = this.modalShown(input.onToken);
    if (!modal) throw new Error('dispatchModalSubmit: that interaction was not answered with a form');
    let id = 1;
    const components = modal.fields.map((field) => ({
      type: 18,
      id: id++,
      component: { type: 4, id: id++, custom_id: field.customId, value: input.values[field.customId] ?? '' },
    }));
    return this.#dispatchApplicationCommand({ ...input, commandName: '' }, { custom_id: input.customId ?? modal.customId, components }, 5);
  }

  /** Follow-up messages of an interaction that still exist, oldest first. */
  followUps(token: string): StandInMessage[] {
    const interaction = this.#interactionsByToken.get(token);
    return (interaction?.followUpIds ?? []).flatMap((id) => this.#messages.get(id) ?? []);
  }

  /** Messages that exist in a channel (interaction responses included), oldest first. */
  messagesIn(channelId: string): StandInMessage[] {
    return [...this.#messages.values()].filter((message) => message.channel_id === channelId);
  }

  /** Bytes behind a stand-in CDN URL (uploaded attachments included), or undefined. */
  attachmentBytes(url: string): Buffer | undefined {
    const path = new URL(url).pathname;
    if (!path.startsWith(CDN_PREFIX)) return undefined;
    return this.#hosted.get(decodePath(path.slice(CDN_PREFIX.length)))?.data;
  }

  /**
   * Cuts every gateway session without a close frame, as a network failure does, and turns new connections
   * away until `restoreGateway()`: meanwhile the client keeps trying to reconnect.
   */
  dropGateway(): void {
    this.#gatewayDown = true;
    for (const session of this.#sessions) session.socket.terminate();
  }

  /** Accepts gateway connections again; the client's next attempt identifies anew (sessions never resume here). */
  restoreGateway(): void {
    this.#gatewayDown = false;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const waiter of this.#waiters) waiter();
    for (const hold of this.#answerHolds) hold.release();
    for (const session of this.#sessions) session.socket.terminate();
    this.#sessions.clear();
    await new Promise<void>((resolve) => this.#gateway.close(() => resolve()));
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  // ---------------------------------------------------------------- gateway

  #onGatewayConnection(socket: WebSocket): void {
    if (this.#gatewayDown) {
      socket.terminate();
      return;
    }
    const session: GatewaySession = { socket, sequence: 0, ready: false };
    this.#sessions.add(session);
    socket.on('close', () => this.#sessions.delete(session));
    socket.on('error', () => this.#sessions.delete(session));
    socket.on('message', (raw) => this.#onGatewayFrame(session, raw));
    this.#send(session, { op: 10, d: { heartbeat_interval: HEARTBEAT_INTERVAL_MS, _trace: ['["stand-in",{}]'] } });
  }

  #onGatewayFrame(session: GatewaySession, raw: RawData): void {
    let frame: z.infer<typeof gatewayFrameSchema>;
    try {
      frame = gatewayFrameSchema.parse(JSON.parse(Buffer.concat(Array.isArray(raw) ? raw : [Buffer.from(raw as Uint8Array)]).toString()));
    } catch {
      session.socket.close(4002, 'Error while decoding payload.');
      return;
    }
    switch (frame.op) {
      case 1:
        this.#send(session, { op: 11 });
        return;
      case 2:
        this.#onIdentify(session, frame.d);
        return;
      case 6:
        // Sessions do not survive here: tell the client to start over, as Discord does for a stale session.
        this.#send(session, { op: 9, d: false });
        return;
      default:
        // Presence updates, member requests and the like need no answer for these tests.
        return;
    }
  }

  #onIdentify(session: GatewaySession, data: unknown): void {
    const parsed = identifySchema.safeParse(data);
    if (!parsed.success) {
      session.socket.close(4002, 'Error while decoding payload.');
      return;
    }
    if (session.sessionId !== undefined) {
      session.socket.close(4005, 'Already authenticated.');
      return;
    }
    const identify = parsed.data;
    this.identifies.push(identify);
    if (identify.token.replace(/^Bot /, '') !== this.token) {
      session.socket.close(4004, 'Authentication failed.');
      return;
    }
    if ((identify.intents & PRIVILEGED_INTENTS) !== 0) {
      session.socket.close(4014, 'Disallowed intent(s).');
      return;
    }
    session.sessionId = randomBytes(16).toString('hex');
    this.#sendDispatch(session, 'READY', {
      v: 10,
      user_settings: {},
      user: { ...this.#botUser, verified: true, mfa_enabled: false, flags: 0, email: null },
      guilds: this.#guilds.map((guild) => ({ id: guild.id, unavailable: true })),
      session_id: session.sessionId,
      session_type: 'normal',
      resume_gateway_url: this.gatewayUrl,
      shard: identify.shard ?? [0, 1],
      application: { id: this.applicationId, flags: 0 },
      private_channels: [],
      relationships: [],
      presences: [],
      guild_join_requests: [],
      geo_ordered_rtc_regions: [],
      _trace: ['["stand-in",{}]'],
    });
    for (const guild of this.#guilds) this.#sendDispatch(session, 'GUILD_CREATE', this.#guildCreate(guild));
    session.ready = true;
    this.#readySessions += 1;
    this.#notify();
  }

  #send(session: GatewaySession, payload: { op: number; d?: unknown; s?: number | null; t?: string | null }): void {
    if (session.socket.readyState !== session.socket.OPEN) return;
    session.socket.send(JSON.stringify({ t: null, s: null, d: null, ...payload }));
  }

  #sendDispatch(session: GatewaySession, event: string, data: unknown): void {
    session.sequence += 1;
    this.#send(session, { op: 0, t: event, s: session.sequence, d: data });
  }

  #guildCreate(guild: GuildFixture): Record<string, unknown> {
    const joinedAt = new Date().toISOString();
    const role = (id: string, name: string, permissions: bigint, position: number, managed: boolean) => ({
      id,
      name,
      description: null,
      color: 0,
      colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
      hoist: false,
      icon: null,
      unicode_emoji: null,
      position,
      permissions: permissions.toString(),
      managed,
      mentionable: false,
      flags: 0,
      ...(managed ? { tags: { bot_id: this.botUserId } } : {}),
    });
    return {
      id: guild.id,
      name: `Stand-in Guild ${guild.id.slice(-4)}`,
      icon: null,
      icon_hash: null,
      splash: null,
      discovery_splash: null,
      banner: null,
      description: null,
      owner_id: this.#snowflake(),
      region: 'deprecated',
      afk_channel_id: null,
      afk_timeout: 300,
      widget_enabled: false,
      widget_channel_id: null,
      verification_level: 1,
      default_message_notifications: 1,
      explicit_content_filter: 2,
      roles: [
        role(guild.everyoneRoleId, '@everyone', guild.everyonePermissions, 0, false),
        role(guild.botRoleId, 'animate-bot', guild.botRolePermissions, 1, true),
        ...(this.#options.roles ?? []).map((r, i) => role(r.id, r.name, 0n, 2 + i, false)),
      ],
      emojis: [],
      stickers: [],
      soundboard_sounds: [],
      features: [],
      mfa_level: 0,
      application_id: null,
      system_channel_id: guild.channelId,
      system_channel_flags: 0,
      rules_channel_id: null,
      public_updates_channel_id: null,
      safety_alerts_channel_id: null,
      max_members: 500_000,
      max_video_channel_users: 25,
      max_stage_video_channel_users: 50,
      vanity_url_code: null,
      premium_tier: 0,
      premium_subscription_count: 0,
      premium_progress_bar_enabled: false,
      preferred_locale: 'en-US',
      nsfw_level: 0,
      nsfw: false,
      lazy: true,
      large: false,
      unavailable: false,
      member_count: 2,
      joined_at: joinedAt,
      voice_states: [],
      members: [
        {
          user: this.#botUser,
          roles: [guild.botRoleId],
          nick: null,
          avatar: null,
          banner: null,
          joined_at: joinedAt,
          premium_since: null,
          deaf: false,
          mute: false,
          pending: false,
          flags: 0,
          communication_disabled_until: null,
        },
      ],
      channels: [
        {
          id: guild.channelId,
          type: 0,
          guild_id: guild.id,
          name: 'general',
          position: 0,
          permission_overwrites: [],
          parent_id: null,
          nsfw: false,
          topic: null,
          rate_limit_per_user: 0,
          last_message_id: null,
          flags: 0,
        },
      ],
      threads: [],
      presences: [],
      stage_instances: [],
      guild_scheduled_events: [],
      incidents_data: null,
    };
  }

  // ---------------------------------------------------------------- interactions

  #dispatchApplicationCommand(
    input: InteractionContextInput,
    data: Record<string, unknown>,
    type = 2,
    extra: Record<string, unknown> = {},
  ): DispatchedInteraction {
    if (input.directMessage === true) return this.#dispatchFromDirectMessage(input, data, type, extra);
    const guild = this.#guildFixture(input.guildId);
    const channelId = input.channelId ?? guild.channelId;
    const userId = input.userId ?? this.memberUserId;
    const username = input.username ?? `member${userId.slice(-4)}`;
    const id = this.#snowflake();
    const token = this.#interactionToken(id);
    const appPermissions = input.appPermissions ?? this.#botPermissions.toString();
    const payload: Record<string, unknown> = {
      id,
      application_id: this.applicationId,
      type,
      data,
      guild: { id: guild.id, locale: input.guildLocale ?? 'en-US', features: [] },
      guild_id: guild.id,
      channel: {
        id: channelId,
        type: 0,
        guild_id: guild.id,
        name: 'general',
        position: 0,
        parent_id: null,
        nsfw: false,
        topic: null,
        rate_limit_per_user: 0,
        last_message_id: null,
        flags: 0,
        permissions: appPermissions,
      },
      channel_id: channelId,
      member: {
        user: {
          id: userId,
          username,
          global_name: username,
          discriminator: '0',
          avatar: null,
          public_flags: 0,
          primary_guild: null,
        },
        roles: input.memberRoles ?? [],
        premium_since: null,
        permissions: input.permissions ?? MEMBER_PERMISSIONS.toString(),
        pending: false,
        nick: null,
        mute: false,
        joined_at: '2024-01-01T00:00:00.000000+00:00',
        flags: 0,
        deaf: false,
        communication_disabled_until: null,
        banner: null,
        avatar: null,
      },
      token,
      version: 1,
      app_permissions: appPermissions,
      locale: input.locale ?? 'en-US',
      guild_locale: input.guildLocale ?? 'en-US',
      entitlements: [],
      entitlement_sku_ids: [],
      authorizing_integration_owners: { '0': guild.id },
      context: 0,
      attachment_size_limit: input.attachmentSizeLimit ?? this.#uploadLimit,
      ...extra,
    };
    this.dispatch('INTERACTION_CREATE', payload, input.session);
    const dispatchedAt = this.#interactionsById.get(id)?.dispatchedAt ?? Date.now();
    return { interactionId: id, token, payload, dispatchedAt };
  }

  /**
   * An interaction as Discord sends it from a DM with the app's bot user
   * (https://discord.com/developers/docs/interactions/receiving-and-responding#interaction-object): `guild`,
   * `guild_id`, `member` and `guild_locale` absent, `user` present, `context` 1 (BOT_DM), the DM channel
   * (type 1, with its recipient) and, for a guild-installed app, "0" as the guild install's owner.
   */
  #dispatchFromDirectMessage(
    input: InteractionContextInput,
    data: Record<string, unknown>,
    type: number,
    extra: Record<string, unknown>,
  ): DispatchedInteraction {
    const userId = input.userId ?? this.memberUserId;
    const username = input.username ?? `member${userId.slice(-4)}`;
    const user = { id: userId, username, global_name: username, discriminator: '0', avatar: null, public_flags: 0, primary_guild: null };
    const channel = this.#directChannelWith(userId);
    const id = this.#snowflake();
    const token = this.#interactionToken(id);
    // A command's data names a guild only when it was registered in one; here there is none.
    const { guild_id: _guildCommand, ...dataOutsideServers } = data;
    const payload: Record<string, unknown> = {
      id,
      application_id: this.applicationId,
      type,
      data: dataOutsideServers,
      channel: this.#directChannelObject(channel),
      channel_id: channel.id,
      user,
      token,
      version: 1,
      app_permissions: input.appPermissions ?? DIRECT_MESSAGE_APP_PERMISSIONS.toString(),
      locale: input.locale ?? 'en-US',
      entitlements: [],
      entitlement_sku_ids: [],
      authorizing_integration_owners: { '0': '0' },
      context: 1,
      attachment_size_limit: input.attachmentSizeLimit ?? this.#uploadLimit,
      ...extra,
    };
    this.dispatch('INTERACTION_CREATE', payload, input.session);
    const dispatchedAt = this.#interactionsById.get(id)?.dispatchedAt ?? Date.now();
    return { interactionId: id, token, payload, dispatchedAt };
  }

  #registerInteraction(data: unknown): void {
    const parsed = interactionCreateSchema.safeParse(data);
    if (!parsed.success) throw new Error(`INTERACTION_CREATE payload is malformed: ${parsed.error.message}`);
    const d = parsed.data;
    const user = (d.member?.user ?? d.user ?? {}) as unknown as StandInUser;
    const interaction: InteractionState = {
      id: d.id,
      token: d.token,
      type: d.type,
      applicationId: d.application_id,
      guildId: d.guild_id ?? null,
      channelId: d.channel?.id ?? d.channel_id ?? this.channelId,
      user,
      commandName: d.data?.name ?? '',
      commandType: d.data?.type ?? 1,
      attachmentSizeLimit: d.attachment_size_limit ?? this.#uploadLimit,
      dispatchedAt: Date.now(),
      acknowledged: false,
      expired: false,
      followUpIds: [],
      ...(d.message ? { componentMessageId: d.message.id } : {}),
    };
    this.#interactionsById.set(interaction.id, interaction);
    this.#interactionsByToken.set(interaction.token, interaction);
  }

  #resolvedAttachment(input: ResolvedAttachmentInput): StandInAttachment {
    return {
      size: 0,
      proxy_url: input.url,
      ...input,
    };
  }

  /** The id of the registered command by that name; `data.guild_id` is present only for a guild command. */
  #commandRef(name: string, guildId: string | undefined): { id: string; guild_id?: string } {
    const guild = guildId ?? this.guildId;
    const inGuild = this.registeredCommands.get(guild)?.find((command) => command.name === name);
    if (typeof inGuild?.id === 'string') return { id: inGuild.id, guild_id: guild };
    const global = this.registeredCommands.get('global')?.find((command) => command.name === name);
    return { id: typeof global?.id === 'string' ? global.id : this.#snowflake() };
  }

  #guildFixture(guildId: string | undefined): GuildFixture {
    const guild = guildId === undefined ? this.#guilds[0] : this.#guilds.find((g) => g.id === guildId);
    if (!guild) throw new Error(`unknown guild ${guildId}; the stand-in serves ${this.guildIds.join(', ')}`);
    return guild;
  }

  /** Real tokens are long opaque base64url strings; tests must not be able to guess or reuse them. */
  #interactionToken(id: string): string {
    return Buffer.from(`interaction:${id}:${randomBytes(96).toString('base64url')}`).toString('base64url');
  }

  #snowflake(): string {
    const increment = BigInt(this.#snowflakeIncrement++ & 0xfff);
    return (((BigInt(Date.now()) - DISCORD_EPOCH) << 22n) | (1n << 17n) | increment).toString();
  }

  // ---------------------------------------------------------------- HTTP

  async #onHttpRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // A request with files, from its first byte here to the end of the answer: an upload in flight.
    const upload = req.headers['content-type']?.toLowerCase().startsWith('multipart/form-data') ?? false;
    if (upload) this.maxUploadsInFlight = Math.max(this.maxUploadsInFlight, ++this.#uploadsInFlight);
    try {
      await this.#handleHttpRequest(req, res);
    } finally {
      if (upload) this.#uploadsInFlight--;
    }
  }

  async #handleHttpRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = Date.now();
    const url = new URL(req.url ?? '/', this.baseUrl);
    const method = (req.method ?? 'GET').toUpperCase();

    if (url.pathname.startsWith(CDN_PREFIX)) {
      await this.#holdAnswer({ method, path: decodePath(url.pathname) });
      if (res.destroyed) return;
      const status = this.#serveCdn(method, decodePath(url.pathname.slice(CDN_PREFIX.length)), res);
      this.cdnRequests.push({ method, path: decodePath(url.pathname), at, status });
      return;
    }

    const raw = await this.#readBody(req);
    const decoded = decodePath(url.pathname);
    const path = decoded.startsWith(`${API_PREFIX}/`) ? decoded.slice(API_PREFIX.length) : decoded;
    const record: RecordedRequest = {
      method,
      path,
      query: url.searchParams,
      headers: req.headers,
      body: undefined,
      files: [],
      at,
    };
    let answer: Answer;
    try {
      await this.#parseBody(record, req.headers['content-type'], raw);
      this.requests.push(record);
      answer = this.#answer(record, decoded.startsWith(`${API_PREFIX}/`));
    } catch (error) {
      if (!this.requests.includes(record)) this.requests.push(record);
      answer =
        error instanceof DiscordHttpError
          ? this.#errorAnswer(error)
          : { status: 500, body: { code: 0, message: `stand-in failure: ${String(error)}` } };
    }
    await this.#holdAnswer({ method: record.method, path: record.path, body: record.body });
    if (res.destroyed) return;
    this.#write(res, answer);
    record.status = answer.status;
    this.#notify();
  }

  #answer(record: RecordedRequest, versioned: boolean): Answer {
    const target: RequestTarget = { method: record.method, path: record.path, body: record.body };
    const failure = this.#failures.find((f) => f.remaining > 0 && f.predicate(target));
    if (failure) {
      failure.remaining -= 1;
      if (failure.remaining === 0) this.#failures.splice(this.#failures.indexOf(failure), 1);
      return this.#injectedAnswer(failure.error);
    }
    if (!versioned) throw notFound();
    let pathMatched = false;
    for (const route of this.#routes) {
      const params = matchPath(route.pattern, record.path);
      if (!params) continue;
      pathMatched = true;
      if (route.method !== record.method) continue;
      if (route.botAuth && record.headers.authorization !== `Bot ${this.token}`) throw unauthorized();
      const answer = route.handle(params, record);
      const lost = this.#lostAnswers.find((f) => f.remaining > 0 && f.predicate(target));
      if (!lost) return answer;
      lost.remaining -= 1;
      if (lost.remaining === 0) this.#lostAnswers.splice(this.#lostAnswers.indexOf(lost), 1);
      return this.#injectedAnswer(lost.error);
    }
    if (pathMatched) throw new DiscordHttpError(405, 0, '405: Method Not Allowed');
    throw notFound();
  }

  /** Waits while a holdNextAnswer rule holds this request's answer; returns at once when none takes it. */
  async #holdAnswer(target: RequestTarget): Promise<void> {
    const rule = this.#answerHolds.find((r) => !r.taken && r.predicate(target));
    if (!rule) return;
    rule.taken = true;
    rule.arrive();
    await rule.released;
  }

  #injectedAnswer(error: DiscordErrorSpec): Answer {
    if (error.status !== 429) return this.#errorAnswer(new DiscordHttpError(error.status, error.code, error.message));
    const retryAfter = error.retryAfter ?? 0.05;
    return {
      status: 429,
      body: { message: error.message, retry_after: retryAfter, global: error.global ?? false, code: error.code },
      headers: {
        'retry-after': String(retryAfter),
        'x-ratelimit-limit': '5',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset-after': String(retryAfter),
        'x-ratelimit-scope': error.global ? 'global' : 'user',
        ...(error.global ? { 'x-ratelimit-global': 'true' } : {}),
      },
    };
  }

  #errorAnswer(error: DiscordHttpError): Answer {
    const body: Record<string, unknown> = { message: error.message, code: error.code };
    if (error.errors !== undefined) body.errors = error.errors;
    return { status: error.status, body };
  }

  #write(res: ServerResponse, answer: Answer): void {
    const headers: Record<string, string> = { ...answer.headers };
    if (answer.body === undefined) {
      res.writeHead(answer.status, headers);
      res.end();
      return;
    }
    const text = JSON.stringify(answer.body);
    res.writeHead(answer.status, {
      ...headers,
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(text)),
    });
    res.end(text);
  }

  #serveCdn(method: string, name: string, res: ServerResponse): number {
    const hosted = this.#hosted.get(name);
    if ((method !== 'GET' && method !== 'HEAD') || !hosted) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('This content is no longer available.');
      return 404;
    }
    res.writeHead(200, { 'content-type': hosted.contentType, 'content-length': String(hosted.data.length) });
    res.end(method === 'HEAD' ? undefined : hosted.data);
    return 200;
  }

  async #readBody(req: IncomingMessage): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  async #parseBody(record: RecordedRequest, contentType: string | undefined, raw: Buffer): Promise<void> {
    if (raw.length === 0) return;
    const type = contentType?.toLowerCase() ?? '';
    if (type.startsWith('multipart/form-data')) {
      const form = await new Request('http://stand-in.invalid/', {
        method: 'POST',
        headers: { 'content-type': contentType ?? '' },
        body: raw,
        // A stand-in reading its own test traffic: undici's parser is enough here.
        // eslint-disable-next-line @typescript-eslint/no-deprecated
      }).formData();
      const fields: Record<string, unknown> = {};
      for (const [field, value] of form.entries()) {
        if (typeof value === 'string') {
          if (field === 'payload_json') record.body = this.#parseJson(value);
          else fields[field] = value;
        } else {
          record.files.push({
            field,
            filename: value.name,
            ...(value.type ? { contentType: value.type } : {}),
            data: this.#options.keepUploadedBytes === false ? Buffer.alloc(0) : Buffer.from(await value.arrayBuffer()),
            sizeBytes: value.size,
          });
        }
      }
      // Without payload_json, discord.js sends the body fields as separate parts (appendToFormData).
      if (record.body === undefined && Object.keys(fields).length > 0) record.body = fields;
      return;
    }
    record.body = this.#parseJson(raw.toString('utf8'));
  }

  #parseJson(text: string): unknown {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new DiscordHttpError(400, 50109, 'The request body contains invalid JSON.');
    }
  }

  // ---------------------------------------------------------------- REST routes

  #buildRoutes(): Route[] {
    const route = (method: string, pattern: string, botAuth: boolean, handle: Route['handle']): Route => ({
      method,
      pattern,
      botAuth,
      handle,
    });
    const message = '/webhooks/:app/:token/messages/:message';
    return [
      route('GET', '/gateway', false, () => ({ status: 200, body: { url: this.gatewayUrl } })),
      route('GET', '/gateway/bot', true, () => ({
        status: 200,
        body: {
          url: this.gatewayUrl,
          shards: 1,
          session_start_limit: { total: 1000, remaining: 1000, reset_after: 0, max_concurrency: 1 },
        },
      })),
      route('GET', '/users/@me', true, () => ({
        status: 200,
        body: { ...this.#botUser, verified: true, mfa_enabled: false, flags: 0, public_flags: 0 },
      })),
      route('GET', '/applications/@me', true, () => ({ status: 200, body: this.#application() })),
      route('PUT', '/applications/:app/commands', true, (p, r) => this.#putCommands(p, r, undefined)),
      route('GET', '/applications/:app/commands', true, (p) => this.#getCommands(p, 'global')),
      route('PUT', '/applications/:app/guilds/:guild/commands', true, (p, r) => this.#putCommands(p, r, p.guild)),
      route('GET', '/applications/:app/guilds/:guild/commands', true, (p) => this.#getCommands(p, p.guild ?? '')),
      route('POST', '/interactions/:id/:token/callback', false, (p, r) => this.#interactionCallback(p, r)),
      route('POST', '/webhooks/:app/:token', false, (p, r) => this.#followUp(p, r)),
      route('GET', message, false, (p) => this.#getWebhookMessage(p)),
      route('PATCH', message, false, (p, r) => this.#editWebhookMessage(p, r)),
      route('DELETE', message, false, (p) => this.#deleteWebhookMessage(p)),
      route('POST', '/users/@me/channels', true, (_p, r) => this.#createDirectChannel(r)),
      route('GET', '/channels/:channel', true, (p) => ({ status: 200, body: this.#channelObject(p.channel ?? '') })),
      route('POST', '/channels/:channel/messages', true, (p, r) => this.#createChannelMessage(p, r)),
      route('GET', '/channels/:channel/messages/:message', true, (p) => ({
        status: 200,
        body: this.#channelMessage(p),
      })),
      route('PATCH', '/channels/:channel/messages/:message', true, (p, r) => this.#editChannelMessage(p, r)),
      route('DELETE', '/channels/:channel/messages/:message', true, (p) => {
        this.#messages.delete(this.#channelMessage(p).id);
        return { status: 204 };
      }),
    ];
  }

  #application(): Record<string, unknown> {
    return {
      id: this.applicationId,
      name: 'animate-bot',
      icon: null,
      description: '',
      summary: '',
      type: null,
      bot_public: true,
      bot_require_code_grant: false,
      verify_key: 'a'.repeat(64),
      flags: 0,
      hook: true,
      is_monetized: false,
      is_verified: false,
      is_discoverable: false,
      integration_types_config: { '0': {}, '1': {} },
      approximate_guild_count: this.#guilds.length,
      owner: { id: this.#snowflake(), username: 'owner', global_name: 'Owner', discriminator: '0', avatar: null },
      team: null,
      bot: this.#botUser,
      tags: [],
      redirect_uris: [],
      interactions_endpoint_url: null,
    };
  }

  #putCommands(params: Record<string, string>, record: RecordedRequest, guildId: string | undefined): Answer {
    if (params.app !== this.applicationId) throw new DiscordHttpError(403, 50001, 'Missing Access');
    if (guildId !== undefined && !this.guildIds.includes(guildId)) {
      throw new DiscordHttpError(403, 50001, 'Missing Access');
    }
    const parsed = commandsSchema.safeParse(record.body);
    if (!parsed.success) {
      // Discord names the first bad field by its path (`0.options.1.name_localizations.ja`).
      const issue = parsed.error.issues[0];
      const path = issue?.path.map(String).join('.') ?? '';
      throw invalidFormBody(path === '' ? '_root' : path, 'BASE_TYPE_INVALID', issue?.message ?? parsed.error.message);
    }
    const key = guildId ?? 'global';
    const previous = this.registeredCommands.get(key) ?? [];
    const commands = parsed.data.map((command) => ({
      id: previous.find((p) => p.name === command.name)?.id ?? this.#snowflake(),
      application_id: this.applicationId,
      version: this.#snowflake(),
      type: 1,
      ...('description' in command ? {} : { description: '' }),
      default_member_permissions: null,
      dm_permission: true,
      nsfw: false,
      ...(guildId === undefined ? { integration_types: [0], contexts: null } : { guild_id: guildId }),
      ...command,
    }));
    this.registeredCommands.set(key, commands);
    return { status: 200, body: commands };
  }

  #getCommands(params: Record<string, string>, key: string): Answer {
    if (params.app !== this.applicationId) throw new DiscordHttpError(403, 50001, 'Missing Access');
    return { status: 200, body: this.registeredCommands.get(key) ?? [] };
  }

  #interactionCallback(params: Record<string, string>, record: RecordedRequest): Answer {
    const interaction = this.#interactionsById.get(params.id ?? '');
    if (!interaction || interaction.token !== params.token || interaction.expired) throw unknownInteraction();
    // Discord forgets an interaction nobody answered within 3 s: "The application did not respond".
    if (!interaction.acknowledged && Date.now() - interaction.dispatchedAt > this.#responseDeadlineMs) {
      throw unknownInteraction();
    }
    if (interaction.acknowledged) throw new DiscordHttpError(400, 40060, 'Interaction has already been acknowledged.');
    const parsed = callbackSchema.safeParse(record.body);
    if (!parsed.success || !CALLBACK_TYPES.has(parsed.data.type)) {
      throw invalidFormBody('type', 'BASE_TYPE_CHOICES', 'Value must be one of the callback types.');
    }
    const { type } = parsed.data;
    if (interaction.type === 2 && (type === 6 || type === 7)) {
      throw new DiscordHttpError(400, 40043, 'This interaction type does not support this response type.');
    }
    // A form cannot answer a form, nor an autocomplete or a ping.
    if (type === 9 && ![2, 3].includes(interaction.type)) {
      throw new DiscordHttpError(400, 40043, 'This interaction type does not support this response type.');
    }
    if (type === 9) {
      const modal = modalSchema.safeParse(parsed.data.data ?? {});
      if (!modal.success) throw invalidFormBody('data', 'MODAL_INVALID', modal.error.message);
      interaction.modal = {
        customId: modal.data.custom_id,
        title: modal.data.title,
        fields: modal.data.components.map((row) => {
          const input = row.type === 18 ? row.component : row.components[0];
          const label = row.type === 18 ? row.label : row.components[0].label;
          return {
            customId: input.custom_id,
            label,
            style: input.style,
            required: input.required ?? true,
            ...(input.value !== undefined ? { value: input.value } : {}),
            ...(input.placeholder !== undefined ? { placeholder: input.placeholder } : {}),
            ...(input.max_length !== undefined ? { maxLength: input.max_length } : {}),
          };
        }),
      };
    }
    let message: StandInMessage | undefined;
    if (type === 4) {
      const payload = this.#parseMessagePayload(parsed.data.data ?? {});
      message = this.#createInteractionMessage(interaction, payload, record.files, 0);
      interaction.originalMessageId = message.id;
    } else if (type === 5) {
      const flags = (parsed.data.data?.flags as number | undefined) ?? 0;
      const placeholderFlags = FLAG_LOADING | (flags & FLAG_EPHEMERAL);
      message = this.#createInteractionMessage(interaction, { content: '' }, [], placeholderFlags, true);
      interaction.originalMessageId = message.id;
    } else if (type === 6 && interaction.componentMessageId !== undefined) {
      // https://discord.com/developers/docs/interactions/receiving-and-responding#edit-original-interaction-response:
      // after DEFERRED_UPDATE_MESSAGE, the original response is the message the component is on.
      interaction.originalMessageId = interaction.componentMessageId;
    }
    interaction.acknowledged = true;
    if (record.query.get('with_response') !== 'true') return { status: 204 };
    return {
      status: 200,
      body: {
        interaction: {
          id: interaction.id,
          type: interaction.type,
          ...(message
            ? {
                response_message_id: message.id,
                response_message_loading: (message.flags & FLAG_LOADING) !== 0,
                response_message_ephemeral: (message.flags & FLAG_EPHEMERAL) !== 0,
              }
            : {}),
        },
        resource: { type, ...(message ? { message } : {}) },
      },
    };
  }

  #webhookInteraction(params: Record<string, string>): InteractionState {
    const interaction = this.#interactionsByToken.get(params.token ?? '');
    if (interaction && interaction.applicationId !== params.app) throw unknownWebhook();
    if (!interaction || interaction.expired || Date.now() - interaction.dispatchedAt > this.#tokenLifetimeMs) {
      throw invalidWebhookToken();
    }
    return interaction;
  }

  #webhookMessage(interaction: InteractionState, messageId: string): StandInMessage {
    const id = messageId === '@original' ? interaction.originalMessageId : messageId;
    const owned = id !== undefined && (id === interaction.originalMessageId || interaction.followUpIds.includes(id));
    const message = owned ? this.#messages.get(id) : undefined;
    if (!message) throw unknownMessage();
    return message;
  }

  #followUp(params: Record<string, string>, record: RecordedRequest): Answer {
    const interaction = this.#webhookInteraction(params);
    // A follow-up needs an initial response first; until then the webhook does not exist.
    if (!interaction.acknowledged) throw unknownWebhook();
    const payload = this.#parseMessagePayload(record.body ?? {});
    const message = this.#createInteractionMessage(interaction, payload, record.files, 0);
    interaction.followUpIds.push(message.id);
    return record.query.get('wait') === 'true' ? { status: 200, body: message } : { status: 204 };
  }

  #getWebhookMessage(params: Record<string, string>): Answer {
    const interaction = this.#webhookInteraction(params);
    return { status: 200, body: this.#webhookMessage(interaction, params.message ?? '') };
  }

  #editWebhookMessage(params: Record<string, string>, record: RecordedRequest): Answer {
    const interaction = this.#webhookInteraction(params);
    const message = this.#webhookMessage(interaction, params.message ?? '');
    const payload = this.#parseMessagePayload(record.body ?? {});
    this.#applyEdit(message, payload, record.files, interaction.attachmentSizeLimit);
    return { status: 200, body: message };
  }

  #deleteWebhookMessage(params: Record<string, string>): Answer {
    const interaction = this.#webhookInteraction(params);
    const message = this.#webhookMessage(interaction, params.message ?? '');
    this.#messages.delete(message.id);
    return { status: 204 };
  }

  #channelFixture(channelId: string): GuildFixture {
    const guild = this.#guilds.find((g) => g.channelId === channelId);
    if (!guild) throw new DiscordHttpError(404, 10003, 'Unknown Channel');
    return guild;
  }

  #channelObject(channelId: string): Record<string, unknown> {
    const direct = this.#directChannels.get(channelId);
    if (direct) return this.#directChannelObject(direct);
    const guild = this.#channelFixture(channelId);
    return {
      id: channelId,
      type: 0,
      guild_id: guild.id,
      name: 'general',
      position: 0,
      permission_overwrites: [],
      parent_id: null,
      nsfw: false,
      topic: null,
      rate_limit_per_user: 0,
      last_message_id: null,
      flags: 0,
    };
  }

  #requireBotPermission(permission: bigint): void {
    if ((this.#botPermissions & PERMISSION.viewChannel) === 0n) {
      throw new DiscordHttpError(403, 50001, 'Missing Access');
    }
    if ((this.#botPermissions & permission) !== permission) {
      throw new DiscordHttpError(403, 50013, 'Missing Permissions');
    }
  }

  #createChannelMessage(params: Record<string, string>, record: RecordedRequest): Answer {
    const channelId = params.channel ?? '';
    const direct = this.#directChannels.get(channelId);
    const guild = direct ? undefined : this.#channelFixture(channelId);
    if (direct) {
      // A direct message needs no permission in a server, only the user's consent.
      if (this.#closedDirectMessages.has(direct.recipient.id)) throw new DiscordHttpError(403, 50007, 'Cannot send messages to this user');
    } else {
      this.#requireBotPermission(PERMISSION.sendMessages);
      if (record.files.length > 0) this.#requireBotPermission(PERMISSION.attachFiles);
    }
    const payload = this.#parseMessagePayload(record.body ?? {});
    this.#checkContent(payload);
    const repeated = this.#messageWithNonce(payload);
    if (repeated) return { status: 200, body: repeated };
    const message: StandInMessage = {
      ...this.#baseMessage(this.#snowflake(), channelId, this.#botUser),
      ...(guild ? { guild_id: guild.id } : {}),
      type: payload.message_reference ? 19 : 0,
    };
    // Outside a server the bot's own limit applies (boosts raise a server's limit, not a direct message's).
    this.#fillMessage(message, payload, record.files, guild ? this.#uploadLimit : DEFAULT_UPLOAD_LIMIT, true);
    if (payload.allowed_mentions) message.allowed_mentions = payload.allowed_mentions;
    if (payload.message_reference) {
      message.message_reference = { ...payload.message_reference, channel_id: channelId, ...(guild ? { guild_id: guild.id } : {}) };
    }
    this.#messages.set(message.id, message);
    if (payload.enforce_nonce === true && payload.nonce != null) {
      this.#nonces.set(`${this.#botUser.id}:${String(payload.nonce)}`, { messageId: message.id, at: Date.now() });
    }
    return { status: 200, body: message };
  }

  /**
   * With `enforce_nonce`, a nonce the same author used within the last few minutes answers with the message
   * made then, and nothing new is posted (https://discord.com/developers/docs/resources/message#create-message).
   */
  #messageWithNonce(payload: MessagePayload): StandInMessage | undefined {
    if (payload.enforce_nonce !== true || payload.nonce == null) return undefined;
    const seen = this.#nonces.get(`${this.#botUser.id}:${String(payload.nonce)}`);
    const windowMs = this.#options.nonceWindowMs ?? DEFAULT_NONCE_WINDOW_MS;
    if (!seen || Date.now() - seen.at > windowMs) return undefined;
    return this.#messages.get(seen.messageId);
  }

  /** POST /users/@me/channels: the direct-message channel with a user, the same one each time. */
  #createDirectChannel(record: RecordedRequest): Answer {
    const parsed = createDmSchema.safeParse(record.body ?? {});
    if (!parsed.success) throw invalidFormBody('recipient_id', 'BASE_TYPE_REQUIRED', 'This field is required');
    return { status: 200, body: this.#directChannelObject(this.#directChannelWith(parsed.data.recipient_id)) };
  }

  /** The one direct-message channel between the bot and a user, opened the first time either side uses it. */
  #directChannelWith(userId: string): DirectChannel {
    let channel = [...this.#directChannels.values()].find((c) => c.recipient.id === userId);
    if (!channel) {
      const recipient: StandInUser = {
        id: userId,
        username: `member${userId.slice(-4)}`,
        global_name: null,
        discriminator: '0',
        avatar: null,
      };
      channel = { id: this.#snowflake(), recipient };
      this.#directChannels.set(channel.id, channel);
    }
    return channel;
  }

  #directChannelObject(channel: DirectChannel): Record<string, unknown> {
    return { id: channel.id, type: 1, last_message_id: null, flags: 0, recipients: [channel.recipient] };
  }

  #channelMessage(params: Record<string, string>): StandInMessage {
    if (!this.#directChannels.has(params.channel ?? '')) this.#channelFixture(params.channel ?? '');
    const message = this.#messages.get(params.message ?? '');
    // Ephemeral messages exist only for the member who saw them; the bot token cannot reach them.
    if (!message || message.channel_id !== params.channel || (message.flags & FLAG_EPHEMERAL) !== 0) {
      throw unknownMessage();
    }
    return message;
  }

  #editChannelMessage(params: Record<string, string>, record: RecordedRequest): Answer {
    const message = this.#channelMessage(params);
    if (message.author.id !== this.botUserId || message.webhook_id !== undefined) {
      throw new DiscordHttpError(403, 50005, 'Cannot edit a message authored by another user');
    }
    this.#applyEdit(message, this.#parseMessagePayload(record.body ?? {}), record.files, this.#uploadLimit);
    return { status: 200, body: message };
  }

  // ---------------------------------------------------------------- messages

  #parseMessagePayload(body: unknown): MessagePayload {
    const parsed = messagePayloadSchema.safeParse(body);
    if (!parsed.success) throw invalidFormBody('_root', 'BASE_TYPE_INVALID', parsed.error.message);
    return parsed.data;
  }

  #baseMessage(id: string, channelId: string, author: StandInUser): StandInMessage {
    return {
      id,
      type: 0,
      channel_id: channelId,
      author,
      content: '',
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      attachments: [],
      embeds: [],
      components: [],
      pinned: false,
      flags: 0,
    };
  }

  #createInteractionMessage(
    interaction: InteractionState,
    payload: MessagePayload,
    files: RecordedFile[],
    extraFlags: number,
    loading = false,
  ): StandInMessage {
    const original = interaction.originalMessageId;
    const message: StandInMessage = {
      ...this.#baseMessage(this.#snowflake(), interaction.channelId, this.#botUser),
      type: interaction.commandType === 1 ? 20 : 23,
      webhook_id: interaction.applicationId,
      application_id: interaction.applicationId,
      interaction_metadata: {
        id: interaction.id,
        type: interaction.type,
        name: interaction.commandName,
        command_type: interaction.commandType,
        user: interaction.user,
        authorizing_integration_owners: interaction.guildId === null ? { '1': interaction.user.id } : { '0': interaction.guildId },
        ...(original !== undefined ? { original_response_message_id: original } : {}),
      },
      interaction: {
        id: interaction.id,
        type: interaction.type,
        name: interaction.commandName,
        user: interaction.user,
      },
    };
    if (interaction.guildId !== null) message.guild_id = interaction.guildId;
    this.#fillMessage(message, payload, files, interaction.attachmentSizeLimit, !loading);
    message.flags |= extraFlags;
    if (payload.allowed_mentions) message.allowed_mentions = payload.allowed_mentions;
    this.#messages.set(message.id, message);
    return message;
  }

  /** Sets content, embeds, components, flags and attachments of a new message, enforcing Discord's limits. */
  #fillMessage(
    message: StandInMessage,
    payload: MessagePayload,
    files: RecordedFile[],
    uploadLimit: number,
    requireContent: boolean,
  ): void {
    this.#checkContent(payload);
    const attachments = this.#resolveAttachments(message, [], payload, files, uploadLimit);
    const empty =
      !payload.content &&
      !payload.embeds?.length &&
      !payload.components?.length &&
      attachments.length === 0 &&
      !payload.poll &&
      !payload.sticker_ids?.length;
    if (requireContent && empty) throw new DiscordHttpError(400, 50006, 'Cannot send an empty message');
    message.content = payload.content ?? '';
    message.embeds = payload.embeds ?? [];
    message.components = payload.components ?? [];
    message.attachments = attachments;
    message.flags = (payload.flags ?? 0) & (EDITABLE_FLAGS | FLAG_EPHEMERAL);
    message.tts = payload.tts ?? false;
  }

  #applyEdit(message: StandInMessage, payload: MessagePayload, files: RecordedFile[], uploadLimit: number): void {
    this.#checkContent(payload);
    const attachments = this.#resolveAttachments(message, message.attachments, payload, files, uploadLimit);
    if (payload.content !== undefined) message.content = payload.content ?? '';
    if (payload.embeds !== undefined) message.embeds = payload.embeds ?? [];
    if (payload.components !== undefined) message.components = payload.components ?? [];
    if (payload.allowed_mentions) message.allowed_mentions = payload.allowed_mentions;
    message.attachments = attachments;
    const keptFlags = message.flags & FLAG_EPHEMERAL;
    const editable = (payload.flags ?? message.flags) & EDITABLE_FLAGS;
    // Editing a deferred response replaces the "thinking…" placeholder: the loading flag goes.
    message.flags = keptFlags | editable;
    message.edited_timestamp = new Date().toISOString();
  }

  #checkContent(payload: MessagePayload): void {
    if ((payload.content?.length ?? 0) > MAX_CONTENT_LENGTH) {
      throw invalidFormBody('content', 'BASE_TYPE_MAX_LENGTH', `Must be ${MAX_CONTENT_LENGTH} or fewer in length.`);
    }
    if (typeof payload.nonce === 'string' && payload.nonce.length > MAX_NONCE_LENGTH) {
      throw invalidFormBody('nonce', 'BASE_TYPE_MAX_LENGTH', `Must be ${MAX_NONCE_LENGTH} or fewer in length.`);
    }
  }

  /**
   * Discord's attachment rules: `attachments` lists what the message keeps (existing ids) and describes new
   * uploads (id n = part `files[n]`); without it an edit keeps what was there and adds the uploads.
   */
  #resolveAttachments(
    message: StandInMessage,
    existing: StandInAttachment[],
    payload: MessagePayload,
    files: RecordedFile[],
    uploadLimit: number,
  ): StandInAttachment[] {
    const tooLarge = files.find((file) => file.sizeBytes > uploadLimit);
    if (tooLarge) throw new DiscordHttpError(413, 40005, 'Request entity too large');
    const uploads = new Map(files.map((file, position) => [fileIndex(file.field, position), file]));
    const used = new Set<number>();
    const result: StandInAttachment[] = [];
    const ephemeral = (message.flags & FLAG_EPHEMERAL) !== 0 || ((payload.flags ?? 0) & FLAG_EPHEMERAL) !== 0;
    if (payload.attachments) {
      for (const [position, ref] of payload.attachments.entries()) {
        const id = String(ref.id);
        const kept = existing.find((attachment) => attachment.id === id);
        if (kept) {
          result.push(kept);
          continue;
        }
        const upload = /^\d+$/.test(id) ? uploads.get(Number(id)) : undefined;
        if (!upload) {
          throw invalidFormBody(`attachments.${position}.id`, 'ATTACHMENT_NOT_FOUND', `Unknown attachment ${id}`);
        }
        used.add(Number(id));
        const filename = ref.filename ?? upload.filename;
        result.push(this.#storeUpload(message.channel_id, upload, filename, ref.description ?? undefined, ephemeral));
      }
    } else {
      result.push(...existing);
    }
    for (const [index, upload] of uploads) {
      if (used.has(index)) continue;
      result.push(this.#storeUpload(message.channel_id, upload, upload.filename, undefined, ephemeral));
    }
    if (result.length > MAX_ATTACHMENTS) {
      throw invalidFormBody('attachments', 'BASE_TYPE_MAX_LENGTH', `Must be ${MAX_ATTACHMENTS} or fewer in length.`);
    }
    return result;
  }

  #storeUpload(
    channelId: string,
    file: RecordedFile,
    filename: string,
    description: string | undefined,
    ephemeral: boolean,
  ): StandInAttachment {
    const id = this.#snowflake();
    const name = `${channelId}/${id}/${filename}`;
    this.#hosted.set(name, { data: file.data, contentType: file.contentType ?? 'application/octet-stream' });
    // Discord CDN links are signed and expire (`ex`, hex seconds); the bot must not rely on them lasting.
    const issued = Math.floor(Date.now() / 1000);
    const expires = (issued + 86_400).toString(16);
    const signature = `?ex=${expires}&is=${issued.toString(16)}&hm=${randomBytes(32).toString('hex')}&`;
    const url = `${this.baseUrl}${CDN_PREFIX}${encodePath(name)}${signature}`;
    return {
      id,
      filename,
      size: file.sizeBytes,
      url,
      proxy_url: url,
      ...(file.contentType ? { content_type: file.contentType } : {}),
      ...(description !== undefined ? { description } : {}),
      ...(ephemeral ? { ephemeral: true } : {}),
    };
  }

  // ---------------------------------------------------------------- waiting

  #notify(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }

  #waitUntil<T>(check: () => T | undefined, timeoutMs: number, describe: () => string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const first = check();
      if (first !== undefined) {
        resolve(first);
        return;
      }
      const finish = (outcome: () => void) => {
        clearTimeout(timer);
        this.#waiters.delete(waiter);
        outcome();
      };
      const waiter: Waiter = () => {
        if (this.#closed) {
          finish(() => reject(new Error(`stand-in closed while waiting: ${describe()}`)));
          return;
        }
        let found: T | undefined;
        try {
          found = check();
        } catch (error) {
          finish(() => reject(error instanceof Error ? error : new Error(String(error))));
          return;
        }
        if (found !== undefined) finish(() => resolve(found));
      };
      const timer = setTimeout(() => finish(() => reject(new Error(describe()))), timeoutMs);
      this.#waiters.add(waiter);
    });
  }
}
