/**
 * A member's own defaults for the options they leave out (duration, cfg_scale, negative prompt). Every front
 * end asks here before falling back to the bot's defaults. app.ts hands in the store /animate-settings writes
 * (src/animation/member-settings.ts); `noMemberDefaults` is for tests and tools that need none.
 */
import type { KnownValue } from '../store/known-values.ts';
import type { AnimateOptions } from '../tasks/task-record.ts';

export type MemberDefaults = Partial<Pick<AnimateOptions, 'duration' | 'cfgScale' | 'negativePrompt'>>;

export interface MemberDefaultsSource {
  defaultsFor(member: { guildId: string; userId: string }): Promise<MemberDefaults>;
}

/**
 * A member's defaults as a booking is decided on them (src/animation/request-animation.ts): as last read here, or
 * none when never read, which is what most members have; the booking checks that still holds, and on a change they
 * are read now.
 */
export interface DefaultsForBooking {
  knownOrNone(member: { guildId: string; userId: string }): KnownValue<MemberDefaults>;
  read(member: { guildId: string; userId: string }): Promise<KnownValue<MemberDefaults>>;
}

/** What a member typed, the rest left to their defaults and then the bot's. */
export type GivenOptions = Pick<AnimateOptions, 'prompt'> & MemberDefaults;

/** The options from what the member gave, else their own defaults (/animate-settings), else the bot's. */
export function withDefaults(given: GivenOptions, defaults: MemberDefaults): AnimateOptions {
  const negativePrompt = given.negativePrompt ?? defaults.negativePrompt;
  return {
    prompt: given.prompt,
    duration: given.duration ?? defaults.duration ?? BOT_DEFAULTS.duration,
    cfgScale: given.cfgScale ?? defaults.cfgScale ?? BOT_DEFAULTS.cfgScale,
    ...(negativePrompt !== undefined ? { negativePrompt } : {}),
  };
}

/** The bot's own defaults, for whatever neither the member's input nor their defaults say. */
export const BOT_DEFAULTS = { duration: '5', cfgScale: 0.5 } as const satisfies Omit<MemberDefaults, 'negativePrompt'>;

export const noMemberDefaults: MemberDefaultsSource = {
  defaultsFor: () => Promise.resolve({}),
};
