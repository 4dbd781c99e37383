import type { SchedulerLike, Subscription } from 'rxjs';
import type { PoolRequest } from './pool-request.js';
import type { RequestQueue } from './request-queue.js';

/**
 * @internal Enforces a pool's `acquireTimeoutMs` on its wait queues with at most one timer,
 * armed for the oldest waiter. A request fails once it has waited `acquireTimeoutMs` and its queue
 * has sent nothing to a connection for as long: a long queue that moves (100,000 pushes at once
 * to a server that takes them all) is not an unreachable server. A request written at once never
 * touches it: the pool calls {@link AcquireDeadline.waiting} only for a request left in a queue.
 * The timer is not cancelled when the queues drain (that would cost a timer per burst): when it
 * fires it fails the requests that are due, then re-arms for the next one, if any is left.
 */
export class AcquireDeadline {
  readonly #limitMs: number;
  readonly #scheduler: SchedulerLike;
  readonly #queues: readonly RequestQueue<PoolRequest>[];
  readonly #onExpired: (expired: readonly PoolRequest[], now: number) => void;
  #timer: Subscription | undefined;
  #dueAt = Number.POSITIVE_INFINITY;

  /**
   * @param limitMs - how long a request may wait, in milliseconds; `Infinity` disables the timer.
   * @param queues - the pool's wait queues; expired requests are taken out of them, the rest keep
   * their order.
   * @param onExpired - gets the expired requests (already out of the queues), oldest first per queue.
   */
  constructor(
    limitMs: number,
    scheduler: SchedulerLike,
    queues: readonly RequestQueue<PoolRequest>[],
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
      const taken = queue.takeIf((request) => {
        const since = Math.max((request.waitingSince ??= now), queue.progressAt);
        if (now - since >= this.#limitMs) return true;
        nextDueAt = Math.min(nextDueAt, since + this.#limitMs);
        return false;
      });
      for (const request of taken) expired.push(request);
    }
    if (nextDueAt !== Number.POSITIVE_INFINITY) this.#arm(nextDueAt);
    if (expired.length > 0) this.#onExpired(expired, now);
  }
}
