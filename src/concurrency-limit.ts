/** At most `max` pieces of work at once; the rest wait their turn, first come first served. */
export class ConcurrencyLimit {
  readonly max: number;
  #active = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`a concurrency limit must be a whole number of at least 1, not ${max}`);
    this.max = max;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.#active >= this.max) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    else this.#active++;
    try {
      return await work();
    } finally {
      // The slot passes straight to the next in line, so a newcomer cannot overtake it.
      const nextInLine = this.#waiting.shift();
      if (nextInLine) nextInLine();
      else this.#active--;
    }
  }
}
