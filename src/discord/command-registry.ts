import { animateCommand } from '../../commands/animate.ts';
import type { SlashCommand } from './command.ts';

/** Every command the bot offers; the deploy script registers exactly these. */
export const commands: readonly SlashCommand[] = [animateCommand];
