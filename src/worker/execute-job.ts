import { type Observable, type Subscription, defer, from, isObservable, of } from 'rxjs';
import type { JobTypes, WorkerClient } from '../streams/types.js';
import type { JobFailureReason } from './events.js';
import type { JobContext, JobHandlers, Middleware } from './handler-types.js';
import { JobTimeoutError, UnknownJobTypeError, WorkerShutdownError } from './job-errors.js';

/** How a job's execution ended. @internal */
export type JobOutcome = { readonly ok: true } | { readonly ok: false; readonly error: unknown; readonly reason: JobFailureReason };

const SUCCESS: JobOutcome = Object.freeze({ ok: true });

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

function toObservable(result: unknown): Observable<unknown> {
  if (isObservable(result)) return result;
  if (isThenable(result)) return from(result);
  return of(result);
}

function reasonOf(error: unknown): JobFailureReason {
  if (error instanceof JobTimeoutError) return 'timeout';
  if (error instanceof WorkerShutdownError) return 'shutdown';
  return 'error';
}

/**
 * One job's execution: runs the middleware chain and the handler, and reports exactly one
 * {@link JobOutcome} to its listener (synchronously when the handler returns a plain value). An
 * {@link JobExecution.abort} that comes first wins: an Observable handler is unsubscribed, a
 * Promise handler keeps running but sees its signal aborted. The `AbortController` behind
 * {@link JobExecution.signal} is made only when someone reads the signal, so a job whose
 * handler never looks at it costs none.
 * @internal
 */
export class JobExecution<Jobs extends JobTypes, Client extends WorkerClient<Jobs>> {
  readonly #listener: { onOutcome(outcome: JobOutcome): void };
  #settled = false;
  #aborted = false;
  #abortReason: unknown;
  #controller: AbortController | undefined;
  #subscription: Subscription | undefined;

  constructor(listener: { onOutcome(outcome: JobOutcome): void }) {
    this.#listener = listener;
  }

  /** The job's abort signal (made on first use). */
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort(this.#abortReason);
    }
    return this.#controller.signal;
  }

  /** Whether the outcome was reported. */
  get settled(): boolean {
    return this.#settled;
  }

  /** Runs the job (once). An execution aborted before it starts reports the abort and never calls the handler. */
  start(handlers: JobHandlers<Jobs, Client>, middleware: readonly Middleware<Jobs, Client>[], ctx: JobContext<Jobs, Client>): void {
    if (this.#settled) return;
    const handler = handlers[ctx.jobtype];
    if (handler === undefined) {
      this.#finish({ ok: false, error: new UnknownJobTypeError(ctx.jid, ctx.jobtype), reason: 'unknownJobType' });
      return;
    }
    if (middleware.length > 0) {
      const core$ = defer(() => toObservable(handler(ctx.job.args, ctx)));
      this.#subscribe(middleware.reduceRight<Observable<unknown>>((next$, wrap) => defer(() => from(wrap(next$, ctx))), core$));
      return;
    }
    let result: unknown;
    try {
      result = handler(ctx.job.args, ctx);
    } catch (error) {
      this.#fail(error);
      return;
    }
    if (isObservable(result)) {
      this.#subscribe(result);
    } else if (isThenable(result)) {
      result.then(
        () => {
          this.#finish(SUCCESS);
        },
        (error: unknown) => {
          this.#fail(error);
        },
      );
    } else {
      this.#finish(SUCCESS);
    }
  }

  /** Stops the execution without reporting an outcome (the run is being torn down). */
  cancel(): void {
    this.#settled = true;
    this.#subscription?.unsubscribe();
    this.#subscription = undefined;
  }

  /** Aborts the job with `reason` (a `JobTimeoutError` or `WorkerShutdownError`): reports it as the outcome unless one was reported. */
  abort(reason: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#abortReason = reason;
    if (!this.#settled) {
      this.#subscription?.unsubscribe();
      this.#subscription = undefined;
      this.#finish({ ok: false, error: reason, reason: reasonOf(reason) });
    }
    this.#controller?.abort(reason);
  }

  #subscribe(run$: Observable<unknown>): void {
    const subscription = run$.subscribe({
      error: (error: unknown) => {
        this.#fail(error);
      },
      complete: () => {
        this.#finish(SUCCESS);
      },
    });
    if (this.#settled) subscription.unsubscribe();
    else this.#subscription = subscription;
  }

  #fail(error: unknown): void {
    this.#finish({ ok: false, error, reason: 'error' });
  }

  #finish(outcome: JobOutcome): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#subscription = undefined;
    this.#listener.onOutcome(outcome);
  }
}
