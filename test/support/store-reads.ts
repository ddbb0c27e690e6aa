import type { Store } from '../../src/store/store.ts';

/** From now on, how many times each key of `store` is read, through Keyv or as stored text (`storedTexts`). */
export function countStoreReads(store: Store): Map<string, number> {
  const reads = new Map<string, number>();
  const count = (key: string) => reads.set(key, (reads.get(key) ?? 0) + 1);
  const get = store.kv.get.bind(store.kv);
  store.kv.get = ((key: string) => {
    count(key);
    return get(key);
  }) as typeof store.kv.get;
  const storedTexts = store.storedTexts.bind(store);
  store.storedTexts = (keys: readonly string[]) => {
    keys.forEach(count);
    return storedTexts(keys);
  };
  return reads;
}
