import { Observable, type Subscription } from 'rxjs';

/**
 * A counting semaphore for FETCH: `run(work)` waits for a permit, subscribes to `work()`, and
 * once it replies releases the permit and tears `work` down *before* passing the reply on, so a
 * reply being handled never counts as a FETCH outstanding. Waiters are served in FIFO order; the
 * wait list holds at most one entry per worker slot, so it never grows beyond `concurrency`.
 * @internal
 */
export class FetchPermits {
  #free: number;
  readonly #waiting: (() => void)[] = [];

  constructor(permits: number) {
    this.#free = permits;
  }

  /**
   * Emits the first value of `work()` (or `whenEmpty` if it completes without one) and
   * completes. Unsubscribing leaves the wait list or releases the permit.
   */
  run<T>(work: () => Observable<T>, whenEmpty: T): Observable<T> {
    return new Observable<T>((subscriber) => {
      let held = false;
      let settled = false;
      let inner: Subscription | undefined;
      const release = (): void => {
        inner?.unsubscribe();
        inner = undefined;
        if (held) {
          held = false;
          this.#release();
        } else {
          const index = this.#waiting.indexOf(grant);
          if (index >= 0) this.#waiting.splice(index, 1);
        }
      };
      const settle = (deliver: () => void): void => {
        if (settled) return;
        settled = true;
        release();
        deliver();
      };
      function grant(): void {
        held = true;
        const subscription = work().subscribe({
          next: (value) => {
            settle(() => {
              subscriber.next(value);
              subscriber.complete();
            });
          },
          error: (error: unknown) => {
            settle(() => {
              subscriber.error(error);
            });
          },
          complete: () => {
            settle(() => {
              subscriber.next(whenEmpty);
              subscriber.complete();
            });
          },
        });
        if (settled) subscription.unsubscribe();
        else inner = subscription;
      }
      if (this.#free > 0) {
        this.#free--;
        grant();
      } else {
        this.#waiting.push(grant);
      }
      return release;
    });
  }

  #release(): void {
    const next = this.#waiting.shift();
    if (next === undefined) this.#free++;
    else next();
  }
}
