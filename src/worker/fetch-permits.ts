/**
 * A counting semaphore for FETCH. `acquire(grant)` calls `grant` at once when a permit is free,
 * else when one is released; the caller calls `release()` once the FETCH replied (before
 * handling the reply, so a reply being handled never counts as a FETCH outstanding). Waiters are
 * served in FIFO order; the wait list holds at most one entry per worker slot, so it never grows
 * beyond `concurrency`.
 * @internal
 */
export class FetchPermits {
  #free: number;
  readonly #waiting: (() => void)[] = [];

  constructor(permits: number) {
    this.#free = permits;
  }

  /**
   * Calls `grant` when a permit is the caller's (synchronously when one is free). Returns a
   * function that leaves the wait list if `grant` was not called yet, and does nothing after.
   */
  acquire(grant: () => void): () => void {
    if (this.#free > 0) {
      this.#free--;
      grant();
      return noop;
    }
    this.#waiting.push(grant);
    return () => {
      const index = this.#waiting.indexOf(grant);
      if (index >= 0) this.#waiting.splice(index, 1);
    };
  }

  /** Returns a permit: the longest waiter gets it, else it becomes free. */
  release(): void {
    const next = this.#waiting.shift();
    if (next === undefined) this.#free++;
    else next();
  }
}

function noop(): void {
  // Nothing to leave: the permit was granted at once.
}
