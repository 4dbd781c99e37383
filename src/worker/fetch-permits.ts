/**
 * A counting semaphore for FETCH whose size follows the queues. `acquire(grant)` calls `grant`
 * at once when a permit is free, else when one is released; the caller calls `release()` once
 * the FETCH replied (before handling the reply, so a reply being handled never counts as a
 * FETCH outstanding), after telling `replied` whether it brought a job. While FETCHes bring jobs
 * up to `busy` may be outstanding (pipelined); after one comes back empty only one, since a
 * FETCH on empty queues waits on the server and those queued behind it on its socket wait too.
 * Waiters are served in FIFO order; the wait list holds at most one entry per worker slot, so it
 * never grows beyond `concurrency`.
 * @internal
 */
export class FetchPermits {
  readonly #busy: number;
  #limit: number;
  #outstanding = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(busy: number) {
    this.#busy = busy;
    this.#limit = busy;
  }

  /**
   * Calls `grant` when a permit is the caller's (synchronously when one is free). Returns a
   * function that leaves the wait list if `grant` was not called yet, and does nothing after.
   */
  acquire(grant: () => void): () => void {
    if (this.#outstanding < this.#limit) {
      this.#outstanding++;
      grant();
      return noop;
    }
    this.#waiting.push(grant);
    return () => {
      const index = this.#waiting.indexOf(grant);
      if (index >= 0) this.#waiting.splice(index, 1);
    };
  }

  /** A FETCH replied, with a job or empty: the window widens or narrows (call before `release`). */
  replied(gotJob: boolean): void {
    this.#limit = gotJob ? this.#busy : 1;
  }

  /** Returns a permit; the longest waiters get the permits now free. */
  release(): void {
    this.#outstanding--;
    while (this.#outstanding < this.#limit) {
      const next = this.#waiting.shift();
      if (next === undefined) return;
      this.#outstanding++;
      next();
    }
  }
}

function noop(): void {
  // Nothing to leave: the permit was granted at once.
}
