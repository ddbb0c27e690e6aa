/**
 * The bot's one storage abstraction: Keyv for plain values, plus the few set operations Keyv lacks.
 * Keyv offers only get/set/delete, so "which tasks are still open" needs an index we maintain ourselves;
 * keeping it behind this port lets each backend make those operations atomic its own way.
 */
import type Keyv from 'keyv';

export interface Store {
  /** Plain values (JSON-serialisable), namespaced for this bot. */
  readonly kv: Keyv;
  addToSet(setKey: string, member: string): Promise<void>;
  removeFromSet(setKey: string, member: string): Promise<void>;
  setMembers(setKey: string): Promise<string[]>;
  close(): Promise<void>;
}
