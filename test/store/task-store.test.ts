import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.ts';
import type { Store } from '../../src/store/store.ts';
import { MEMBER_HISTORY_KEPT, TaskStore } from '../../src/tasks/task-store.ts';
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

      await tasks.put(makeTaskRecord({ id: 'a', state: 'failed', failure: { kind: 'cancelled' }, refundedUnits: 1, revision: 1 }));
      expect((await tasks.listOpen()).map((t) => t.id)).toEqual(['b']);
      expect(await tasks.getImage('a')).toBeUndefined();
      expect((await tasks.get('a'))?.state).toBe('failed');
    });

    it('a writer that read an older revision loses: nothing it wrote is stored, and it is told so', async () => {
      const submitting = await tasks.put(makeTaskRecord({ id: 'a', state: 'submitting' }));
      expect(submitting?.revision).toBe(1);
      // Another process took the task over and failed it.
      const failing = await tasks.put(
        makeTaskRecord({ id: 'a', state: 'failing', failure: { kind: 'submit_unknown' }, refundedUnits: 1, revision: 1 }),
      );
      expect(failing?.revision).toBe(2);
      // The first one's submission returns: it still holds revision 1.
      expect(await tasks.put({ ...makeTaskRecord({ id: 'a', state: 'queued' }), revision: 1 })).toBeUndefined();
      expect(await tasks.get('a')).toMatchObject({ state: 'failing', revision: 2 });
    });

    it('a final record is never overwritten, not even by a writer at its revision', async () => {
      const failed = await tasks.put(makeTaskRecord({ id: 'a', state: 'failed', failure: { kind: 'submit_unknown' }, refundedUnits: 1 }));
      expect(await tasks.put({ ...makeTaskRecord({ id: 'a', state: 'queued' }), revision: failed?.revision })).toBeUndefined();
      expect(await tasks.put({ ...makeTaskRecord({ id: 'a', state: 'delivered' }), revision: failed?.revision })).toBeUndefined();
      expect(await tasks.get('a')).toMatchObject({ state: 'failed' });
      expect((await tasks.listOpen()).map((t) => t.id)).toEqual([]);
    });

    it('reads and then updates a record stored before revisions existed', async () => {
      await store.kv.set('task:old', { ...makeTaskRecord({ id: 'old', state: 'processing' }) });
      const old = await tasks.get('old');
      expect(old?.revision).toBeUndefined();
      expect(await tasks.put({ ...makeTaskRecord({ id: 'old', state: 'downloading' }), revision: old?.revision })).toMatchObject({
        revision: 1,
      });
    });

    it("gives a task's submission to the first driver only, for as long as the final record is kept", async () => {
      expect(await tasks.markSubmitted('a', 'bot-a:1')).toBe(true);
      expect(await tasks.markSubmitted('a', 'bot-b:1')).toBe(false);
      expect(await tasks.markSubmitted('a', 'bot-a:1')).toBe(false);
      await tasks.put(makeTaskRecord({ id: 'a', state: 'failed', failure: { kind: 'submit_unknown' }, refundedUnits: 1 }));
      expect(await tasks.markSubmitted('a', 'bot-b:2')).toBe(false);
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

for (const backend of storeBackends(4))
  describe.skipIf(backend.skipReason !== undefined)(backendTitle(backend, "a member's history in the task store"), () => {
    let store: Store;
    let tasks: TaskStore;
    const MEMBER = '200000000000000001';
    const GUILD = '300000000000000001';
    const at = (i: number) => ({ createdAt: 1_000 + i, updatedAt: 1_000 + i });

    beforeEach(async () => {
      store = await (await backend.empty())();
      tasks = new TaskStore(store, silentLogger);
    });

    afterEach(async () => {
      await store.close();
      await backend.dispose();
    });

    it("lists a member's open and final tasks of one server, newest first, and nobody else's", async () => {
      await tasks.put(makeTaskRecord({ id: 'old', state: 'received', ...at(1) }));
      await tasks.put(makeTaskRecord({ id: 'old', state: 'delivered', revision: 1, ...at(1) }));
      await tasks.put(makeTaskRecord({ id: 'cancelled', state: 'received', ...at(2) }));
      await tasks.put(
        makeTaskRecord({ id: 'cancelled', state: 'failed', failure: { kind: 'cancelled' }, refundedUnits: 1, revision: 1, ...at(2) }),
      );
      await tasks.put(makeTaskRecord({ id: 'running', state: 'received', ...at(3) }));
      await tasks.put(makeTaskRecord({ id: 'running', state: 'processing', revision: 1, ...at(3) }));
      const elsewhere = { userId: MEMBER, guildId: '300000000000000002', channelId: '400000000000000002' };
      await tasks.put(makeTaskRecord({ id: 'other-server', state: 'received', requester: elsewhere, ...at(4) }));
      const someoneElse = { userId: '200000000000000002', guildId: GUILD, channelId: '400000000000000001' };
      await tasks.put(makeTaskRecord({ id: 'other-member', state: 'received', requester: someoneElse, ...at(5) }));

      const mine = await tasks.recentOfMember(GUILD, MEMBER, 10);
      expect(mine.map((t) => [t.id, t.state])).toEqual([
        ['running', 'processing'],
        ['cancelled', 'failed'],
        ['old', 'delivered'],
      ]);
      expect((await tasks.recentOfMember(GUILD, MEMBER, 2)).map((t) => t.id)).toEqual(['running', 'cancelled']);
    });

    it('indexes a task at its first write only: each later change of an open task is one write of the store', async () => {
      const first = await tasks.put(makeTaskRecord({ id: 'a', state: 'received' }));
      const calls: string[] = [];
      for (const name of ['addToSet', 'removeFromSet', 'writeVersioned'] as const) {
        const original = store[name].bind(store) as (...args: unknown[]) => Promise<unknown>;
        (store as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => {
          calls.push(name);
          return original(...args);
        };
      }

      if (!first) throw new Error('the first write was refused');
      const queued = await tasks.put({ ...first, state: 'queued' });
      if (!queued) throw new Error('the second write was refused');
      await tasks.put({ ...queued, state: 'processing' });

      expect(calls).toEqual(['writeVersioned', 'writeVersioned']);
      expect((await tasks.listOpen()).map((t) => [t.id, t.state])).toEqual([['a', 'processing']]);
      expect((await tasks.recentOfMember(GUILD, MEMBER, 10)).map((t) => t.id)).toEqual(['a']);
    });

    it('indexes an open task written by an older version (no revision) at its first write by this one', async () => {
      await store.kv.set('task:older', makeTaskRecord({ id: 'older', state: 'queued' }));
      const read = await tasks.get('older');
      if (!read) throw new Error('the older record was not read');
      await tasks.put({ ...read, state: 'processing' });

      expect((await tasks.listOpen()).map((t) => t.id)).toEqual(['older']);
      expect((await tasks.recentOfMember(GUILD, MEMBER, 10)).map((t) => t.id)).toEqual(['older']);
    });

    it('finds a task that was open before the history existed once it is final', async () => {
      await store.kv.set('task:legacy', makeTaskRecord({ id: 'legacy', state: 'processing' }));
      expect(await tasks.recentOfMember(GUILD, MEMBER, 10)).toEqual([]);
      await tasks.put(makeTaskRecord({ id: 'legacy', state: 'delivered' }));
      expect((await tasks.recentOfMember(GUILD, MEMBER, 10)).map((t) => t.id)).toEqual(['legacy']);
    });

    it("keeps only the newest 25 of a member's finished tasks per server (open ones always), and forgets ids whose record expired", async () => {
      await tasks.put(makeTaskRecord({ id: 'still-waiting', state: 'waiting', ...at(-1) }));
      for (let i = 0; i < 30; i++) await tasks.put(makeTaskRecord({ id: `t${String(i).padStart(2, '0')}`, state: 'delivered', ...at(i) }));
      const kept = await store.setMembers(`tasks:member:${GUILD}:${MEMBER}`);
      expect(kept).toHaveLength(MEMBER_HISTORY_KEPT + 1);
      expect(kept).toContain('still-waiting');
      expect((await tasks.openOfMember(GUILD, MEMBER)).map((t) => t.id)).toEqual(['still-waiting']);
      expect(kept).not.toContain('t04');
      expect(kept).toContain('t05');

      await store.kv.delete('task:t29');
      const recent = await tasks.recentOfMember(GUILD, MEMBER, 3);
      expect(recent.map((t) => t.id)).toEqual(['t28', 't27', 't26']);
      expect(await store.setMembers(`tasks:member:${GUILD}:${MEMBER}`)).not.toContain('t29');
    });

    it("gives a task's one try-again to the first press only, and back when it asked for nothing", async () => {
      expect(await tasks.claimRetry('t1', 'press-1')).toBe(true);
      expect(await tasks.claimRetry('t1', 'press-2')).toBe(false);
      await tasks.releaseRetry('t1', 'press-2');
      expect(await tasks.claimRetry('t1', 'press-3')).toBe(false);
      await tasks.releaseRetry('t1', 'press-1');
      expect(await tasks.claimRetry('t1', 'press-3')).toBe(true);
      expect(await tasks.claimRetry('t2', 'press-4')).toBe(true);
    });
  });
