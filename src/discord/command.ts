import type { DownloadPolicy } from '../download-policy.ts';
import type {
  ButtonInteraction,
  ChatInputCommandInteraction,
  MessageContextMenuCommandInteraction,
  ModalSubmitInteraction,
  RESTPostAPIChatInputApplicationCommandsJSONBody,
  RESTPostAPIContextMenuApplicationCommandsJSONBody,
} from 'discord.js';
import type { DeletedVideos } from '../animation/deleted-videos.ts';
import type { KeptPictures } from '../animation/kept-pictures.ts';
import type { MemberDefaultsSource } from '../animation/member-defaults.ts';
import type { MemberSettings } from '../animation/member-settings.ts';
import type { PendingPictures } from '../animation/pending-pictures.ts';
import type { AnimationRequests } from '../animation/request-animation.ts';
import type { VideoResends } from '../animation/resend-video.ts';
import type { Precondition } from '../catalogue/render-reply.ts';
import type { Logger } from '../logger.ts';
import type { QuotaService } from '../quota/quota-service.ts';
import type { TaskStore } from '../tasks/task-store.ts';
import type { TaskTracker } from '../tasks/task-tracker.ts';

/** What a command handler may use: the core services, built once in app.ts. */
export interface CommandContext {
  readonly animations: AnimationRequests;
  /** Sends a finished video again, with a fresh link from the provider (/animate-history). */
  readonly resends: VideoResends;
  readonly tracker: TaskTracker;
  readonly quota: QuotaService;
  readonly tasks: TaskStore;
  readonly logger: Logger;
  readonly clock: { now(): number };
  /** The picture a member chose with the "Animate" message menu, kept while they fill in its form. */
  readonly pictures: PendingPictures;
  /** A member's own defaults for the options they leave out (set with /animate-settings). */
  readonly memberDefaults: MemberDefaultsSource;
  /** Where /animate-settings changes those defaults (the same store `memberDefaults` reads). */
  readonly settings: MemberSettings;
  /** The picture of each generation, kept for the buttons under its video (IMAGE_RETENTION_HOURS). */
  readonly keptPictures: KeptPictures;
  /** Videos removed with their Delete button: /animate-history does not send them again. */
  readonly deletedVideos: DeletedVideos;
  /** Where pictures may be downloaded from (ATTACHMENT_HOSTS): the Animate menu takes only a picture it may fetch. */
  readonly downloads: DownloadPolicy;
}

/**
 * What a command needs before its handler runs (`guild_only`, `manage_guild`), checked once by the router,
 * which also words the refusal. Permissions are checked at run time because servers can change who sees a
 * command.
 */
export type { Precondition };

/** One slash command: its registration payload and its handler (the discord.js guide's pattern). */
export interface SlashCommand {
  readonly data: { readonly name: string; toJSON(): RESTPostAPIChatInputApplicationCommandsJSONBody };
  readonly preconditions?: readonly Precondition[];
  execute(interaction: ChatInputCommandInteraction, context: CommandContext): Promise<void>;
}

/** One message context-menu command (long-press a message → Apps): its registration payload and its handler. */
export interface MessageCommand {
  readonly data: { readonly name: string; toJSON(): RESTPostAPIContextMenuApplicationCommandsJSONBody };
  readonly preconditions?: readonly Precondition[];
  execute(interaction: MessageContextMenuCommandInteraction, context: CommandContext): Promise<void>;
}

/** Forms (modals) the bot shows, routed by the start of their custom_id like buttons. */
export interface ModalHandler {
  readonly prefix: string;
  execute(interaction: ModalSubmitInteraction, context: CommandContext): Promise<void>;
}

/** Buttons the bot puts on its messages, routed by the start of their custom_id. */
export interface ButtonHandler {
  readonly prefix: string;
  /**
   * Also handled when pressed in the member's direct messages with the bot, whatever ALLOWED_GUILDS says
   * (it names servers, and a DM has none): only for a button that reserves and spends nothing, such as
   * Delete under a video sent by direct message. Every other interaction without a server stays refused.
   */
  readonly inDirectMessages?: boolean;
  execute(interaction: ButtonInteraction, context: CommandContext): Promise<void>;
}

/** The server of a command declared `guild_only`: the router has checked there is one. */
export function guildIdOf(interaction: ChatInputCommandInteraction): string {
  if (interaction.guildId === null) throw new Error(`${interaction.commandName} ran outside a server despite its guild_only precondition`);
  return interaction.guildId;
}
