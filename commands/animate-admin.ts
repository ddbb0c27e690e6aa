/**
 * /animate-admin: moderators decide how much each server, role and member may generate. Registered for
 * Manage Server and checked again here, because servers can change who sees a command.
 */
import {
  ApplicationIntegrationType,
  ChannelType,
  InteractionContextType,
  MessageFlags,
  PermissionFlagsBits,
  SlashCommandBuilder,
  channelMention,
  roleMention,
  time,
  TimestampStyles,
  userMention,
  type ChatInputCommandInteraction,
  type SlashCommandSubcommandBuilder,
} from 'discord.js';
import type { CommandContext, SlashCommand } from '../src/discord/command.ts';
import { unitsText } from '../src/discord/messages.ts';
import { limitText } from '../src/discord/quota-messages.ts';
import { QUOTA_PERIODS, type Limit, type QuotaPeriod } from '../src/quota/quota-settings.ts';

const MAX_UNITS = 100_000;

const withUnits = (sub: SlashCommandSubcommandBuilder, what: string) =>
  sub
    .addIntegerOption((o) =>
      o.setName('units').setDescription(`${what} (units per period; 0 blocks)`).setMinValue(0).setMaxValue(MAX_UNITS),
    )
    .addBooleanOption((o) => o.setName('unlimited').setDescription('No limit at all'));

const data = new SlashCommandBuilder()
  .setName('animate-admin')
  .setDescription('Decide who may generate how many videos in this server')
  .setContexts(InteractionContextType.Guild)
  .setIntegrationTypes(ApplicationIntegrationType.GuildInstall)
  .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
  .addSubcommand((s) => withUnits(s.setName('default').setDescription("Set the server's default allowance per member"), 'Allowance'))
  .addSubcommand((s) =>
    withUnits(
      s
        .setName('role')
        .setDescription("Set a role's allowance (members get the highest of their roles)")
        .addRoleOption((o) => o.setName('role').setDescription('The role').setRequired(true)),
      'Allowance',
    ).addBooleanOption((o) => o.setName('clear').setDescription('Remove the setting for this role')),
  )
  .addSubcommand((s) =>
    withUnits(
      s
        .setName('member')
        .setDescription("Set one member's allowance (overrides roles and the default)")
        .addUserOption((o) => o.setName('member').setDescription('The member').setRequired(true)),
      'Allowance',
    ).addBooleanOption((o) => o.setName('clear').setDescription('Remove the setting for this member')),
  )
  .addSubcommand((s) =>
    withUnits(s.setName('budget').setDescription("Set the server's total budget and its period"), 'Budget').addStringOption((o) =>
      o
        .setName('period')
        .setDescription('When usage renews (UTC)')
        .addChoices({ name: 'day', value: 'day' }, { name: 'week (from Monday)', value: 'week' }, { name: 'month', value: 'month' }),
    ),
  )
  .addSubcommand((s) =>
    s
      .setName('limits')
      .setDescription('How many generations may run and wait at once')
      .addIntegerOption((o) => o.setName('running').setDescription('Running per member').setMinValue(1).setMaxValue(100))
      .addIntegerOption((o) =>
        o.setName('waiting').setDescription('Waiting per member (they hold their units)').setMinValue(0).setMaxValue(100),
      )
      .addIntegerOption((o) =>
        o
          .setName('server_running')
          .setDescription('Running in the whole server (0 = no server-wide limit)')
          .setMinValue(0)
          .setMaxValue(1000),
      ),
  )
  .addSubcommand((s) =>
    s
      .setName('channels')
      .setDescription('Choose the channels where /animate may be used')
      .addStringOption((o) =>
        o
          .setName('action')
          .setDescription('What to do')
          .setRequired(true)
          .addChoices(
            { name: 'allow a channel', value: 'add' },
            { name: 'stop allowing a channel', value: 'remove' },
            { name: 'allow everywhere', value: 'clear' },
          ),
      )
      .addChannelOption((o) =>
        o
          .setName('channel')
          .setDescription('The channel')
          .addChannelTypes(ChannelType.GuildText, ChannelType.GuildVoice, ChannelType.PublicThread, ChannelType.PrivateThread),
      ),
  )
  .addSubcommand((s) => s.setName('usage').setDescription('Spend this period, top members, settings, and what is running and waiting'))
  .addSubcommand((s) =>
    s
      .setName('grant')
      .setDescription('Give a member extra units for this period')
      .addUserOption((o) => o.setName('member').setDescription('The member').setRequired(true))
      .addIntegerOption((o) => o.setName('units').setDescription('Extra units').setRequired(true).setMinValue(1).setMaxValue(MAX_UNITS)),
  )
  .addSubcommand((s) =>
    s
      .setName('reset')
      .setDescription('Give back everything a member spent this period')
      .addUserOption((o) => o.setName('member').setDescription('The member').setRequired(true)),
  );

type Reply = (content: string) => Promise<void>;

async function execute(interaction: ChatInputCommandInteraction, context: CommandContext): Promise<void> {
  const reply: Reply = async (content) => {
    await interaction.reply({ content, flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
  };
  const guildId = interaction.guildId;
  if (!guildId) return reply('/animate-admin works in servers only.');
  // Servers can show the command to anyone; the permission is what counts.
  if (!interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild)) {
    return reply('🚫 Only members with the Manage Server permission can change video limits.');
  }
  const sub = interaction.options.getSubcommand(true);
  const by = interaction.user.id;
  context.logger.info('quota settings command', { guildId, by, sub });

  switch (sub) {
    case 'default':
    case 'budget': {
      const limit = readLimit(interaction);
      const period = interaction.options.getString('period') as QuotaPeriod | null;
      if (limit === 'missing' && !period) return reply('Give `units` or `unlimited: True`' + (sub === 'budget' ? ', or a `period`.' : '.'));
      const before = await context.quota.quota(guildId);
      const after = await context.quota.updateSettings(guildId, (s) => ({
        ...s,
        ...(limit !== 'missing' ? (sub === 'default' ? { memberDefault: limit } : { serverUnits: limit }) : {}),
        ...(period && QUOTA_PERIODS.includes(period) ? { period } : {}),
      }));
      const lines: string[] = [];
      if (sub === 'default')
        lines.push(
          `✅ Default allowance per member: ${units(before.memberDefault)} → **${units(after.memberDefault)}** per ${after.period}.`,
        );
      if (sub === 'budget' && limit !== 'missing')
        lines.push(`✅ Server budget: ${units(before.serverUnits)} → **${units(after.serverUnits)}** per ${after.period}.`);
      if (period && period !== before.period) {
        const renews = after.period === 'week' ? ' on Mondays' : after.period === 'month' ? ' on the 1st' : '';
        lines.push(`✅ Period: ${before.period} → **${after.period}** (renews at 00:00 UTC${renews}; usage counts afresh from now).`);
      } else if (period) lines.push(`Period: already **${after.period}**.`);
      return reply(lines.join('\n'));
    }
    case 'role':
    case 'member': {
      const id = sub === 'role' ? interaction.options.getRole('role', true).id : interaction.options.getUser('member', true).id;
      const who = sub === 'role' ? roleMention(id) : userMention(id);
      const field: 'roleUnits' | 'memberUnits' = sub === 'role' ? 'roleUnits' : 'memberUnits';
      const clear = interaction.options.getBoolean('clear') ?? false;
      const limit = readLimit(interaction);
      if (!clear && limit === 'missing') return reply('Give `units`, `unlimited: True`, or `clear: True`.');
      const before = (await context.quota.settings(guildId))[field][id];
      const after = await context.quota.updateSettings(guildId, (s) => {
        const others = Object.entries(s[field]).filter(([key]) => key !== id);
        const map = Object.fromEntries(!clear && limit !== 'missing' ? [...others, [id, limit]] : others);
        return { ...s, [field]: map };
      });
      const previous = before === undefined ? 'not set' : units(before);
      if (clear)
        return reply(
          `✅ Allowance for ${who}: ${previous} → **not set** (${sub === 'role' ? 'members fall back to their other roles or the default' : 'roles or the default apply'}).`,
        );
      return reply(`✅ Allowance for ${who}: ${previous} → **${units(after[field][id] ?? null)}** per ${after.period}.`);
    }
    case 'limits': {
      const running = interaction.options.getInteger('running');
      const waiting = interaction.options.getInteger('waiting');
      const serverRunning = interaction.options.getInteger('server_running');
      if (running === null && waiting === null && serverRunning === null)
        return reply('Give at least one of `running`, `waiting`, `server_running`.');
      const before = await context.quota.quota(guildId);
      const after = await context.quota.updateSettings(guildId, (s) => ({
        ...s,
        ...(running !== null ? { memberRunning: running } : {}),
        ...(waiting !== null ? { memberWaiting: waiting } : {}),
        ...(serverRunning !== null ? { serverRunning: serverRunning === 0 ? null : serverRunning } : {}),
      }));
      const lines: string[] = [];
      if (running !== null)
        lines.push(`✅ Running per member: ${limitText(before.memberRunning)} → **${limitText(after.memberRunning)}**.`);
      if (waiting !== null)
        lines.push(`✅ Waiting per member: ${limitText(before.memberWaiting)} → **${limitText(after.memberWaiting)}**.`);
      if (serverRunning !== null)
        lines.push(`✅ Running in the server: ${limitText(before.serverRunning)} → **${limitText(after.serverRunning)}**.`);
      return reply(lines.join('\n'));
    }
    case 'channels': {
      const action = interaction.options.getString('action', true);
      const channel = interaction.options.getChannel('channel');
      if (action !== 'clear' && !channel) return reply('Choose a `channel`.');
      const after = await context.quota.updateSettings(guildId, (s) => {
        if (action === 'clear') return { ...s, allowedChannels: [] };
        const others = s.allowedChannels.filter((c) => c !== channel?.id);
        return { ...s, allowedChannels: action === 'add' && channel ? [...others, channel.id] : others };
      });
      const now = after.allowedChannels.length === 0 ? 'every channel' : after.allowedChannels.map((c) => channelMention(c)).join(', ');
      const what =
        action === 'clear'
          ? 'No channel restriction'
          : `${action === 'add' ? 'Allowed' : 'No longer allowed'}: ${channelMention(channel?.id ?? '')}`;
      return reply(`✅ ${what}. /animate can now be used in ${now}.`);
    }
    case 'grant': {
      const user = interaction.options.getUser('member', true);
      const amount = interaction.options.getInteger('units', true);
      const standing = await context.quota.grant(guildId, user.id, optionMemberRoles(interaction), amount);
      const left = standing.left === null ? 'no limit' : unitsText(standing.left);
      return reply(
        `✅ Granted ${unitsText(amount)} to ${userMention(user.id)} for this ${standing.period.kind} (until ${time(Math.round(standing.period.end / 1000), TimestampStyles.LongDateShortTime)}). They now have ${left} left.`,
      );
    }
    case 'reset': {
      const user = interaction.options.getUser('member', true);
      const given = await context.quota.resetMember(guildId, user.id);
      return reply(
        given > 0
          ? `✅ Gave ${unitsText(given)} back to ${userMention(user.id)}: their spending this period is reset.`
          : `${userMention(user.id)} has no finished generations to give back this period (ones in progress are refunded if they fail).`,
      );
    }
    case 'usage':
      return reply(await usageText(context, guildId));
    default:
      return reply('Unknown subcommand.');
  }
}

/** The roles of the member named in the `member` option, as Discord resolved them with the command. */
function optionMemberRoles(interaction: ChatInputCommandInteraction): string[] {
  const member = interaction.options.getMember('member');
  if (!member) return [];
  return Array.isArray(member.roles) ? member.roles : [...member.roles.cache.keys()];
}

/** `units`, `unlimited`, or neither given. */
function readLimit(interaction: ChatInputCommandInteraction): Limit | 'missing' {
  if (interaction.options.getBoolean('unlimited')) return null;
  const value = interaction.options.getInteger('units');
  return value ?? 'missing';
}

function units(limit: Limit): string {
  return limit === null ? 'no limit' : unitsText(limit);
}

async function usageText(context: CommandContext, guildId: string): Promise<string> {
  const [usage, quota, open] = await Promise.all([
    context.quota.serverUsage(guildId),
    context.quota.quota(guildId),
    context.tasks.listOpen(),
  ]);
  const here = open.filter((t) => t.requester.guildId === guildId);
  const waiting = here.filter((t) => t.state === 'waiting');
  const running = here.filter((t) => t.state !== 'waiting');
  const renews = time(Math.round(usage.period.end / 1000), TimestampStyles.RelativeTime);
  const lines = [
    `📊 **This ${usage.period.kind}**: ${unitsText(usage.used)} used of ${units(usage.budget)}; renews ${renews}.`,
    usage.topMembers.length > 0
      ? `Top members: ${usage.topMembers.map((m) => `${userMention(m.userId)} ${m.used}`).join(', ')}`
      : 'Nobody has generated anything this period yet.',
    `Running: ${running.length === 0 ? 'none' : running.map((t) => userMention(t.requester.userId)).join(', ')}`,
    `Waiting: ${waiting.length === 0 ? 'none' : waiting.map((t) => userMention(t.requester.userId)).join(', ')}`,
    `⚙️ Default ${units(quota.memberDefault)} per member per ${quota.period}; ` +
      `${limitText(quota.memberRunning)} running and ${limitText(quota.memberWaiting)} waiting per member; ` +
      `server-wide running: ${limitText(quota.serverRunning)}.`,
    `Roles: ${formatMap(quota.roleUnits, roleMention)} · Members: ${formatMap(quota.memberUnits, userMention)}`,
    `Channels: ${quota.allowedChannels.length === 0 ? 'everywhere' : quota.allowedChannels.map((c) => channelMention(c)).join(', ')}`,
  ];
  return lines.join('\n').slice(0, 2000);
}

function formatMap(map: Readonly<Record<string, Limit>>, mention: (id: string) => string): string {
  const entries = Object.entries(map);
  return entries.length === 0 ? 'none set' : entries.map(([id, limit]) => `${mention(id)} ${limitText(limit)}`).join(', ');
}

export const animateAdminCommand: SlashCommand = { data, execute };
