import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PendingPictures, type PendingPicture } from '../../src/animation/pending-pictures.ts';
import type { Store } from '../../src/store/store.ts';
import { backendTitle, storeBackends } from '../store/store-backends.ts';

const REDIS_DB = 14;
const picture: PendingPicture = {
  guildId: '300000000000000001',
  channelId: '300000000000000002',
  userId: '300000000000000003',
  messageId: '300000000000000004',
  image: { url: 'https://cdn.discordapp.com/attachments/1/2/cat.png', filename: 'cat.png' },
};
const member = { userId: picture.userId, guildId: picture.guildId };

for (const backend of storeBackends(REDIS_DB)) {
  describe.skipIf(backend.skipReason !== undefined)(backendTitle(backend, "the Animate form's kept picture"), () => {
    let store: Store;

    beforeEach(async () => {
      store = await (await backend.empty())();
    });

    afterEach(async () => {
      await store.close();
      await backend.dispose();
    });

    it('goes to one of two submissions of the same form arriving together, so one video is paid for, not two', async () => {
      const pictures = new PendingPictures(store);
      await pictures.keep('form-1', picture);
      const taken = await Promise.all([pictures.take('form-1', member), pictures.take('form-1', member)]);
      expect(taken.filter((t) => t !== undefined)).toHaveLength(1);
      expect(await pictures.take('form-1', member)).toBeUndefined();
    });

    it('stays kept for its member when someone else sends the form', async () => {
      const pictures = new PendingPictures(store);
      await pictures.keep('form-2', picture);
      expect(await pictures.take('form-2', { ...member, userId: '300000000000000009' })).toBeUndefined();
      expect(await pictures.take('form-2', member)).toEqual(picture);
    });
  });
}
