import { MessageFlags, type ButtonInteraction, type ChatInputCommandInteraction, type Interaction } from 'discord.js';
import { genericApology, notEnabledText, preconditionText } from '../catalogue/render-reply.ts';
import { randomId } from '../random.ts';
import type { ButtonHandler, CommandContext, SlashCommand } from './command.ts';
import { unmetPrecondition } from './preconditions.ts';
import { localeOf } from './interaction-locale.ts';

/**
 * Hands each slash command to its handler once its declared preconditions hold (guild only, Manage Server),
 * and each button to the handler of its custom_id's prefix. Anything a handler did not turn into a reply
 * itself becomes a short apology with a reference id, so the member never sees "The application did not
 * respond".
 */
export class InteractionRouter {
  readonly #commands: ReadonlyMap<string, SlashCommand>;
  readonly #buttons: readonly ButtonHandler[];
  readonly #context: CommandContext;
  /** When set (ALLOWED_GUILDS), the only servers the bot works in. */
  readonly #allowedGuilds: ReadonlySet<string> | undefined;

  constructor(
    commands: readonly SlashCommand[],
    buttons: readonly ButtonHandler[],
    context: CommandContext,
    options: { allowedGuilds?: readonly string[] } = {},
  ) {
    this.#commands = new Map(commands.map((command) => [command.data.name, command]));
    this.#buttons = buttons;
    this.#context = context;
    this.#allowedGuilds = options.allowedGuilds ? new Set(options.allowedGuilds) : undefined;
  }

  async handle(interaction: Interaction): Promise<void> {
    if ((interaction.isButton() || interaction.isChatInputCommand()) && !this.#enabledIn(interaction.guildId)) {
      // Before anything else: nothing is reserved, submitted or stored for a server the operator did not enable.
      await this.#run(interaction, 'not enabled', () =>
        interaction
          .reply({ content: notEnabledText(localeOf(interaction)), flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } })
          .then(() => undefined),
      );
      return;
    }
    if (interaction.isButton()) {
      const button = this.#buttons.find((b) => interaction.customId.startsWith(b.prefix));
      if (button) {
        await this.#run(interaction, interaction.customId.split(':')[0] ?? 'button', () => button.execute(interaction, this.#context));
      }
      return;
    }
    if (!interaction.isChatInputCommand()) return;
    const command = this.#commands.get(interaction.commandName);
    if (!command) {
      this.#context.logger.warn('unknown command', { command: interaction.commandName });
      return;
    }
    await this.#run(interaction, interaction.commandName, async () => {
      const unmet = unmetPrecondition(interaction, command.preconditions ?? []);
      if (unmet === undefined) return command.execute(interaction, this.#context);
      this.#context.logger.info('command refused by a precondition', { command: interaction.commandName, unmet });
      await interaction.reply({
        content: preconditionText(unmet, `/${interaction.commandName}`, localeOf(interaction)),
        flags: MessageFlags.Ephemeral,
        allowedMentions: { parse: [] },
      });
    });
  }

  #enabledIn(guildId: string | null): boolean {
    return this.#allowedGuilds === undefined || (guildId !== null && this.#allowedGuilds.has(guildId));
  }

  async #run(interaction: ChatInputCommandInteraction | ButtonInteraction, name: string, handler: () => Promise<void>): Promise<void> {
    try {
      await handler();
    } catch (error) {
      const ref = randomId().slice(0, 8);
      this.#context.logger.error('command failed', { command: name, ref, error });
      const reply = { content: genericApology(ref, localeOf(interaction)), allowedMentions: { parse: [] } };
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
