import { randomUUID } from 'node:crypto';
import { MessageFlags, type ButtonInteraction, type ChatInputCommandInteraction, type Interaction } from 'discord.js';
import type { ButtonHandler, CommandContext, SlashCommand } from './command.ts';
import { genericApology } from './messages.ts';

/**
 * Hands each slash command to its handler. Anything a handler did not turn into a reply itself becomes a
 * short apology with a reference id, so the member never sees "The application did not respond".
 */
export class InteractionRouter {
  readonly #commands: ReadonlyMap<string, SlashCommand>;
  readonly #context: CommandContext;

  readonly #buttons: readonly ButtonHandler[];

  constructor(commands: readonly SlashCommand[], buttons: readonly ButtonHandler[], context: CommandContext) {
    this.#commands = new Map(commands.map((command) => [command.data.name, command]));
    this.#buttons = buttons;
    this.#context = context;
  }

  async handle(interaction: Interaction): Promise<void> {
    if (interaction.isButton()) {
      const button = this.#buttons.find((b) => interaction.customId.startsWith(b.prefix));
      if (button)
        await this.#run(interaction, interaction.customId.split(':')[0] ?? 'button', () => button.execute(interaction, this.#context));
      return;
    }
    if (!interaction.isChatInputCommand()) return;
    const command = this.#commands.get(interaction.commandName);
    if (!command) {
      this.#context.logger.warn('unknown command', { command: interaction.commandName });
      return;
    }
    await this.#run(interaction, interaction.commandName, () => command.execute(interaction, this.#context));
  }

  async #run(interaction: ChatInputCommandInteraction | ButtonInteraction, name: string, handler: () => Promise<void>): Promise<void> {
    try {
      await handler();
    } catch (error) {
      const ref = randomUUID().slice(0, 8);
      this.#context.logger.error('command failed', { command: name, ref, error });
      const reply = { content: genericApology(ref), allowedMentions: { parse: [] } };
      try {
        if (!interaction.deferred && !interaction.replied) await interaction.reply({ ...reply, flags: MessageFlags.Ephemeral });
        // A button's message belongs to the generation it controls: answer beside it, never over it.
        else if (interaction.isButton()) await interaction.followUp({ ...reply, flags: MessageFlags.Ephemeral });
        else await interaction.editReply(reply);
      } catch (replyError) {
        this.#context.logger.error('could not tell the member about a failure', { ref, error: replyError });
      }
    }
  }
}
