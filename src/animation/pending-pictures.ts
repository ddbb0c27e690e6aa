/**
 * The picture a member chose from a message (the "Animate" menu), kept while they fill in the form. A form's
 * custom_id holds at most 100 characters, so it carries a key into the store, never the picture's address;
 * kept in the store (not in memory), a form opened before a restart still works after it.
 */
import { z } from 'zod';
import type { Store } from '../store/store.ts';

/**
 * A form left open longer is asked for again: the answer names how. Discord's attachment links are signed and
 * expire after about a day, so keeping them much longer would only postpone the failure.
 */
export const PENDING_PICTURE_TTL_MS = 60 * 60_000;

const snowflake = z.string().regex(/^\d{1,20}$/);

const pendingPictureSchema = z.object({
  guildId: snowflake,
  channelId: snowflake,
  /** Who opened the form: only they may send it. */
  userId: snowflake,
  /** The message the picture is in (for the logs). */
  messageId: snowflake,
  image: z.object({
    url: z.url(),
    filename: z.string(),
    reportedSize: z.number().int().nonnegative().optional(),
  }),
});
export type PendingPicture = z.infer<typeof pendingPictureSchema>;

const pendingKey = (key: string) => `menu-picture:${key}`;

export class PendingPictures {
  readonly #store: Store;

  constructor(store: Store) {
    this.#store = store;
  }

  async keep(key: string, picture: PendingPicture): Promise<void> {
    await this.#store.kv.set(pendingKey(key), pendingPictureSchema.parse(picture), PENDING_PICTURE_TTL_MS);
  }

  /**
   * The picture kept under `key` for this member in this server, forgotten as it is read (a form is sent
   * once); undefined when it expired, or was kept for someone else (then it stays theirs).
   */
  async take(key: string, by: { userId: string; guildId: string | null }): Promise<PendingPicture | undefined> {
    const parsed = pendingPictureSchema.safeParse(await this.#store.kv.get(pendingKey(key)));
    if (!parsed.success) return undefined;
    if (parsed.data.userId !== by.userId || parsed.data.guildId !== by.guildId) return undefined;
    // Whoever deletes it has it: two sends of one form arriving together (a double tap) start one video, not two.
    return (await this.#store.kv.delete(pendingKey(key))) ? parsed.data : undefined;
  }
}
