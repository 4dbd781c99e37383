import {
  NEVER, type Observable, type OperatorFunction, type SchedulerLike, connect, defer, endWith, filter, ignoreElements, merge,
  finalize, mergeMap, share, take, takeUntil, tap,
} from 'rxjs';
import type { AnyJobs, JobOf, JobTypes, WorkerClient } from '../streams/types.js';
import type { JobFetchedEvent, JobHandledEvent, JobReleasedEvent } from './events.js';
import type { JobHandlers, Middleware } from './handler-types.js';
import { JobDeadlines } from './job-deadlines.js';
import { type Abortable, executeJob } from './job-execution.js';
import { WorkerShutdownError } from './job-errors.js';

/** Options of {@link runJobs}. Times are milliseconds. */
export interface RunJobsOptions<Jobs extends JobTypes = AnyJobs, Client extends WorkerClient<Jobs> = WorkerClient<Jobs>> {
  /** Handlers by jobtype; a job of another jobtype is FAILed with `UnknownJobTypeError`. */
  readonly handlers: JobHandlers<Jobs, Client>;
  /** Wraps every job's execution, first one outermost. @defaultValue `[]` */
  readonly middleware?: readonly Middleware<Jobs, Client>[];
  /** Handlers running at once, at most (aborted ones included until they settle). */
  readonly concurrency: number;
  /** A job's time limit: on expiry its signal aborts and it is FAILed with `JobTimeoutError`. */
  readonly jobTimeoutMs: (job: JobOf<Jobs>) => number;
  /** The clock of the time limits. */
  readonly scheduler: SchedulerLike;
  /** The client handed to handlers as `ctx.client`. */
  readonly client: Client;
  /** The worker id handed to handlers as `ctx.wid`. */
  readonly wid: string;
  /**
   * When it emits a message, every running job is aborted with `WorkerShutdownError(message)`
   * (its signal aborts, an Observable handler is unsubscribed) and FAILed, and every job that
   * arrives later is FAILed without running. @defaultValue `NEVER`
   */
  readonly abort$?: Observable<string>;
}

function isFetched<Jobs extends JobTypes>(event: { readonly type: string }): event is JobFetchedEvent<JobOf<Jobs>> {
  return event.type === 'fetched';
}

/**
 * Runs the handler of each `fetched` event under a concurrency limit, with middleware, a time
 * limit and abort: emits every source event unchanged, then, for each job, `handled` with its
 * outcome (its ACK or FAIL is due: see {@link settleJobs}) and `released` once its handler has
 * settled. The time limits share one timer (armed for the earliest). Concurrency is a hard limit: a job that timed out or was aborted is FAILed at once
 * but holds its slot until its handler gives up (a Promise settles). Jobs beyond the limit wait
 * in order (the demand that fetched them should not let that happen: a waiting job is a
 * reserved one). Completes when the source has completed and every handler has settled.
 *
 * @example
 * demand$.pipe(
 *   fetchOnDemand(client, fetchOptions),
 *   runJobs({ handlers, concurrency: 10, jobTimeoutMs: () => 60_000, scheduler: asyncScheduler, client, wid }),
 *   settleJobs(client, settleOptions),
 * );
 */
export function runJobs<E extends { readonly type: string }, Jobs extends JobTypes = AnyJobs, Client extends WorkerClient<Jobs> = WorkerClient<Jobs>>(
  options: RunJobsOptions<Jobs, Client>,
): OperatorFunction<E, E | JobHandledEvent<JobOf<Jobs>> | JobReleasedEvent> {
  return (source) =>
    defer(() => {
      const deadlines = new JobDeadlines(options.scheduler);
      const setup = { ...options, middleware: options.middleware ?? [], deadlines };
      const running = new Set<Abortable>();
      let abortMessage: string | undefined;
      const register = (execution: Abortable): (() => void) => {
        running.add(execution);
        if (abortMessage !== undefined) execution.abort(new WorkerShutdownError(execution.jid, abortMessage));
        return () => running.delete(execution);
      };
      const work$ = source.pipe(
        connect((events$) =>
          merge(
            events$,
            events$.pipe(
              filter(isFetched<Jobs>),
              mergeMap((event) => executeJob(event, setup, register), options.concurrency),
            ),
          ),
        ),
        finalize(() => {
          deadlines.close();
        }),
        share(),
      );
      const abort$ = (options.abort$ ?? NEVER).pipe(
        take(1),
        tap((message) => {
          abortMessage = message;
          for (const execution of [...running]) execution.abort(new WorkerShutdownError(execution.jid, message));
        }),
        ignoreElements(),
        takeUntil(work$.pipe(ignoreElements(), endWith(true))),
      );
      // The work first: a synchronous source must not run into the abort watcher's subscription to it.
      return merge(work$, abort$);
    });
}
