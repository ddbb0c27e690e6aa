/**
 * The defaults a member set with /animate-settings, per member per server (a member may want 10 s videos in
 * one server and 5 s in another, and each server's moderators decide what a unit buys). Kept in the store
 * without expiry: they are the member's choice until they reset them.
 */
import { KnownValues, type KnownValue } from '../store/known-values.ts';
import type { Store } from '../store/store.ts';
import { animateOptionsSchema } from '../tasks/task-record.ts';
import type { DefaultsForBooking, MemberDefaults, MemberDefaultsSource } from './member-defaults.ts';

const memberDefaultsSchema = animateOptionsSchema.pick({ duration: true, cfgScale: true, negativePrompt: true }).partial();

interface Member {
  guildId: string;
  userId: string;
}

const settingsKey = (member: Member) => `member-defaults:${member.guildId}:${member.userId}`;

export class MemberSettings implements MemberDefaultsSource, DefaultsForBooking {
  readonly #store: Store;
  /** Those read for a booking; most members set none and are never read for one. */
  readonly #known: KnownValues<MemberDefaults>;

  constructor(store: Store) {
    this.#store = store;
    this.#known = new KnownValues(store, defaultsFrom);
  }

  async defaultsFor(member: Member): Promise<MemberDefaults> {
    return defaultsFrom(await this.#store.kv.get(settingsKey(member)));
  }

  knownOrNone(member: Member): KnownValue<MemberDefaults> {
    return this.#known.knownOrAbsent(settingsKey(member));
  }

  read(member: Member): Promise<KnownValue<MemberDefaults>> {
    return this.#known.read(settingsKey(member));
  }

  /** Changes the defaults given, keeps the others; resolves to the member's defaults now. */
  async change(member: Member, change: MemberDefaults): Promise<MemberDefaults> {
    const next = withoutUndefined({ ...(await this.defaultsFor(member)), ...memberDefaultsSchema.parse(change) });
    await this.#store.kv.set(settingsKey(member), next);
    this.#known.forget(settingsKey(member));
    return next;
  }

  async reset(member: Member): Promise<void> {
    await this.#store.kv.delete(settingsKey(member));
    this.#known.forget(settingsKey(member));
  }
}

function defaultsFrom(stored: unknown): MemberDefaults {
  // Most members never set any: that answer skips building zod's refusal.
  if (stored === undefined) return {};
  const parsed = memberDefaultsSchema.safeParse(stored);
  return parsed.success ? withoutUndefined(parsed.data) : {};
}

/** The defaults given, without the keys whose value is undefined (zod's optional fields come out that way). */
export function withoutUndefined(defaults: { [K in keyof MemberDefaults]?: MemberDefaults[K] | undefined }): MemberDefaults {
  const { duration, cfgScale, negativePrompt } = defaults;
  return {
    ...(duration !== undefined ? { duration } : {}),
    ...(cfgScale !== undefined ? { cfgScale } : {}),
    ...(negativePrompt !== undefined ? { negativePrompt } : {}),
  };
}
