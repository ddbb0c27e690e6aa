/**
 * Acknowledgements first. Under a burst, every command the bot accepts starts its task at once: record writes,
 * the picture's download and check, a turn, a submission. That work shares the one event loop with the
 * deferrals still to be sent, and every member whose deferral waits behind it gets closer to Discord's 3 s.
 * So while interactions wait to be answered, new tasks' first steps are held back, and they start once none
 * is waiting, or after `maxHoldMs` at the latest, so that a steady stream of commands cannot starve them.
 *
 * The front end (the interaction router) counts an interaction from its arrival until it is acknowledged
 * (`answered`: told by the request once its deferral is sent, and by src/discord/answered-interactions.ts for
 * any other first response) or its handler is done, whichever comes first.
 * A request records its task only after the acknowledgements pending then: the record is part of the work
 * held back. Should the bot die in that moment, the reservation (which carries how to answer the member) is
 * refunded and the member told (src/animation/interrupted-request.ts), as for any request not recorded.
 */

/** How long a task's first step waits at most for the acknowledgements pending when it was accepted. */
export const DEFAULT_MAX_HOLD_MS = 2_000;

export class AcknowledgementsFirst {
  readonly #maxHoldMs: number;
  #pending = 0;
  readonly #waiters = new Set<() => void>();
  /** How to count each interaction still waiting as answered, by interaction id. */
  readonly #unanswered = new Map<string, () => void>();

  constructor(options: { maxHoldMs?: number } = {}) {
    this.#maxHoldMs = options.maxHoldMs ?? DEFAULT_MAX_HOLD_MS;
  }

  /** Interactions that arrived and are not answered yet. */
  get pending(): number {
    return this.#pending;
  }

  /**
   * Interaction `id` arrived; call what this returns, or `answered(id)`, once it is answered (more calls do
   * nothing).
   */
  arrived(id: string): () => void {
    this.#pending++;
    let answered = false;
    const answer = () => {
      if (answered) return;
      answered = true;
      if (this.#unanswered.get(id) === answer) this.#unanswered.delete(id);
      this.#pending--;
      if (this.#pending === 0) this.#releaseSoon();
    };
    this.#unanswered.set(id, answer);
    return answer;
  }

  /** Interaction `id` is acknowledged (its deferral was sent); nothing happens for one not counted. */
  answered(id: string): void {
    this.#unanswered.get(id)?.();
  }

  /** Resolves at once when nothing waits to be answered; otherwise once nothing does, or after `maxHoldMs`. */
  clear(): Promise<void> {
    if (this.#pending === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const waiter = () => {
        clearTimeout(timer);
        this.#waiters.delete(waiter);
        resolve();
      };
      const timer = setTimeout(waiter, this.#maxHoldMs);
      // A held task must not keep a stopping process alive: it is recorded and resumes on the next run.
      timer.unref();
      this.#waiters.add(waiter);
    });
  }

  /**
   * After the I/O already read is handled: commands that arrived in the same read as the last answer are
   * counted first, so a burst is not let through in the gap between two of its commands.
   */
  #releaseSoon(): void {
    setImmediate(() => {
      if (this.#pending > 0) return;
      for (const waiter of [...this.#waiters]) waiter();
    });
  }
}
