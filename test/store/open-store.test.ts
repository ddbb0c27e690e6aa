import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.ts';
import { RedisStore } from '../../src/store/redis-store.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { redisDatabaseUrl, redisSkipReason } from './store-backends.ts';

describe('openStore', () => {
  it('opens SQLite for a sqlite:// URL', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'animate-open-'));
    try {
      const store = await openStore(`sqlite://${join(dir, 'animate.sqlite')}`);
      expect(store).toBeInstanceOf(SqliteStore);
      await store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(redisSkipReason !== undefined)(
    `opens Redis for a redis:// URL${redisSkipReason ? ` (skipped: ${redisSkipReason})` : ''}`,
    async () => {
      const store = await openStore(redisDatabaseUrl(5));
      expect(store).toBeInstanceOf(RedisStore);
      await store.kv.set('probe', 1);
      expect(await store.kv.get('probe')).toBe(1);
      await store.close();
    },
  );

  it('refuses any other scheme, naming it', async () => {
    await expect(openStore('postgres://localhost/animate')).rejects.toThrow('unsupported STORE_URL scheme: postgres');
  });
});
