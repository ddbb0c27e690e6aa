/**
 * A member's own defaults for the options they leave out (duration, cfg_scale, negative prompt). Every front
 * end asks here before falling back to the bot's defaults. app.ts hands in the store /animate-settings writes
 * (src/animation/member-settings.ts); `noMemberDefaults` is for tests and tools that need none.
 */
import type { AnimateOptions } from '../tasks/task-record.ts';

export type MemberDefaults = Partial<Pick<AnimateOptions, 'duration' | 'cfgScale' | 'negativePrompt'>>;

export interface MemberDefaultsSource {
  defaultsFor(member: { guildId: string; userId: string }): Promise<MemberDefaults>;
}

/** The bot's own defaults, for whatever neither the member's input nor their defaults say. */
export const BOT_DEFAULTS = { duration: '5', cfgScale: 0.5 } as const satisfies Omit<MemberDefaults, 'negativePrompt'>;

export const noMemberDefaults: MemberDefaultsSource = {
  defaultsFor: () => Promise.resolve({}),
};
