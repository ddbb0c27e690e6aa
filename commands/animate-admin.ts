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
  type ChatInputCommandInteraction,
  type SlashCommandSubcommandBuilder,
} from 'discord.js';
import { choice, described, type CommandTextKey } from '../src/catalogue/command-texts.ts';
import { adminAnswerText, type AdminAnswer, type ChannelChange, type SettingChange } from '../src/catalogue/render-admin.ts';
import { guildIdOf, type CommandContext, type SlashCommand } from '../src/discord/command.ts';
import { QUOTA_PERIODS, type Limit, type QuotaPeriod } from '../src/quota/quota-settings.ts';
import { localeOf } from '../src/discord/interaction-locale.ts';

const MAX_UNITS = 100_000;

const withUnits = (sub: SlashCommandSubcommandBuilder, units: CommandTextKey) =>
  sub
    .addIntegerOption((o) => described(o.setName('units'), units).setMinValue(0).setMaxValue(MAX_UNITS))
    .addBooleanOption((o) => described(o.setName('unlimited'), 'command.animate-admin.unlimited'));

const data = described(new SlashCommandBuilder().setName('animate-admin'), 'command.animate-admin')
  .setContexts(InteractionContextType.Guild)
  .setIntegrationTypes(ApplicationIntegrationType.GuildInstall)
  .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
  .addSubcommand((s) =>
    withUnits(described(s.setName('default'), 'command.animate-admin.default'), 'command.animate-admin.units.allowance'),
  )
  .addSubcommand((s) =>
    withUnits(
      described(s.setName('role'), 'command.animate-admin.role').addRoleOption((o) =>
        described(o.setName('role'), 'command.animate-admin.role.role').setRequired(true),
      ),
      'command.animate-admin.units.allowance',
    ).addBooleanOption((o) => described(o.setName('clear'), 'command.animate-admin.role.clear')),
  )
  .addSubcommand((s) =>
    withUnits(
      described(s.setName('member'), 'command.animate-admin.member').addUserOption((o) =>
        described(o.setName('member'), 'command.animate-admin.member.member').setRequired(true),
      ),
      'command.animate-admin.units.allowance',
    ).addBooleanOption((o) => described(o.setName('clear'), 'command.animate-admin.member.clear')),
  )
  .addSubcommand((s) =>
    withUnits(described(s.setName('budget'), 'command.animate-admin.budget'), 'command.animate-admin.units.budget').addStringOption((o) =>
      described(o.setName('period'), 'command.animate-admin.budget.period').addChoices(
        choice('command.animate-admin.budget.period.day', 'day'),
        choice('command.animate-admin.budget.period.week', 'week'),
        choice('command.animate-admin.budget.period.month', 'month'),
      ),
    ),
  )
  .addSubcommand((s) =>
    described(s.setName('limits'), 'command.animate-admin.limits')
      .addIntegerOption((o) => described(o.setName('running'), 'command.animate-admin.limits.running').setMinValue(1).setMaxValue(100))
      .addIntegerOption((o) => described(o.setName('waiting'), 'command.animate-admin.limits.waiting').setMinValue(0).setMaxValue(100))
      .addIntegerOption((o) =>
        described(o.setName('server_running'), 'command.animate-admin.limits.server_running').setMinValue(0).setMaxValue(1000),
      )
      .addBooleanOption((o) => described(o.setName('running_unlimited'), 'command.animate-admin.limits.running_unlimited'))
      .addBooleanOption((o) => described(o.setName('waiting_unlimited'), 'command.animate-admin.limits.waiting_unlimited')),
  )
  .addSubcommand((s) =>
    described(s.setName('channels'), 'command.animate-admin.channels')
      .addStringOption((o) =>
        described(o.setName('action'), 'command.animate-admin.channels.action')
          .setRequired(true)
          .addChoices(
            choice('command.animate-admin.channels.action.add', 'add'),
            choice('command.animate-admin.channels.action.remove', 'remove'),
            choice('command.animate-admin.channels.action.clear', 'clear'),
          ),
      )
      .addChannelOption((o) =>
        described(o.setName('channel'), 'command.animate-admin.channels.channel').addChannelTypes(
          ChannelType.GuildText,
          ChannelType.GuildVoice,
          ChannelType.PublicThread,
          ChannelType.PrivateThread,
        ),
      ),
  )
  .addSubcommand((s) => described(s.setName('usage'), 'command.animate-admin.usage'))
  .addSubcommand((s) =>
    described(s.setName('grant'), 'command.animate-admin.grant')
      .addUserOption((o) => described(o.setName('member'), 'command.animate-admin.grant.member').setRequired(true))
      .addIntegerOption((o) =>
        described(o.setName('units'), 'command.animate-admin.grant.units').setRequired(true).setMinValue(1).setMaxValue(MAX_UNITS),
      ),
  )
  .addSubcommand((s) =>
    described(s.setName('reset'), 'command.animate-admin.reset').addUserOption((o) =>
      described(o.setName('member'), 'command.animate-admin.reset.member').setRequired(true),
    ),
  );

type AdminHandler = (interaction: ChatInputCommandInteraction, context: CommandContext, guildId: string) => Promise<AdminAnswer>;

/** Each subcommand does what it asks and says what it did, as data the catalogue words. */
const subcommands: Readonly<Record<string, AdminHandler>> = {
  default: setUnits,
  budget: setUnits,
  role: setAllowance,
  member: setAllowance,
  limits: setLimits,
  channels: setChannels,
  usage: (_interaction, context, guildId) => usage(context, guildId),
  grant: async (interaction, context, guildId) => {
    const user = interaction.options.getUser('member', true);
    const amount = interaction.options.getInteger('units', true);
    const standing = await context.quota.grant(guildId, user.id, optionMemberRoles(interaction), amount);
    return { kind: 'granted', userId: user.id, units: amount, period: standing.period, left: standing.left };
  },
  reset: async (interaction, context, guildId) => {
    const user = interaction.options.getUser('member', true);
    return { kind: 'reset', userId: user.id, units: await context.quota.resetMember(guildId, user.id) };
  },
};

async function execute(interaction: ChatInputCommandInteraction, context: CommandContext): Promise<void> {
  const guildId = guildIdOf(interaction);
  const sub = interaction.options.getSubcommand(true);
  context.logger.info('quota settings command', { guildId, by: interaction.user.id, sub });
  const handler = subcommands[sub];
  const answer: AdminAnswer = handler ? await handler(interaction, context, guildId) : { kind: 'unknown_subcommand' };
  const ceiling = context.quota.defaults.serverMaxUnitsPerDay;
  await interaction.reply({
    content: adminAnswerText(answer, localeOf(interaction), ceiling !== null && raisesAbove(answer, ceiling) ? ceiling : undefined),
    flags: MessageFlags.Ephemeral,
    allowedMentions: { parse: [] },
  });
}

/** Whether the answer sets an allowance or budget the operator's ceiling per server will cut short. */
function raisesAbove(answer: AdminAnswer, ceiling: number): boolean {
  const above = (limit: Limit) => limit === null || limit > ceiling;
  if (answer.kind === 'allowance_set') return above(answer.after);
  if (answer.kind !== 'settings_changed') return false;
  return answer.changes.some((c) => (c.setting === 'member_default' || c.setting === 'server_budget') && above(c.after));
}

/** `default` (each member's allowance) and `budget` (the server's, and its period). */
async function setUnits(interaction: ChatInputCommandInteraction, context: CommandContext, guildId: string): Promise<AdminAnswer> {
  const sub = interaction.options.getSubcommand(true);
  const limit = readLimit(interaction);
  const period = interaction.options.getString('period') as QuotaPeriod | null;
  if (limit === 'conflict') return { kind: 'conflict', options: 'units_unlimited' };
  if (limit === 'missing' && !period) return { kind: 'missing', needs: sub === 'budget' ? 'units_or_period' : 'units' };
  const before = await context.quota.quota(guildId);
  const after = await context.quota.updateSettings(guildId, (s) => ({
    ...s,
    ...(limit !== 'missing' ? (sub === 'default' ? { memberDefault: limit } : { serverUnits: limit }) : {}),
    ...(period && QUOTA_PERIODS.includes(period) ? { period } : {}),
  }));
  const changes: SettingChange[] = [];
  if (sub === 'default')
    changes.push({ setting: 'member_default', before: before.memberDefault, after: after.memberDefault, period: after.period });
  if (sub === 'budget' && limit !== 'missing') {
    changes.push({ setting: 'server_budget', before: before.serverUnits, after: after.serverUnits, period: after.period });
  }
  if (period && period !== before.period) changes.push({ setting: 'period', before: before.period, after: after.period });
  else if (period) changes.push({ setting: 'period_unchanged', period: after.period });
  return { kind: 'settings_changed', changes };
}

/** `role` and `member`: one role's or one member's own allowance, or clearing it. */
async function setAllowance(interaction: ChatInputCommandInteraction, context: CommandContext, guildId: string): Promise<AdminAnswer> {
  const target = interaction.options.getSubcommand(true) === 'role' ? 'role' : 'member';
  const id = target === 'role' ? interaction.options.getRole('role', true).id : interaction.options.getUser('member', true).id;
  const field = target === 'role' ? 'roleUnits' : 'memberUnits';
  const clear = interaction.options.getBoolean('clear') ?? false;
  const limit = readLimit(interaction);
  if (limit === 'conflict') return { kind: 'conflict', options: 'units_unlimited' };
  if (!clear && limit === 'missing') return { kind: 'missing', needs: 'units_or_clear' };
  const before = (await context.quota.settings(guildId))[field][id];
  const after = await context.quota.updateSettings(guildId, (s) => {
    const others = Object.entries(s[field]).filter(([key]) => key !== id);
    return { ...s, [field]: Object.fromEntries(!clear && limit !== 'missing' ? [...others, [id, limit]] : others) };
  });
  if (clear) return { kind: 'allowance_cleared', target, id, before };
  return { kind: 'allowance_set', target, id, before, after: after[field][id] ?? null, period: after.period };
}

async function setLimits(interaction: ChatInputCommandInteraction, context: CommandContext, guildId: string): Promise<AdminAnswer> {
  const running = readLimit(interaction, 'running', 'running_unlimited');
  const waiting = readLimit(interaction, 'waiting', 'waiting_unlimited');
  const serverRunning = interaction.options.getInteger('server_running');
  if (running === 'conflict') return { kind: 'conflict', options: 'running_unlimited' };
  if (waiting === 'conflict') return { kind: 'conflict', options: 'waiting_unlimited' };
  if (running === 'missing' && waiting === 'missing' && serverRunning === null) return { kind: 'missing', needs: 'limits' };
  const before = await context.quota.quota(guildId);
  const after = await context.quota.updateSettings(guildId, (s) => ({
    ...s,
    ...(running !== 'missing' ? { memberRunning: running } : {}),
    ...(waiting !== 'missing' ? { memberWaiting: waiting } : {}),
    ...(serverRunning !== null ? { serverRunning: serverRunning === 0 ? null : serverRunning } : {}),
  }));
  const changes: SettingChange[] = [];
  if (running !== 'missing') changes.push({ setting: 'member_running', before: before.memberRunning, after: after.memberRunning });
  if (waiting !== 'missing') changes.push({ setting: 'member_waiting', before: before.memberWaiting, after: after.memberWaiting });
  if (serverRunning !== null) changes.push({ setting: 'server_running', before: before.serverRunning, after: after.serverRunning });
  return { kind: 'settings_changed', changes };
}

async function setChannels(interaction: ChatInputCommandInteraction, context: CommandContext, guildId: string): Promise<AdminAnswer> {
  const action = interaction.options.getString('action', true);
  const channel = interaction.options.getChannel('channel');
  if (action !== 'clear' && !channel) return { kind: 'missing', needs: 'channel' };
  const current = (await context.quota.quota(guildId)).allowedChannels;
  if (action === 'remove' && channel && current.length === 1 && current[0] === channel.id) {
    return { kind: 'last_channel', channelId: channel.id };
  }
  const after = await context.quota.updateSettings(guildId, (s) => {
    if (action === 'clear') return { ...s, allowedChannels: [] };
    const others = s.allowedChannels.filter((c) => c !== channel?.id);
    return { ...s, allowedChannels: action === 'add' && channel ? [...others, channel.id] : others };
  });
  const change: ChannelChange =
    action === 'clear' ? { action: 'clear' } : { action: action === 'add' ? 'add' : 'remove', channelId: channel?.id ?? '' };
  return { kind: 'channels_changed', change, allowed: after.allowedChannels };
}

/** The roles of the member named in the `member` option, as Discord resolved them with the command. */
function optionMemberRoles(interaction: ChatInputCommandInteraction): string[] {
  const member = interaction.options.getMember('member');
  if (!member) return [];
  return Array.isArray(member.roles) ? member.roles : [...member.roles.cache.keys()];
}

/** `units`, `unlimited`, neither given, or both (a contradiction, refused). */
function readLimit(interaction: ChatInputCommandInteraction, units = 'units', unlimited = 'unlimited'): Limit | 'missing' | 'conflict' {
  const value = interaction.options.getInteger(units);
  if (interaction.options.getBoolean(unlimited)) return value === null ? null : 'conflict';
  return value ?? 'missing';
}

async function usage(context: CommandContext, guildId: string): Promise<AdminAnswer> {
  const [usage, quota, here] = await Promise.all([
    context.quota.serverUsage(guildId),
    context.quota.quota(guildId),
    context.tasks.openInGuild(guildId),
  ]);
  const waiting = here.filter((t) => t.state === 'waiting').map((t) => t.requester.userId);
  const running = here.filter((t) => t.state !== 'waiting').map((t) => t.requester.userId);
  return { kind: 'usage', usage, quota, running, waiting };
}

export const animateAdminCommand: SlashCommand = { data, preconditions: ['guild_only', 'manage_guild'], execute };
