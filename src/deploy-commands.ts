/**
 * Registers the bot's commands with Discord and exits: globally by default, or in one server with
 * `-- --guild ID` (instant, for development). Goes through DISCORD_API_URL like the bot itself.
 */
import { parseArgs } from 'node:util';
import { REST, Routes, type APIApplication } from 'discord.js';
import { loadConfigOrExplain } from './config.ts';
import { commands } from './command-registry.ts';
import { discordRestOptions } from './discord/rest-options.ts';

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { guild: { type: 'string' } }, strict: true });
  if (values.guild !== undefined && !/^\d{1,20}$/.test(values.guild)) {
    process.stderr.write('deploy-commands: --guild takes a server id (digits)\n');
    return 1;
  }
  const config = loadConfigOrExplain();
  if (!config) return 1;
  const rest = new REST(discordRestOptions(config.discordApiUrl)).setToken(config.discordToken);
  try {
    const application = (await rest.get(Routes.currentApplication())) as APIApplication;
    const body = commands.map((command) => command.data.toJSON());
    const route = values.guild ? Routes.applicationGuildCommands(application.id, values.guild) : Routes.applicationCommands(application.id);
    const registered = (await rest.put(route, { body })) as unknown[];
    const where = values.guild ? `in server ${values.guild}` : 'globally (may take up to an hour to appear)';
    process.stdout.write(`Registered ${registered.length} command(s) ${where}: ${commands.map((c) => `/${c.data.name}`).join(', ')}\n`);
    return 0;
  } catch (error) {
    // Only the message: a REST error object carries the request, and with it the token.
    process.stderr.write(`deploy-commands: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

process.exitCode = await main();
