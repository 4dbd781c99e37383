import {
  EMPTY, type Observable, type OperatorFunction, type SchedulerLike, catchError, concat, defer, filter, ignoreElements, map,
  mergeMap, of, repeat, takeUntil, takeWhile, tap, throwError, timer, NEVER,
} from 'rxjs';
import type { AnyJobs, JobOf, JobTypes, WorkerClient } from '../streams/types.js';
import type { FetchRetriedEvent, JobFetchedEvent } from './events.js';

/** Options of {@link fetchOnDemand}. Times are milliseconds. */
export interface FetchOnDemandOptions {
  /** The queue order of each FETCH (see `queueOrder`). */
  readonly queues: () => readonly string[];
  /** FETCHes outstanding at once, at most: give each its own socket (`fetchers` of the worker). */
  readonly maxOutstanding: number;
  /** The delay before retry `attempt` (1, 2, ...) of a FETCH that failed. */
  readonly retryDelayMs: (attempt: number) => number;
  /** The clock of the retry delays. */
  readonly scheduler: SchedulerLike;
  /** Errors that end the source with an error instead of a retry (e.g. the client was closed). @defaultValue none */
  readonly isFatal?: (error: unknown) => boolean;
  /**
   * When it emits, FETCHes still outstanding are abandoned and the source completes. Only for
   * when the server is gone: a FETCH the server received reserves a job whether or not its
   * reply is read. @defaultValue `NEVER`
   */
  readonly abandon$?: Observable<unknown>;
}

/**
 * A demand-driven FETCH source: each value of the source (a demand: "one slot is free") sends
 * one FETCH, repeated while it comes back empty and retried after `retryDelayMs` on errors
 * (emitting `fetchRetried`), until it brings a job, emitted as a `fetched` event. At most
 * `maxOutstanding` FETCHes are outstanding; further demands wait (a demand holds no job). A
 * fetched job is emitted as its reply arrives, never buffered: its reservation is running.
 *
 * When the demand completes, no further FETCH is sent, demands not yet served are dropped, and
 * the FETCHes outstanding are still read to their end (a job they bring is emitted: a FETCH
 * sent is never abandoned, or its job would stay reserved for nobody); then it completes. It
 * errors with a fatal FETCH error (`isFatal`).
 *
 * @example
 * const demand$ = new Subject<void>();
 * demand$.pipe(fetchOnDemand(client, { queues: () => ['critical', 'default'], maxOutstanding: 1, retryDelayMs: () => 1_000, scheduler: asyncScheduler }))
 *   .subscribe((event) => console.log(event.type === 'fetched' ? event.jid : 'retrying'));
 * demand$.next(); // one FETCH now (repeated while the queues are empty)
 */
export function fetchOnDemand<Jobs extends JobTypes = AnyJobs>(
  client: Pick<WorkerClient<Jobs>, 'fetch'>,
  options: FetchOnDemandOptions,
): OperatorFunction<unknown, JobFetchedEvent<JobOf<Jobs>> | FetchRetriedEvent> {
  const { queues, maxOutstanding, retryDelayMs, scheduler } = options;
  const isFatal = options.isFatal ?? (() => false);
  return (demand$) =>
    defer(() => {
      let open = true;
      const fetched = (job: JobOf<Jobs>, sentAtMs: number): JobFetchedEvent<JobOf<Jobs>> => {
        const atMs = scheduler.now();
        return { type: 'fetched', jid: job.jid, jobtype: job.jobtype, queue: job.queue ?? 'default', job, atMs, fetchMs: atMs - sentAtMs };
      };
      /** One slot's FETCHes until one brings a job (or the demand closed and one came back). */
      const untilJob$ = defer(() => {
        let failures = 0;
        let sentAtMs = 0;
        const attempt$ = defer(() => {
          sentAtMs = scheduler.now();
          return client.fetch(...queues());
        }).pipe(
          map((job) => {
            failures = 0;
            return job === null ? null : fetched(job, sentAtMs);
          }),
          catchError((error: unknown) => {
            if (isFatal(error)) return throwError(() => error as Error);
            if (!open) return EMPTY;
            const attempt = ++failures;
            const delayMs = retryDelayMs(attempt);
            const retried: FetchRetriedEvent = { type: 'fetchRetried', attempt, delayMs, error };
            return concat(of(retried), timer(delayMs, scheduler).pipe(ignoreElements()));
          }),
        );
        return attempt$.pipe(
          repeat({ delay: () => (open ? of(0) : EMPTY) }),
          takeWhile((event) => event?.type !== 'fetched', true),
          filter((event) => event !== null),
        );
      });
      return demand$.pipe(
        tap({ complete: () => { open = false; } }),
        mergeMap(() => (open ? untilJob$ : EMPTY), maxOutstanding),
        takeUntil(options.abandon$ ?? NEVER),
      );
    });
}
