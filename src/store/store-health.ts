import type { Store } from './store.ts';

/** Never written: reading it is one indexed lookup on either backend. */
const PROBE_KEY = 'health:probe';

/** Resolves true once the store has answered a cheap read; rejects (or never settles) when it cannot. */
export async function storeAnswers(store: Pick<Store, 'counter'>): Promise<boolean> {
  await store.counter(PROBE_KEY);
  return true;
}
