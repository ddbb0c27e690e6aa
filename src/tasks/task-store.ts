import Keyv, { type Deserialize, type KeyvStoreAdapter } from 'keyv';
import type { Logger } from '../logger.ts';
import type { Store } from '../store/store.ts';
import { FINAL_STATES, isFinal, taskRecordSchema, type TaskRecord } from './task-record.ts';

const OPEN_TASKS = 'tasks:open';
const FINAL_RECORD_TTL_MS = 30 * 24 * 60 * 60_000;
const taskKey = (id: string) => `task:${id}`;
const imageKey = (id: string) => `task-image:${id}`;
/** Each member's recent task ids in one server (their history): a set, trimmed to the newest few. */
const memberTasksKey = (guildId: string, userId: string) => `tasks:member:${guildId}:${userId}`;
const retryKey = (id: string) => `retry:task:${id}`;
/** Taken before a submission leaves, never given back: whoever finds it taken must not submit the task. */
const submittedKey = (id: string) => `submitted:task:${id}`;
/** How many task ids each member's history keeps per server; /animate-history shows fewer. */
export const MEMBER_HISTORY_KEPT = 25;

/** Task records, the index of open ones, and each open task's prepared picture. */
export class TaskStore {
  readonly #store: Store;
  readonly #logger: Logger;

  constructor(store: Store, logger: Logger) {
    this.#store = store;
    this.#logger = logger;
  }

  /**
   * The task's record, or undefined. A stored value that cannot be read (another shape, or not even JSON)
   * is moved aside under `unreadable:task:<id>` and logged once, so it stops nothing else: every later read
   * finds no task, and sweeps, resumes and reports go on.
   */
  async get(id: string): Promise<TaskRecord | undefined> {
    let raw: unknown;
    try {
      raw = await this.#store.kv.get(taskKey(id));
    } catch (error) {
      await this.#moveAside(id, await this.#rawText(id), error instanceof Error ? error.message : String(error));
      return undefined;
    }
    if (raw === undefined) return undefined;
    const parsed = taskRecordSchema.safeParse(raw);
    if (!parsed.success) {
      await this.#moveAside(id, raw, `${parsed.error.issues.length} problem(s), first at ${parsed.error.issues[0]?.path.join('.') ?? '?'}`);
      return undefined;
    }
    return parsed.data;
  }

  async #moveAside(id: string, value: unknown, reason: string): Promise<void> {
    await this.#store.kv.set(`unreadable:${taskKey(id)}`, value ?? null, FINAL_RECORD_TTL_MS);
    await this.#store.kv.delete(taskKey(id));
    await this.#store.removeFromSet(OPEN_TASKS, id);
    this.#logger.error('stored task record is unreadable; moved aside', { taskId: id, reason, movedTo: `unreadable:${taskKey(id)}` });
  }

  /** The stored text itself, for a value Keyv cannot deserialize: read through the same store, undecoded. */
  async #rawText(id: string): Promise<string | undefined> {
    const kv = this.#store.kv;
    const raw = new Keyv<string>({ store: kv.store as KeyvStoreAdapter, namespace: kv.namespace, deserialize: keepText });
    try {
      return await raw.get(taskKey(id));
    } catch {
      return undefined;
    }
  }

  /**
   * Writes the record if nobody else wrote it since it was read: compare-and-set on its `revision`, which the
   * stored record gets one higher. Resolves with the stored record, or undefined, having written nothing,
   * when another writer got there first or the stored record is final (a final record is never overwritten):
   * the caller then reads the record again and follows it. The open index follows the state, so a final task
   * is never resumed.
   */
  async put(record: TaskRecord): Promise<TaskRecord | undefined> {
    const expectedRevision = record.revision ?? 0;
    const stored = { ...record, revision: expectedRevision + 1 };
    // What is written must read back: JSON turns Infinity into null, and a record that no longer parses is
    // a task nobody resumes. Refusing here turns that into an error the runner reports and retries.
    const readBack = taskRecordSchema.safeParse(JSON.parse(JSON.stringify(stored)));
    if (!readBack.success) {
      const fields = readBack.error.issues.map((issue) => issue.path.join('.')).join(', ');
      throw new Error(`task record not written: it would not read back (${fields})`);
    }
    const write = { key: taskKey(record.id), value: stored, expectedRevision, finalStates: FINAL_STATES };
    if (isFinal(stored.state)) {
      // Kept a while for support questions and moderators' reports, then forgotten: the store must not grow
      // for ever. The submitted mark lasts exactly as long, so no driver can submit a task it still knows.
      if (!(await this.#store.writeVersioned({ ...write, ttlMs: FINAL_RECORD_TTL_MS, expireWith: [submittedKey(record.id)] }))) {
        return undefined;
      }
      await this.#store.removeFromSet(OPEN_TASKS, record.id);
      await this.#store.kv.delete(imageKey(record.id));
    } else {
      // Index first: a crash between the two writes leaves an id without a record, or a final one, which
      // listOpen skips, never a record nobody will resume. Only at the first write (by this version: a record
      // an older one wrote has no revision): the id then stays indexed until the task ends, and each later
      // change of an open task is one write, not three.
      if (expectedRevision === 0) await this.#store.addToSet(OPEN_TASKS, record.id);
      if (!(await this.#store.writeVersioned(write))) return undefined;
    }
    // After the record, so the member's history never lists an id whose record is not there yet.
    if (stored.state === 'received' || isFinal(stored.state)) await this.#rememberForMember(stored);
    else if (expectedRevision === 0)
      await this.#store.addToSet(memberTasksKey(record.requester.guildId, record.requester.userId), record.id);
    return stored;
  }

  /**
   * Takes the task's one submission, before the request leaves: true for the first caller only, ever (the mark
   * expires with the final record). A driver that finds it taken cannot know whether the provider has the
   * task, and must treat the submission's outcome as unknown rather than send it again.
   */
  markSubmitted(id: string, by: string): Promise<boolean> {
    return this.#store.mark(submittedKey(id), by);
  }

  async listOpen(): Promise<TaskRecord[]> {
    const ids = await this.#store.setMembers(OPEN_TASKS);
    const records: TaskRecord[] = [];
    for (const id of ids) {
      const record = await this.get(id);
      if (record && !isFinal(record.state)) records.push(record);
      else await this.#store.removeFromSet(OPEN_TASKS, id);
    }
    return records;
  }

  /** The open tasks of one server, oldest first (moderators' usage report). */
  async openInGuild(guildId: string): Promise<TaskRecord[]> {
    return byAge((await this.listOpen()).filter((task) => task.requester.guildId === guildId));
  }

  /** One member's open tasks in one server, oldest first (their standing and their line). */
  async openOfMember(guildId: string, userId: string): Promise<TaskRecord[]> {
    // Through the member's own index, not every open task: each new task asks this for its place in line,
    // and reading all open tasks each time made a burst of N commands cost N² record reads.
    const records: TaskRecord[] = [];
    for (const id of await this.#store.setMembers(memberTasksKey(guildId, userId))) {
      const record = await this.get(id);
      if (record && !isFinal(record.state) && record.requester.guildId === guildId && record.requester.userId === userId) {
        records.push(record);
      }
    }
    return byAge(records);
  }

  /** Tasks of a server waiting for a running slot, oldest first. */
  async waitingInGuild(guildId: string): Promise<TaskRecord[]> {
    return (await this.openInGuild(guildId)).filter((task) => task.state === 'waiting');
  }

  /** A waiting task's place among its member's waiting tasks in that server, in the order they asked; 1 = next. */
  async placeInLine(task: TaskRecord): Promise<number> {
    const mine = (await this.openOfMember(task.requester.guildId, task.requester.userId)).filter((other) => other.state === 'waiting');
    return mine.filter((other) => isBefore(other, task)).length + 1;
  }

  /**
   * Takes (or keeps) the right to drive a task, for stores shared by several processes (task-leases.ts): only
   * the lease holder steps a task, so two processes do not do the same work. A lease can lapse under a process
   * that stalls; what fences it then is `put`'s compare-and-set and the submitted mark.
   */
  claimLease(id: string, owner: string, ttlMs: number): Promise<boolean> {
    return this.#store.claim(`lease:task:${id}`, owner, ttlMs);
  }

  releaseLease(id: string, owner: string): Promise<void> {
    return this.#store.unclaim(`lease:task:${id}`, owner);
  }

  /**
   * One member's most recent generations in one server, open and final, newest first (their history).
   * Final records are forgotten after 30 days, and so are they here.
   */
  async recentOfMember(guildId: string, userId: string, limit: number): Promise<TaskRecord[]> {
    const key = memberTasksKey(guildId, userId);
    const records: TaskRecord[] = [];
    for (const id of await this.#store.setMembers(key)) {
      const record = await this.get(id);
      if (record === undefined) await this.#store.removeFromSet(key, id);
      else if (record.requester.guildId === guildId && record.requester.userId === userId) records.push(record);
    }
    return byAge(records).reverse().slice(0, limit);
  }

  /**
   * Takes the one "try again" of a task (the button on an unknown submission outcome) for `by`, so a double
   * press does not ask, and pay, twice. False when it was taken already.
   */
  claimRetry(id: string, by: string): Promise<boolean> {
    return this.#store.claim(retryKey(id), by, FINAL_RECORD_TTL_MS);
  }

  /** Gives the "try again" back when it did not start a generation (refused, or it failed to start). */
  releaseRetry(id: string, by: string): Promise<void> {
    return this.#store.unclaim(retryKey(id), by);
  }

  /**
   * Indexes a task under its member and server, when it is new and again when it ends (so tasks older than
   * this index are found once they finish), keeping only the newest MEMBER_HISTORY_KEPT.
   */
  async #rememberForMember(record: TaskRecord): Promise<void> {
    const key = memberTasksKey(record.requester.guildId, record.requester.userId);
    await this.#store.addToSet(key, record.id);
    const ids = await this.#store.setMembers(key);
    if (ids.length <= MEMBER_HISTORY_KEPT) return;
    const known: TaskRecord[] = [];
    for (const id of ids) {
      // The record just written counts as written, whatever a concurrent writer stored since.
      const stored = id === record.id ? record : await this.get(id);
      if (stored) known.push(stored);
    }
    // Open tasks stay whatever their age: the member's place in line is read through this index.
    const kept = new Set([
      ...byAge(known)
        .reverse()
        .slice(0, MEMBER_HISTORY_KEPT)
        .map((task) => task.id),
      ...known.filter((task) => !isFinal(task.state)).map((task) => task.id),
    ]);
    for (const id of ids) if (!kept.has(id)) await this.#store.removeFromSet(key, id);
  }

  /** The checked picture, as raw base64, kept until the task is final (a resumed submission needs it). */
  async putImage(id: string, base64: string): Promise<void> {
    await this.#store.kv.set(imageKey(id), base64);
  }

  async getImage(id: string): Promise<string | undefined> {
    const value: unknown = await this.#store.kv.get(imageKey(id));
    return typeof value === 'string' ? value : undefined;
  }
}

function isBefore(a: TaskRecord, b: TaskRecord): boolean {
  return a.createdAt < b.createdAt || (a.createdAt === b.createdAt && a.id < b.id);
}

function byAge(tasks: TaskRecord[]): TaskRecord[] {
  return tasks.sort((a, b) => (isBefore(a, b) ? -1 : isBefore(b, a) ? 1 : 0));
}

/** A Keyv deserializer that hands back the stored text itself (Keyv types it as any value the caller names). */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the shape Keyv's Deserialize type demands
const keepText: Deserialize = <Value>(text: string) => ({ value: text as unknown as Value });
