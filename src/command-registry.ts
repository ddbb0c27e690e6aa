/**
 * Every command and button the bot offers. Part of the wiring: the Discord layer routes whatever it is
 * given and never imports commands/ itself; app.ts hands these to the router, and the deploy script
 * registers exactly these.
 */
import { animateAdminCommand } from '../commands/animate-admin.ts';
import { animateHistoryCommand, animateResendButton } from '../commands/animate-history.ts';
import { animateFormHandler, animateMessageCommand } from '../commands/animate-message.ts';
import { animateQuotaCommand } from '../commands/animate-quota.ts';
import {
  animateDeleteButton,
  animateRemixButton,
  animateRemixForm,
  animateRerollButton,
  animateTenSecondsButton,
} from '../commands/animate-result.ts';
import { animateRetryButton } from '../commands/animate-retry.ts';
import { animateSettingsCommand } from '../commands/animate-settings.ts';
import { animateCancelButton, animateCommand } from '../commands/animate.ts';
import type { ButtonHandler, MessageCommand, ModalHandler, SlashCommand } from './discord/command.ts';

export const commands: readonly SlashCommand[] = [
  animateCommand,
  animateQuotaCommand,
  animateAdminCommand,
  animateHistoryCommand,
  animateSettingsCommand,
];

export const buttons: readonly ButtonHandler[] = [
  animateCancelButton,
  animateRetryButton,
  animateResendButton,
  animateRerollButton,
  animateRemixButton,
  animateTenSecondsButton,
  animateDeleteButton,
];

/** Commands in a message's menu (long-press a message → Apps). */
export const messageCommands: readonly MessageCommand[] = [animateMessageCommand];

/** Forms (modals) the bot shows, routed by the start of their custom_id. */
export const modals: readonly ModalHandler[] = [animateFormHandler, animateRemixForm];

/** What `npm run deploy-commands` registers, and what the bot compares with Discord's list at start-up. */
export function commandPayloads() {
  return [...commands.map((command) => command.data.toJSON()), ...messageCommands.map((command) => command.data.toJSON())];
}

/** Each command as a member finds it: `/animate` for a slash command, `Animate` (in Apps) for a message menu one. */
export function commandTitles(): string[] {
  return [...commands.map((command) => `/${command.data.name}`), ...messageCommands.map((command) => command.data.name)];
}
