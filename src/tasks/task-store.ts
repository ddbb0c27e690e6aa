import type { Logger } from '../logger.ts';
import type { Store } from '../store/store.ts';
import { isFinal, taskRecordSchema, type TaskRecord } from './task-record.ts';

const OPEN_TASKS = 'tasks:open';
const FINAL_RECORD_TTL_MS = 30 * 24 * 60 * 60_000;
const taskKey = (id: string) => `task:${id}`;
const imageKey = (id: string) => `task-image:${id}`;

/** Task records, the index of open ones, and each open task's prepared picture. */
export class TaskStore {
  readonly #store: Store;
  readonly #logger: Logger;

  constructor(store: Store, logger: Logger) {
    this.#store = store;
    this.#logger = logger;
  }

  async get(id: string): Promise<TaskRecord | undefined> {
    const raw: unknown = await this.#store.kv.get(taskKey(id));
    if (raw === undefined) return undefined;
    const parsed = taskRecordSchema.safeParse(raw);
    if (!parsed.success) {
      this.#logger.error('stored task record is unreadable', { taskId: id, issues: parsed.error.issues.length });
      return undefined;
    }
    return parsed.data;
  }

  /** Writes the record; the open index follows its state, so a final task is never resumed. */
  async put(record: TaskRecord): Promise<void> {
    if (isFinal(record.state)) {
      // Kept a while for support questions and moderators' reports, then forgotten: the store must not grow for ever.
      await this.#store.kv.set(taskKey(record.id), record, FINAL_RECORD_TTL_MS);
      await this.#store.removeFromSet(OPEN_TASKS, record.id);
      await this.#store.kv.delete(imageKey(record.id));
    } else {
      // Index first: a crash between the two writes leaves an id without a record, which listOpen skips,
      // never a record nobody will resume.
      await this.#store.addToSet(OPEN_TASKS, record.id);
      await this.#store.kv.set(taskKey(record.id), record);
    }
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
    return (await this.openInGuild(guildId)).filter((task) => task.requester.userId === userId);
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
   * Takes (or keeps) the right to drive a task, for stores shared by several processes: only the lease
   * holder steps a task, so two processes never submit the same generation.
   */
  claimLease(id: string, owner: string, ttlMs: number): Promise<boolean> {
    return this.#store.claim(`lease:task:${id}`, owner, ttlMs);
  }

  releaseLease(id: string, owner: string): Promise<void> {
    return this.#store.unclaim(`lease:task:${id}`, owner);
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
