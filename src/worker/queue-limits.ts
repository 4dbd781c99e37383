import { type Observable, Subject, finalize, first, map, of, race, startWith, switchMap, take, tap } from 'rxjs';
import type { AnyJobs, JobOf, JobTypes, WorkerClient } from '../streams/types.js';

/**
 * Per-queue concurrency limits, enforced at the FETCH: a FETCH names a limited queue only while
 * the jobs running from it plus the FETCHes outstanding that name it are below its limit, so a
 * job the worker cannot start yet is never fetched (a fetched job that waits is a reservation
 * ticking). A FETCH whose queues are all at their limit waits, holding nothing, until one frees
 * up or `closed$` emits (then it answers `null`, as an empty FETCH). One process's limit: N
 * worker processes may run N times as many.
 * @internal
 */
export class QueueLimits {
  readonly #limits: ReadonlyMap<string, number>;
  /** Jobs running, by queue (limited queues only). */
  readonly #running = new Map<string, number>();
  /** FETCHes outstanding that name the queue (limited queues only). */
  readonly #fetching = new Map<string, number>();
  /** The private bridge: a slot of a limited queue was freed. */
  readonly #freed = new Subject<void>();

  constructor(limits: ReadonlyMap<string, number>) {
    this.#limits = limits;
  }

  /** Whether any queue is limited. */
  get active(): boolean {
    return this.#limits.size > 0;
  }

  #count(map: Map<string, number>, queue: string): number {
    return map.get(queue) ?? 0;
  }

  #add(map: Map<string, number>, queue: string, delta: number): void {
    if (this.#limits.has(queue)) map.set(queue, this.#count(map, queue) + delta);
  }

  /** The queues of `order` a FETCH may name now, in order. */
  fetchable(order: readonly string[]): string[] {
    return order.filter((queue) => {
      const limit = this.#limits.get(queue);
      return limit === undefined || this.#count(this.#running, queue) + this.#count(this.#fetching, queue) < limit;
    });
  }

  /** A job from `queue` stopped running (its handler settled). */
  released(queue: string): void {
    if (!this.#limits.has(queue)) return;
    this.#add(this.#running, queue, -1);
    this.#freed.next();
  }

  /** `client`, with each FETCH limited as described above. */
  limit<Jobs extends JobTypes = AnyJobs>(client: Pick<WorkerClient<Jobs>, 'fetch'>, closed$: Observable<unknown>): Pick<WorkerClient<Jobs>, 'fetch'> {
    return {
      fetch: (...order: readonly string[]): Observable<JobOf<Jobs> | null> => {
        const allowed$ = this.#freed.pipe(
          startWith(undefined),
          map(() => this.fetchable(order)),
          first((queues) => queues.length > 0),
        );
        return race(allowed$, closed$.pipe(take(1), map(() => null))).pipe(
          switchMap((queues) => {
            if (queues === null) return of(null);
            for (const queue of queues) this.#add(this.#fetching, queue, 1);
            return client.fetch(...queues).pipe(
              tap((job) => {
                if (job !== null) this.#add(this.#running, job.queue ?? 'default', 1);
              }),
              finalize(() => {
                for (const queue of queues) this.#add(this.#fetching, queue, -1);
                // A FETCH that came back empty, or failed, frees what it held for the others.
                this.#freed.next();
              }),
            );
          }),
        );
      },
    };
  }
}
