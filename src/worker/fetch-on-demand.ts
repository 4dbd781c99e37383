import { NEVER, Observable, type OperatorFunction, type SchedulerLike, Subscription, defer } from 'rxjs';
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
  const abandon$ = options.abandon$ ?? NEVER;
  // Written as RxJS writes its own operators (one subscriber, counters, one completion check):
  // it runs for every job, and a chain of operators per FETCH costs more than the FETCH.
  return (demand$) =>
    new Observable<JobFetchedEvent<JobOf<Jobs>> | FetchRetriedEvent>((subscriber) => {
      /** The demand has not completed: FETCHes may still be sent. */
      let open = true;
      /** Demands waiting for a FETCH to be free. */
      let waiting = 0;
      /** The slots' FETCH loops. */
      const loops = new Set<FetchLoop>();

      const checkComplete = (): void => {
        if (!open && loops.size === 0) subscriber.complete();
      };
      /** One slot's FETCHes until one brings a job (or the demand closed and one came back). */
      const startLoop = (): void => {
        const loop = new FetchLoop();
        loops.add(loop);
        attempt(loop);
      };
      const end = (loop: FetchLoop): void => {
        loops.delete(loop);
        loop.cancel();
        if (open && waiting > 0) {
          waiting--;
          startLoop();
        }
        checkComplete();
      };
      const attempt = (loop: FetchLoop): void => {
        let brought = false;
        loop.sentAtMs = scheduler.now();
        const fetch = defer(() => client.fetch(...queues())).subscribe({
          next: (job) => {
            loop.failures = 0;
            if (job === null) return;
            brought = true;
            loop.cancel();
            const atMs = scheduler.now();
            subscriber.next({ type: 'fetched', jid: job.jid, jobtype: job.jobtype, queue: job.queue ?? 'default', job, atMs, fetchMs: atMs - loop.sentAtMs });
            end(loop);
          },
          error: (error: unknown) => {
            loop.fetch = undefined;
            if (isFatal(error)) {
              subscriber.error(error);
            } else if (!open) {
              end(loop);
            } else {
              const attemptNo = ++loop.failures;
              const delayMs = retryDelayMs(attemptNo);
              loop.retry = scheduler.schedule(() => {
                loop.retry = undefined;
                if (open) attempt(loop);
                else end(loop);
              }, delayMs);
              subscriber.next({ type: 'fetchRetried', attempt: attemptNo, delayMs, error });
            }
          },
          // An empty reply: the next FETCH once this one is over.
          complete: () => {
            if (brought) return;
            // Over before the next one starts (as `repeat` does), so that never two are outstanding.
            loop.cancel();
            if (open) attempt(loop);
            else end(loop);
          },
        });
        // Unless it is over already: a job came at once (the loop ended), or an error or an empty reply did.
        if (fetch.closed) return;
        if (loops.has(loop)) loop.fetch = fetch;
        else fetch.unsubscribe();
      };

      /** The subscriptions to `abandon$` and to the demand. */
      const upstream = new Subscription();
      const teardown = (): void => {
        upstream.unsubscribe();
        for (const loop of loops) loop.cancel();
        loops.clear();
      };
      upstream.add(
        abandon$.subscribe(() => {
          open = false;
          teardown();
          subscriber.complete();
        }),
      );
      if (subscriber.closed) return teardown;
      upstream.add(
        demand$.subscribe({
          next: () => {
            if (loops.size < maxOutstanding) startLoop();
            else waiting++;
          },
          error: (error: unknown) => {
            subscriber.error(error);
          },
          complete: () => {
            open = false;
            waiting = 0;
            checkComplete();
          },
        }),
      );
      return teardown;
    });
}

/** One slot's FETCH loop: the FETCH it awaits, or the retry it waits for. */
class FetchLoop {
  failures = 0;
  /** When its current FETCH was sent, on the scheduler clock (ms). */
  sentAtMs = 0;
  fetch: Subscription | undefined;
  retry: Subscription | undefined;

  cancel(): void {
    this.fetch?.unsubscribe();
    this.fetch = undefined;
    this.retry?.unsubscribe();
    this.retry = undefined;
  }
}
