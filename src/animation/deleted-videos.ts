/**
 * Videos removed with their Delete button. A moderator who deletes a video expects it gone: the member's
 * /animate-history must not send it again. Remembered as long as the task record itself (30 days), after
 * which nothing can send it again anyway.
 */
import type { Store } from '../store/store.ts';

const REMEMBERED_MS = 30 * 24 * 60 * 60_000;

const deletedKey = (taskId: string) => `deleted-video:${taskId}`;

export class DeletedVideos {
  readonly #store: Store;

  constructor(store: Store) {
    this.#store = store;
  }

  async remember(taskId: string): Promise<void> {
    await this.#store.kv.set(deletedKey(taskId), true, REMEMBERED_MS);
  }

  async has(taskId: string): Promise<boolean> {
    return (await this.#store.kv.get(deletedKey(taskId))) === true;
  }
}
