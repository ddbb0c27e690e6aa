import type { Store } from './store.ts';
import { SqliteStore } from './sqlite-store.ts';

/** Opens the store named by STORE_URL. */
export async function openStore(url: string): Promise<Store> {
  if (url.startsWith('sqlite://')) return SqliteStore.open(url);
  throw new Error(`unsupported STORE_URL scheme: ${url.split(':')[0] ?? ''}`);
}
