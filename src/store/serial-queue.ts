/** Runs async jobs one after another, in the order they were queued. */
export class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(job: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(job, job);
    // A failed job must not block the ones queued after it.
    this.#tail = result.catch(() => undefined);
    return result;
  }
}
