/**
 * Every command and button the bot offers. Part of the wiring: the Discord layer routes whatever it is
 * given and never imports commands/ itself; app.ts hands these to the router, and the deploy script
 * registers exactly these.
 */
import { animateAdminCommand } from '../commands/animate-admin.ts';
import { animateHistoryCommand, animateResendButton } from '../commands/animate-history.ts';
import { animateQuotaCommand } from '../commands/animate-quota.ts';
import { animateRetryButton } from '../commands/animate-retry.ts';
import { animateCancelButton, animateCommand } from '../commands/animate.ts';
import type { ButtonHandler, SlashCommand } from './discord/command.ts';

export const commands: readonly SlashCommand[] = [animateCommand, animateQuotaCommand, animateAdminCommand, animateHistoryCommand];

export const buttons: readonly ButtonHandler[] = [animateCancelButton, animateRetryButton, animateResendButton];
