import { Observable, catchError, defer, from, ignoreElements, isObservable, map, of, race, concat } from 'rxjs';
import type { JobTypes, WorkerClient } from '../streams/types.js';
import type { JobFailureReason } from './events.js';
import type { JobContext, JobHandlers, Middleware } from './handler-types.js';
import { JobTimeoutError, UnknownJobTypeError, WorkerShutdownError } from './job-errors.js';

/** How a job's execution ended. @internal */
export type JobOutcome = { readonly ok: true } | { readonly ok: false; readonly error: unknown; readonly reason: JobFailureReason };

const SUCCESS: JobOutcome = Object.freeze({ ok: true });

function toObservable(result: unknown): Observable<unknown> {
  if (isObservable(result)) return result;
  if (typeof result === 'object' && result !== null && typeof (result as { then?: unknown }).then === 'function') {
    return from(result as PromiseLike<unknown>);
  }
  return of(result);
}

function reasonOf(error: unknown): JobFailureReason {
  if (error instanceof JobTimeoutError) return 'timeout';
  if (error instanceof WorkerShutdownError) return 'shutdown';
  return 'error';
}

/** Emits the signal's reason once it aborts (at once when it already has). */
function aborted(signal: AbortSignal): Observable<unknown> {
  return new Observable<unknown>((subscriber) => {
    const onAbort = (): void => {
      subscriber.next(signal.reason);
      subscriber.complete();
    };
    if (signal.aborted) {
      onAbort();
      return undefined;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    return () => {
      signal.removeEventListener('abort', onAbort);
    };
  });
}

/**
 * Runs one job through the middleware chain and its handler, racing the job's abort signal.
 * Emits exactly one {@link JobOutcome} and completes; never errors. On abort, an Observable
 * handler is unsubscribed; a Promise handler keeps running but sees `ctx.signal` aborted.
 * @internal
 */
export function executeJob<Jobs extends JobTypes, Client extends WorkerClient<Jobs>>(
  handlers: JobHandlers<Jobs, Client>,
  middleware: readonly Middleware<Jobs, Client>[],
  ctx: JobContext<Jobs, Client>,
): Observable<JobOutcome> {
  return defer(() => {
    const handler = handlers[ctx.jobtype];
    if (handler === undefined) {
      return of<JobOutcome>({ ok: false, error: new UnknownJobTypeError(ctx.jid, ctx.jobtype), reason: 'unknownJobType' });
    }
    const core$ = defer(() => toObservable(handler(ctx.job.args, ctx)));
    const chain$ = middleware.reduceRight<Observable<unknown>>((next$, wrap) => defer(() => from(wrap(next$, ctx))), core$);
    const run$ = concat(chain$.pipe(ignoreElements()), of(SUCCESS)).pipe(
      catchError((error: unknown) => of<JobOutcome>({ ok: false, error, reason: 'error' })),
    );
    const abort$ = aborted(ctx.signal).pipe(map((error): JobOutcome => ({ ok: false, error, reason: reasonOf(error) })));
    return race(abort$, run$);
  });
}
