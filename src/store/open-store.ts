import type { Store } from './store.ts';
import { RedisStore } from './redis-store.ts';
import { SqliteStore } from './sqlite-store.ts';

/** Opens the store named by STORE_URL: `sqlite://<path>` for one process, `redis://…`/`rediss://…` for several. */
export async function openStore(url: string): Promise<Store> {
  if (url.startsWith('sqlite://')) return SqliteStore.open(url);
  if (url.startsWith('redis://') || url.startsWith('rediss://')) return RedisStore.open(url);
  throw new Error(`unsupported STORE_URL scheme: ${url.split(':')[0] ?? ''}`);
}
