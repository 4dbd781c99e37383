import type { SchedulerLike, Subscription } from 'rxjs';

/** A job's time limit, as {@link JobDeadlines} tracks it. @internal */
export interface Deadline {
  /** When it expires, on the scheduler's clock (ms). */
  readonly atMs: number;
  /** Called once when it expires (not after it was removed). */
  readonly onExpire: () => void;
}

/**
 * The time limits of the running jobs, on one scheduler timer instead of one per job: the timer
 * is armed for the earliest deadline; removing a deadline leaves it armed (it fires, finds
 * nothing due and re-arms for the earliest one left), so a job that finishes in time costs no
 * timer work. With equal timeouts deadlines arrive in order and the timer is set about once per
 * timeout period. Holds at most one timer; `close()` cancels it.
 * @internal
 */
export class JobDeadlines {
  readonly #scheduler: SchedulerLike;
  readonly #deadlines = new Set<Deadline>();
  #timer: Subscription | undefined;
  #armedAtMs = Number.POSITIVE_INFINITY;

  constructor(scheduler: SchedulerLike) {
    this.#scheduler = scheduler;
  }

  /** How many deadlines are tracked (for tests: it must fall back to 0 as jobs finish). */
  get size(): number {
    return this.#deadlines.size;
  }

  /** Whether the timer is armed. */
  get armed(): boolean {
    return this.#timer !== undefined;
  }

  /** Starts tracking `deadline`. */
  add(deadline: Deadline): void {
    this.#deadlines.add(deadline);
    if (deadline.atMs < this.#armedAtMs) this.#arm(deadline.atMs);
  }

  /** Stops tracking `deadline` (the job finished). */
  remove(deadline: Deadline): void {
    this.#deadlines.delete(deadline);
  }

  /** Cancels the timer and forgets every deadline. */
  close(): void {
    this.#deadlines.clear();
    this.#disarm();
  }

  #arm(atMs: number): void {
    this.#disarm();
    this.#armedAtMs = atMs;
    this.#timer = this.#scheduler.schedule(() => {
      this.#fire();
    }, Math.max(0, atMs - this.#scheduler.now()));
  }

  #disarm(): void {
    this.#timer?.unsubscribe();
    this.#timer = undefined;
    this.#armedAtMs = Number.POSITIVE_INFINITY;
  }

  #fire(): void {
    this.#timer = undefined;
    this.#armedAtMs = Number.POSITIVE_INFINITY;
    const now = this.#scheduler.now();
    const due: Deadline[] = [];
    let earliest = Number.POSITIVE_INFINITY;
    for (const deadline of this.#deadlines) {
      if (deadline.atMs <= now) due.push(deadline);
      else if (deadline.atMs < earliest) earliest = deadline.atMs;
    }
    for (const deadline of due) this.#deadlines.delete(deadline);
    if (earliest !== Number.POSITIVE_INFINITY) this.#arm(earliest);
    for (const deadline of due) deadline.onExpire();
  }
}
