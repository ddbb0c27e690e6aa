/**
 * The prepared picture of each generation (the bytes the video API was sent), kept for IMAGE_RETENTION_HOURS
 * so that anyone can press Re-roll, Remix or 10 s version under the video: Discord's attachment links expire
 * and the member's message may be gone, so the picture cannot be fetched again. Kept under the task's id
 * (the key a button's custom_id carries), with its own expiry so that "expired" is decided by the bot's clock,
 * not by when a backend happens to evict it.
 */
import { z } from 'zod';
import type { Clock } from '../clock.ts';
import type { Store } from '../store/store.ts';

const keptPictureSchema = z.object({ base64: z.string().min(1), expiresAt: z.number() });

const keptKey = (taskId: string) => `kept-picture:${taskId}`;
/** Beside each picture, its expiry alone: a button press asks whether the picture is kept without reading it. */
const keptUntilKey = (taskId: string) => `kept-picture-until:${taskId}`;
const keptUntilSchema = z.number();

export class KeptPictures {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #retentionMs: number;

  constructor(deps: { store: Store; clock: Clock; retentionMs: number }) {
    this.#store = deps.store;
    this.#clock = deps.clock;
    this.#retentionMs = deps.retentionMs;
  }

  async keep(taskId: string, base64: string): Promise<void> {
    const expiresAt = this.#clock.now() + this.#retentionMs;
    await this.#store.kv.set(keptKey(taskId), { base64, expiresAt }, this.#retentionMs);
    // After the picture: an expiry found always has its picture (or had it, until the same moment).
    await this.#store.kv.set(keptUntilKey(taskId), expiresAt, this.#retentionMs);
  }

  /**
   * Whether that task's picture is still kept, read from its expiry alone: a picture is up to 13 MB of base64,
   * and a press must be answered within Discord's 3 s. One kept by an earlier version, with no expiry beside
   * it, is read whole once.
   */
  async isKept(taskId: string): Promise<boolean> {
    const until = keptUntilSchema.safeParse(await this.#store.kv.get(keptUntilKey(taskId)));
    if (until.success) return until.data > this.#clock.now();
    return (await this.get(taskId)) !== undefined;
  }

  /** The picture of that task's video, or undefined once it expired or was erased (Delete). */
  async get(taskId: string): Promise<string | undefined> {
    const parsed = keptPictureSchema.safeParse(await this.#store.kv.get(keptKey(taskId)));
    if (!parsed.success || parsed.data.expiresAt <= this.#clock.now()) return undefined;
    return parsed.data.base64;
  }

  async erase(taskId: string): Promise<void> {
    await this.#store.kv.delete(keptUntilKey(taskId));
    await this.#store.kv.delete(keptKey(taskId));
  }
}
