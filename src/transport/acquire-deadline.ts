import type { SchedulerLike, Subscription } from 'rxjs';
import type { PoolRequest } from './pool-request.js';

/**
 * @internal Enforces a pool's `acquireTimeoutMs` on its wait queues with at most one timer,
 * armed for the oldest waiter. A request written at once never touches it: the pool calls
 * {@link AcquireDeadline.waiting} only for a request left in a queue. The timer is not cancelled
 * when the queues drain (that would cost a timer per burst): when it fires it fails the requests
 * that are due, then re-arms for the next one, if any is left.
 */
export class AcquireDeadline {
  readonly #limitMs: number;
  readonly #scheduler: SchedulerLike;
  readonly #queues: readonly PoolRequest[][];
  readonly #onExpired: (expired: readonly PoolRequest[], now: number) => void;
  #timer: Subscription | undefined;
  #dueAt = Number.POSITIVE_INFINITY;

  /**
   * @param limitMs - how long a request may wait, in milliseconds; `Infinity` disables the timer.
   * @param queues - the pool's wait queues; expired requests are removed from them in place, the
   * rest keep their order.
   * @param onExpired - gets the expired requests (already out of the queues), oldest first per queue.
   */
  constructor(
    limitMs: number,
    scheduler: SchedulerLike,
    queues: readonly PoolRequest[][],
    onExpired: (expired: readonly PoolRequest[], now: number) => void,
  ) {
    this.#limitMs = limitMs;
    this.#scheduler = scheduler;
    this.#queues = queues;
    this.#onExpired = onExpired;
  }

  /** `request` is in a wait queue: its wait started now, unless it had started already. */
  waiting(request: PoolRequest): void {
    if (this.#limitMs === Number.POSITIVE_INFINITY) return;
    request.waitingSince ??= this.#scheduler.now();
    this.#arm(request.waitingSince + this.#limitMs);
  }

  /** Cancels the timer (the pool is closed). */
  stop(): void {
    this.#timer?.unsubscribe();
    this.#timer = undefined;
    this.#dueAt = Number.POSITIVE_INFINITY;
  }

  /** Makes sure the timer fires by `dueAt`; an earlier timer is kept, a later one replaced. */
  #arm(dueAt: number): void {
    if (this.#timer !== undefined && this.#dueAt <= dueAt) return;
    this.#timer?.unsubscribe();
    this.#dueAt = dueAt;
    this.#timer = this.#scheduler.schedule(() => {
      this.#fire();
    }, Math.max(0, dueAt - this.#scheduler.now()));
  }

  #fire(): void {
    this.#timer = undefined;
    this.#dueAt = Number.POSITIVE_INFINITY;
    const now = this.#scheduler.now();
    const expired: PoolRequest[] = [];
    let nextDueAt = Number.POSITIVE_INFINITY;
    for (const queue of this.#queues) {
      let kept = 0;
      for (const request of queue) {
        const since = (request.waitingSince ??= now);
        if (now - since >= this.#limitMs) {
          expired.push(request);
        } else {
          queue[kept++] = request;
          nextDueAt = Math.min(nextDueAt, since + this.#limitMs);
        }
      }
      queue.length = kept;
    }
    if (nextDueAt !== Number.POSITIVE_INFINITY) this.#arm(nextDueAt);
    if (expired.length > 0) this.#onExpired(expired, now);
  }
}
