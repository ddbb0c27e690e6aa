/**
 * Registers the bot's commands with Discord and exits: globally by default, or in one server with
 * `-- --guild ID` (instant, for development). Goes through DISCORD_API_URL like the bot itself. Every
 * failure is one line an operator can act on: usage mistakes exit 2, Discord's refusals exit 1.
 */
import { parseArgs } from 'node:util';
import { DiscordAPIError, REST, RESTJSONErrorCodes, Routes, type APIApplication } from 'discord.js';
import { commandPayloads, commandTitles } from './command-registry.ts';
import { loadDiscordConfigOrExplain } from './config.ts';
import { describeError } from './describe-error.ts';
import { discordRestOptions } from './discord/rest-options.ts';

const USAGE = `usage:
  npm run deploy-commands                            register the commands globally (up to an hour to appear)
  npm run deploy-commands -- --guild <SERVER_ID>     register them in one server, at once
  npm run deploy-commands -- --help                  this text
Options go after --, so that npm passes them on. Reads DISCORD_TOKEN (and DISCORD_API_URL) from .env.
`;

/** The bot's permissions in the README's invite link: view, send, attach, embed, read history. */
const INVITE_PERMISSIONS = 117760;

type Arguments = { help: true } | { help: false; guild?: string } | { mistake: string };

function readArguments(argv: string[]): Arguments {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { guild: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, strict: true });
  } catch (error) {
    // A bare server id is what `npm run deploy-commands --guild 123` leaves: npm kept `--guild` for itself.
    const bare = argv.some((arg) => /^\d{1,20}$/.test(arg));
    const hint = bare ? ' (options go after --: npm run deploy-commands -- --guild <SERVER_ID>)' : '';
    return { mistake: `${error instanceof Error ? error.message : String(error)}${hint}` };
  }
  if (parsed.values.help) return { help: true };
  const guild = parsed.values.guild;
  if (guild !== undefined && !/^\d{1,20}$/.test(guild)) return { mistake: '--guild takes a server id (digits)' };
  return { help: false, ...(guild !== undefined ? { guild } : {}) };
}

async function main(): Promise<number> {
  const args = readArguments(process.argv.slice(2));
  if ('mistake' in args) {
    process.stderr.write(`deploy-commands: ${args.mistake}\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const config = loadDiscordConfigOrExplain();
  if (!config) return 1;
  const rest = new REST(discordRestOptions(config.discordApiUrl)).setToken(config.discordToken);
  let application: APIApplication;
  try {
    application = (await rest.get(Routes.currentApplication())) as APIApplication;
  } catch (error) {
    process.stderr.write(`deploy-commands: ${explain(error, config.discordApiUrl)}\n`);
    return 1;
  }
  try {
    const body = commandPayloads();
    const route = args.guild ? Routes.applicationGuildCommands(application.id, args.guild) : Routes.applicationCommands(application.id);
    const registered = (await rest.put(route, { body })) as unknown[];
    const where = args.guild ? `in server ${args.guild}` : 'globally (may take up to an hour to appear)';
    process.stdout.write(`Registered ${registered.length} command(s) ${where}: ${commandTitles().join(', ')}\n`);
    return 0;
  } catch (error) {
    if (args.guild && error instanceof DiscordAPIError && error.code === RESTJSONErrorCodes.MissingAccess) {
      // The commonest newcomer mistake: the bot is not in that server, or was invited without this scope.
      const invite = `https://discord.com/oauth2/authorize?client_id=${application.id}&scope=bot+applications.commands&permissions=${INVITE_PERMISSIONS}`;
      process.stderr.write(
        `deploy-commands: the bot is not in server ${args.guild}, or was invited without the applications.commands scope. Invite it with: ${invite}\n`,
      );
      return 1;
    }
    process.stderr.write(`deploy-commands: ${explain(error, config.discordApiUrl)}\n`);
    return 1;
  }
}

/** Discord's refusals in words an operator can act on; anything else with its code and the address used. */
function explain(error: unknown, apiUrl: string): string {
  if (error instanceof DiscordAPIError && error.status === 401) return 'Discord refused the bot token (401): check DISCORD_TOKEN in .env';
  if (error instanceof DiscordAPIError) return `Discord refused the request: ${error.message} (${error.status})`;
  return `could not reach Discord at ${apiUrl}: ${describeError(error)}`;
}

process.exitCode = await main();
