/**
 * Every command and button the bot offers. Part of the wiring: the Discord layer routes whatever it is
 * given and never imports commands/ itself; app.ts hands these to the router, and the deploy script
 * registers exactly these.
 */
import { animateAdminCommand } from '../commands/animate-admin.ts';
import { animateQuotaCommand } from '../commands/animate-quota.ts';
import { animateCancelButton, animateCommand } from '../commands/animate.ts';
import type { ButtonHandler, SlashCommand } from './discord/command.ts';

export const commands: readonly SlashCommand[] = [animateCommand, animateQuotaCommand, animateAdminCommand];

export const buttons: readonly ButtonHandler[] = [animateCancelButton];
