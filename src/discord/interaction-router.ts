import { randomUUID } from 'node:crypto';
import { MessageFlags, type Interaction } from 'discord.js';
import type { CommandContext, SlashCommand } from './command.ts';
import { genericApology } from './messages.ts';

/**
 * Hands each slash command to its handler. Anything a handler did not turn into a reply itself becomes a
 * short apology with a reference id, so the member never sees "The application did not respond".
 */
export class InteractionRouter {
  readonly #commands: ReadonlyMap<string, SlashCommand>;
  readonly #context: CommandContext;

  constructor(commands: readonly SlashCommand[], context: CommandContext) {
    this.#commands = new Map(commands.map((command) => [command.data.name, command]));
    this.#context = context;
  }

  async handle(interaction: Interaction): Promise<void> {
    if (!interaction.isChatInputCommand()) return;
    const command = this.#commands.get(interaction.commandName);
    if (!command) {
      this.#context.logger.warn('unknown command', { command: interaction.commandName });
      return;
    }
    try {
      await command.execute(interaction, this.#context);
    } catch (error) {
      const ref = randomUUID().slice(0, 8);
      this.#context.logger.error('command failed', { command: interaction.commandName, ref, error });
      const reply = { content: genericApology(ref), allowedMentions: { parse: [] } };
      try {
        if (interaction.deferred || interaction.replied) await interaction.editReply(reply);
        else await interaction.reply({ ...reply, flags: MessageFlags.Ephemeral });
      } catch (replyError) {
        this.#context.logger.error('could not tell the member about a failure', { ref, error: replyError });
      }
    }
  }
}
