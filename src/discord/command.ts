import type { ButtonInteraction, ChatInputCommandInteraction, RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';
import type { Logger } from '../logger.ts';
import type { QuotaService } from '../quota/quota-service.ts';
import type { TaskStore } from '../tasks/task-store.ts';
import type { TaskTracker } from '../tasks/task-tracker.ts';

/** What a command handler may use: the core services, built once in index.ts. */
export interface CommandContext {
  readonly tracker: TaskTracker;
  readonly quota: QuotaService;
  readonly tasks: TaskStore;
  readonly logger: Logger;
  readonly clock: { now(): number };
}

/** One slash command: its registration payload and its handler (the discord.js guide's pattern). */
export interface SlashCommand {
  readonly data: { readonly name: string; toJSON(): RESTPostAPIChatInputApplicationCommandsJSONBody };
  execute(interaction: ChatInputCommandInteraction, context: CommandContext): Promise<void>;
}

/** Buttons the bot puts on its messages, routed by the start of their custom_id. */
export interface ButtonHandler {
  readonly prefix: string;
  execute(interaction: ButtonInteraction, context: CommandContext): Promise<void>;
}
