/**
 * Two bot processes sharing one Redis, as shards of one bot: quotas stay exact and nothing runs twice.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BotHarness } from '../support/bot-harness.ts';
import { BotProcess } from '../support/bot-process.ts';
import type { RecordedRequest } from '../support/discord-stand-in.ts';
import { makePng } from '../support/image-fixtures.ts';
import { flushRedisDatabase } from '../support/redis-server.ts';
import { redisDatabaseUrl, redisSkipReason } from '../store/store-backends.ts';

const REDIS_DB = 12;
const MEMBER = '760000000000000001';

describe.skipIf(redisSkipReason !== undefined)(
  `two bot processes on one Redis${redisSkipReason ? ` (skipped: ${redisSkipReason})` : ''}`,
  () => {
    let h: BotHarness;
    const processes: BotProcess[] = [];

    beforeEach(async () => {
      await flushRedisDatabase(redisDatabaseUrl(REDIS_DB));
      h = await BotHarness.start({ env: { STORE_URL: redisDatabaseUrl(REDIS_DB) } });
    });

    afterEach(async () => {
      await Promise.all(processes.splice(0).map((p) => p.dispose()));
      await h.stop();
    });

    it('twenty commands split across two processes give exactly 3 generations and 17 private refusals', async () => {
      for (let i = 0; i < 2; i++) {
        processes.push(BotProcess.start('src/index.ts', h.env()));
        await h.discord.waitForIdentify(20_000, i + 1);
      }
      const picture = makePng(400, 400);
      const url = h.discord.hostAttachment('shared.png', picture, 'image/png');
      const tokens = Array.from(
        { length: 20 },
        (_, i) =>
          h.discord.dispatchCommand({
            commandName: 'animate',
            userId: MEMBER,
            session: i % 2,
            options: [
              { name: 'image', type: 11, value: '1' },
              { name: 'prompt', type: 3, value: `wave ${i}` },
            ],
            attachments: [{ id: '1', filename: 'shared.png', size: picture.length, url, proxy_url: url, content_type: 'image/png' }],
          }).token,
      );
      const callbacks = await Promise.all(
        tokens.map((token) =>
          h.discord.waitForRequest((r) => r.method === 'POST' && r.path.includes(token) && r.path.endsWith('/callback'), 15_000),
        ),
      );
      const typeOf = (r: RecordedRequest) => (r.body as { type: number }).type;
      const accepted = callbacks.filter((c) => typeOf(c) === 5);
      expect(accepted).toHaveLength(3);
      expect(callbacks.filter((c) => typeOf(c) === 4)).toHaveLength(17);

      const acceptedTokens = tokens.filter((t) => accepted.some((c) => c.path.includes(t)));
      await Promise.all(
        acceptedTokens.map((t) =>
          h.discord.waitForRequest((r) => r.method === 'PATCH' && r.path.includes(t) && r.files.length > 0, 60_000),
        ),
      );
      expect(h.video.submissions).toHaveLength(3);
      // Each accepted generation was delivered exactly once, whichever process drove it.
      for (const t of acceptedTokens) {
        expect(h.discord.requests.filter((r) => r.path.includes(t) && r.files.length > 0)).toHaveLength(1);
      }
    }, 90_000);
  },
);
