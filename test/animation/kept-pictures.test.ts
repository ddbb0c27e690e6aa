/**
 * The pictures kept for the buttons under a video, on both stores: a press asks whether one is kept without
 * reading it (up to 13 MB of base64 on the store's connection, before the press is answered).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KeptPictures } from '../../src/animation/kept-pictures.ts';
import type { Store } from '../../src/store/store.ts';
import { ManualClock } from '../support/manual-clock.ts';
import { backendTitle, storeBackends } from '../store/store-backends.ts';

/** This file's own Redis database. */
const REDIS_DB = 6;
const HOUR = 60 * 60_000;
const PICTURE = Buffer.alloc(300_000, 7).toString('base64');

for (const backend of storeBackends(REDIS_DB)) {
  describe.skipIf(backend.skipReason !== undefined)(backendTitle(backend, 'kept pictures'), () => {
    let store: Store;
    let clock: ManualClock;
    let kept: KeptPictures;
    const reads: string[] = [];

    beforeEach(async () => {
      store = await (await backend.empty())();
      clock = new ManualClock(Date.parse('2026-11-26T10:00:00Z'));
      kept = new KeptPictures({ store, clock, retentionMs: 24 * HOUR });
      reads.length = 0;
      const get = store.kv.get.bind(store.kv);
      store.kv.get = ((key: string) => {
        reads.push(key);
        return get(key);
      }) as typeof store.kv.get;
    });

    afterEach(async () => {
      await store.close();
      await backend.dispose();
    });

    it('says a picture is kept without reading the picture', async () => {
      await kept.keep('task-1', PICTURE);

      expect(await kept.isKept('task-1')).toBe(true);
      expect(reads.some((key) => key === 'kept-picture:task-1')).toBe(false);
      expect(await kept.get('task-1')).toBe(PICTURE);
    });

    it('is not kept once its hours are over, or once erased (Delete)', async () => {
      await kept.keep('task-1', PICTURE);
      await kept.keep('task-2', PICTURE);
      clock.advance(24 * HOUR);
      await kept.erase('task-2');

      expect(await kept.isKept('task-1')).toBe(false);
      expect(await kept.get('task-1')).toBeUndefined();
      expect(await kept.isKept('task-2')).toBe(false);
      expect(await kept.isKept('never-kept')).toBe(false);
    });

    it('counts a picture kept by an earlier version, which wrote no expiry of its own beside it', async () => {
      await store.kv.set('kept-picture:older', { base64: PICTURE, expiresAt: clock.now() + HOUR }, HOUR);

      expect(await kept.isKept('older')).toBe(true);
      clock.advance(HOUR);
      expect(await kept.isKept('older')).toBe(false);
    });
  });
}
