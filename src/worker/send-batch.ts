import type { SchedulerLike, Subscription } from 'rxjs';

/**
 * Gathers the first attempts of ACK/FAIL sends and starts them together on the scheduler's
 * next turn (`schedule(flush, 0)`), so the ACKs of jobs that finished while handling different
 * socket reads leave in one corked write on the shared connection instead of one write each
 * (a loopback write costs about as much CPU as the rest of a job). Nobody waits for an ACK
 * (slots fetch their next job meanwhile) unless a slot has two outstanding, and such a slot
 * flushes the batch at once (`flushNow`), so the turn costs no throughput. Holds at most one
 * timer; the queue holds at most two entries per slot.
 * @internal
 */
export class SendBatch {
  readonly #scheduler: SchedulerLike;
  #queue: { send(): void }[] = [];
  #timer: Subscription | undefined;
  #scheduled = false;
  readonly #flush = (): void => {
    this.#scheduled = false;
    this.#timer = undefined;
    const queue = this.#queue;
    this.#queue = [];
    for (const item of queue) item.send();
  };

  constructor(scheduler: SchedulerLike) {
    this.#scheduler = scheduler;
  }

  /** How many sends are queued for the next turn. */
  get size(): number {
    return this.#queue.length;
  }

  /** Calls `item.send()` on the next turn, with every other item queued meanwhile. */
  add(item: { send(): void }): void {
    this.#queue.push(item);
    if (this.#scheduled) return;
    this.#scheduled = true;
    const timer = this.#scheduler.schedule(this.#flush, 0);
    // A synchronous scheduler may have flushed already.
    if (this.#isScheduled()) this.#timer = timer;
  }

  #isScheduled(): boolean {
    return this.#scheduled;
  }

  /** Sends what is queued now (a slot is waiting for these deliveries: no point in waiting for the turn). */
  flushNow(): void {
    if (!this.#scheduled) return;
    this.#timer?.unsubscribe();
    this.#flush();
  }

  /** Cancels the timer and drops what is queued (the run is being torn down). */
  close(): void {
    this.#timer?.unsubscribe();
    this.#timer = undefined;
    this.#scheduled = false;
    this.#queue = [];
  }
}
