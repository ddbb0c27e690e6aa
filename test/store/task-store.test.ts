import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.ts';
import type { Store } from '../../src/store/store.ts';
import { TaskStore } from '../../src/tasks/task-store.ts';
import { makeTaskRecord } from '../support/task-fixtures.ts';
import { backendTitle, storeBackends } from './store-backends.ts';

for (const backend of storeBackends(4))
  describe.skipIf(backend.skipReason !== undefined)(backendTitle(backend, 'task store'), () => {
    let open: () => Promise<Store>;
    let store: Store;
    let tasks: TaskStore;

    beforeEach(async () => {
      open = await backend.empty();
      store = await open();
      tasks = new TaskStore(store, silentLogger);
    });

    afterEach(async () => {
      await store.close();
      await backend.dispose();
    });

    it('keeps open tasks across a reopen of the store, and forgets them once final', async () => {
      await tasks.put(makeTaskRecord({ id: 'a', state: 'queued' }));
      await tasks.put(makeTaskRecord({ id: 'b', state: 'processing' }));
      await tasks.put(makeTaskRecord({ id: 'c', state: 'delivered' }));
      await tasks.putImage('a', 'aGVsbG8=');
      await store.close();

      store = await open();
      tasks = new TaskStore(store, silentLogger);
      expect((await tasks.listOpen()).map((t) => t.id).sort()).toEqual(['a', 'b']);
      expect(await tasks.getImage('a')).toBe('aGVsbG8=');

      await tasks.put(makeTaskRecord({ id: 'a', state: 'failed', failure: { kind: 'cancelled' }, refundedUnits: 1 }));
      expect((await tasks.listOpen()).map((t) => t.id)).toEqual(['b']);
      expect(await tasks.getImage('a')).toBeUndefined();
      expect((await tasks.get('a'))?.state).toBe('failed');
    });

    it('indexes many tasks written at once without losing one', async () => {
      await Promise.all(Array.from({ length: 50 }, (_, i) => tasks.put(makeTaskRecord({ id: `t${i}`, state: 'queued' }))));
      expect(await tasks.listOpen()).toHaveLength(50);
    });

    it('refuses to write a record that would not read back (a number the store cannot hold)', async () => {
      const record = makeTaskRecord({ state: 'processing', provider: { taskId: 'p', submittedAt: 1, etaAt: Infinity } });
      await expect(tasks.put(record)).rejects.toThrow(/not written/);
      expect(await tasks.get(record.id)).toBeUndefined();
    });

    it('skips a record that no longer parses instead of crashing the resume', async () => {
      await tasks.put(makeTaskRecord({ id: 'good', state: 'queued' }));
      await store.addToSet('tasks:open', 'broken');
      await store.kv.set('task:broken', { version: 99, nonsense: true });
      expect((await tasks.listOpen()).map((t) => t.id)).toEqual(['good']);
      expect(await store.setMembers('tasks:open')).toEqual(['good']);
    });
  });
