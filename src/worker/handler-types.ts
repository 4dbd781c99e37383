import type { Observable, ObservableInput } from 'rxjs';
import type { FaktoryClient } from '../streams/faktory-client.js';
import type { AnyJobs, JobFailure, JobOf, JobTypes, JsonValue, WorkerClient } from '../streams/types.js';

/**
 * What a handler (and each middleware) receives besides the job's arguments.
 */
export interface JobContext<Jobs extends JobTypes = AnyJobs, Client extends WorkerClient<Jobs> = FaktoryClient<Jobs>> {
  /** The whole job as fetched. */
  readonly job: JobOf<Jobs>;
  readonly jid: string;
  readonly jobtype: keyof Jobs & string;
  /** The queue the job came from (`default` when the payload has none). */
  readonly queue: string;
  /** The job's custom fields (`{}` when it has none). */
  readonly custom: { readonly [key: string]: JsonValue };
  /** Failure information when this is a retry, else `undefined`. */
  readonly failure: JobFailure | undefined;
  /** How many more times the server will retry the job if this run fails (0 when it will not). */
  readonly retriesRemaining: number;
  /**
   * Aborted when the job times out (reason: `JobTimeoutError`) or the worker shuts down before
   * the job finished (reason: `WorkerShutdownError`). Pass it on to `fetch`, timers, drivers.
   */
  readonly signal: AbortSignal;
  /** The worker's client, to push follow-up jobs (push middleware applies). */
  readonly client: Client;
  /** The worker's id. */
  readonly wid: string;
  /** The scheduler's time when the job started, in milliseconds. */
  readonly startedAtMs: number;
  /** Free-form per-job state for middleware, e.g. a database connection. */
  readonly locals: Record<string, unknown>;
}

/**
 * Runs one job. May return a value, a Promise, or an Observable (success when it completes;
 * unsubscribed when the job is aborted). A throw, a rejection or an Observable error FAILs the
 * job with errtype = the error's `name`, its message and its stack; non-Error values are wrapped.
 */
export type JobHandler<Args extends readonly unknown[] = readonly JsonValue[], Ctx = JobContext> = (args: Args, ctx: Ctx) => unknown;

/** Handlers by jobtype, typed by the `Jobs` map: each receives its jobtype's argument tuple. */
export type JobHandlers<Jobs extends JobTypes = AnyJobs, Client extends WorkerClient<Jobs> = FaktoryClient<Jobs>> = {
  readonly [K in keyof Jobs & string]?: JobHandler<Jobs[K], JobContext<Jobs, Client>>;
};

/**
 * Wraps job execution, Observable-in, Observable-out: `next$` runs the rest of the chain (inner
 * middleware, then the handler) when subscribed; the middleware returns what the chain's result
 * is. An `async` function also fits: `await lastValueFrom(next$, { defaultValue: undefined })`.
 * Middleware run in array order, the first one outermost.
 *
 * @example
 * const timing: Middleware = (next$, ctx) => defer(() => {
 *   const t0 = Date.now();
 *   return next$.pipe(finalize(() => console.log(ctx.jobtype, Date.now() - t0, 'ms')));
 * });
 * const withDb: Middleware = async (next$, ctx) => {
 *   ctx.locals.db = await pool.connect();
 *   try { return await lastValueFrom(next$, { defaultValue: undefined }); } finally { ctx.locals.db.release(); }
 * };
 */
export type Middleware<Jobs extends JobTypes = AnyJobs, Client extends WorkerClient<Jobs> = WorkerClient<Jobs>> = (
  next$: Observable<unknown>,
  ctx: JobContext<Jobs, Client>,
) => ObservableInput<unknown>;
