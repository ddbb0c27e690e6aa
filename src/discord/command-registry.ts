import { animateAdminCommand } from '../../commands/animate-admin.ts';
import { animateQuotaCommand } from '../../commands/animate-quota.ts';
import { animateCancelButton, animateCommand } from '../../commands/animate.ts';
import type { ButtonHandler, SlashCommand } from './command.ts';

/** Every command the bot offers; the deploy script registers exactly these. */
export const commands: readonly SlashCommand[] = [animateCommand, animateQuotaCommand, animateAdminCommand];

/** Every button the bot's messages carry. */
export const buttons: readonly ButtonHandler[] = [animateCancelButton];
