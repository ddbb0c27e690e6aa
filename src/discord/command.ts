import type { ChatInputCommandInteraction, RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';
import type { Logger } from '../logger.ts';
import type { TaskTracker } from '../tasks/task-tracker.ts';

/** What a command handler may use: the core services, built once in index.ts. */
export interface CommandContext {
  readonly tracker: TaskTracker;
  readonly logger: Logger;
  readonly clock: { now(): number };
}

/** One slash command: its registration payload and its handler (the discord.js guide's pattern). */
export interface SlashCommand {
  readonly data: { readonly name: string; toJSON(): RESTPostAPIChatInputApplicationCommandsJSONBody };
  execute(interaction: ChatInputCommandInteraction, context: CommandContext): Promise<void>;
}
