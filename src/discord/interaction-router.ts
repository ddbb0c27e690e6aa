import {
  InteractionContextType,
  MessageFlags,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type Interaction,
  type MessageContextMenuCommandInteraction,
  type ModalSubmitInteraction,
} from 'discord.js';
import { genericApology, notEnabledText, preconditionText, restartingText } from '../catalogue/render-reply.ts';
import { randomId } from '../random.ts';
import type { ButtonHandler, CommandContext, MessageCommand, ModalHandler, SlashCommand } from './command.ts';
import { unmetPrecondition } from './preconditions.ts';
import { localeOf } from './interaction-locale.ts';

/**
 * Hands each slash command and message menu command to its handler once its declared preconditions hold
 * (guild only, Manage Server), and each button and form (modal) to the handler of its custom_id's prefix. Anything a handler did not turn into a reply
 * itself becomes a short apology with a reference id, so the member never sees "The application did not
 * respond". While the bot stops, every command and button is answered "restarting" instead, and stopping
 * waits for those already being handled.
 */
export class InteractionRouter {
  readonly #commands: ReadonlyMap<string, SlashCommand>;
  readonly #buttons: readonly ButtonHandler[];
  readonly #messageCommands: ReadonlyMap<string, MessageCommand>;
  readonly #modals: readonly ModalHandler[];
  readonly #context: CommandContext;
  /** When set (ALLOWED_GUILDS), the only servers the bot works in. */
  readonly #allowedGuilds: ReadonlySet<string> | undefined;
  readonly #inFlight = new Set<Promise<void>>();
  /** Told of each interaction from its arrival until its handler is done (acknowledgements-first.ts). */
  readonly #acknowledgements: { arrived(id: string): () => void } | undefined;
  #accepting = true;

  constructor(
    commands: readonly SlashCommand[],
    buttons: readonly ButtonHandler[],
    context: CommandContext,
    options: {
      allowedGuilds?: readonly string[];
      messageCommands?: readonly MessageCommand[];
      modals?: readonly ModalHandler[];
      acknowledgements?: { arrived(id: string): () => void };
    } = {},
  ) {
    this.#acknowledgements = options.acknowledgements;
    this.#commands = new Map(commands.map((command) => [command.data.name, command]));
    this.#buttons = buttons;
    this.#messageCommands = new Map((options.messageCommands ?? []).map((command) => [command.data.name, command]));
    this.#modals = options.modals ?? [];
    this.#context = context;
    this.#allowedGuilds = options.allowedGuilds ? new Set(options.allowedGuilds) : undefined;
  }

  handle(interaction: Interaction): Promise<void> {
    // Counted before anything else runs: work of tasks accepted meanwhile lets this one be answered first. It
    // counts as answered once its first response is sent (a request says so itself, answered-interactions.ts
    // for every other handler), or at the latest once its handler is done.
    const answered = this.#acknowledgements?.arrived(interaction.id);
    const handling = this.#handle(interaction);
    this.#inFlight.add(handling);
    // Cleaned up either way, without a second promise that could reject unhandled.
    const done = () => {
      this.#inFlight.delete(handling);
      answered?.();
    };
    handling.then(done, done);
    return handling;
  }

  /** From now on, commands and buttons are answered "restarting" and not handled: the bot is stopping. */
  stopAccepting(): void {
    this.#accepting = false;
  }

  /** Resolves once no interaction is being handled (their writes are done, their replies sent). */
  async idle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  async #handle(interaction: Interaction): Promise<void> {
    const answerable =
      interaction.isButton() ||
      interaction.isChatInputCommand() ||
      interaction.isMessageContextMenuCommand() ||
      interaction.isModalSubmit();
    if (!this.#accepting && answerable) {
      // Privately, and before anything else: nothing is reserved or recorded for a bot about to exit.
      await this.#run(interaction, 'restarting', () =>
        interaction
          .reply({ content: restartingText(localeOf(interaction)), flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } })
          .then(() => undefined),
      );
      return;
    }
    if (answerable && !this.#enabledIn(interaction.guildId) && !this.#pressedInDirectMessages(interaction)) {
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
    if (interaction.isModalSubmit()) {
      const modal = this.#modals.find((m) => interaction.customId.startsWith(m.prefix));
      if (modal)
        await this.#run(interaction, interaction.customId.split(':')[0] ?? 'modal', () => modal.execute(interaction, this.#context));
      return;
    }
    if (interaction.isMessageContextMenuCommand()) {
      const command = this.#messageCommands.get(interaction.commandName);
      if (command) await this.#runCommand(interaction, command);
      else this.#context.logger.warn('unknown command', { command: interaction.commandName });
      return;
    }
    if (!interaction.isChatInputCommand()) return;
    const command = this.#commands.get(interaction.commandName);
    if (!command) {
      this.#context.logger.warn('unknown command', { command: interaction.commandName });
      return;
    }
    await this.#runCommand(interaction, command);
  }

  async #runCommand<I extends ChatInputCommandInteraction | MessageContextMenuCommandInteraction>(
    interaction: I,
    command: { readonly preconditions?: SlashCommand['preconditions']; execute(interaction: I, context: CommandContext): Promise<void> },
  ): Promise<void> {
    await this.#run(interaction, interaction.commandName, async () => {
      const unmet = unmetPrecondition(interaction, command.preconditions ?? []);
      if (unmet === undefined) return command.execute(interaction, this.#context);
      this.#context.logger.info('command refused by a precondition', { command: interaction.commandName, unmet });
      // A slash command is named with its slash; a message menu command by its name alone, as the menu shows it.
      const name = interaction.isChatInputCommand() ? `/${interaction.commandName}` : interaction.commandName;
      await interaction.reply({
        content: preconditionText(unmet, name, localeOf(interaction)),
        flags: MessageFlags.Ephemeral,
        allowedMentions: { parse: [] },
      });
    });
  }

  #enabledIn(guildId: string | null): boolean {
    return this.#allowedGuilds === undefined || (guildId !== null && this.#allowedGuilds.has(guildId));
  }

  /** A button declared `inDirectMessages`, pressed in a DM with the bot (no server, context BOT_DM). */
  #pressedInDirectMessages(interaction: Interaction): boolean {
    if (!interaction.isButton() || interaction.guildId !== null || interaction.context !== InteractionContextType.BotDM) return false;
    return this.#buttons.find((b) => interaction.customId.startsWith(b.prefix))?.inDirectMessages === true;
  }

  async #run(
    interaction: ChatInputCommandInteraction | ButtonInteraction | MessageContextMenuCommandInteraction | ModalSubmitInteraction,
    name: string,
    handler: () => Promise<void>,
  ): Promise<void> {
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
