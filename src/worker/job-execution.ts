import { Observable, type SchedulerLike, type Subscriber, type Subscription, defaultIfEmpty, defer, from, isObservable, of } from 'rxjs';
import type { JobOf, JobTypes, WorkerClient } from '../streams/types.js';
import type { JobFailureReason, JobFetchedEvent, JobHandledEvent, JobOutcome, JobReleasedEvent } from './events.js';
import type { JobHandlers, Middleware } from './handler-types.js';
import { JobContextImpl } from './job-context.js';
import type { Deadline, JobDeadlines } from './job-deadlines.js';
import { JobTimeoutError, UnknownJobTypeError, WorkerShutdownError } from './job-errors.js';

/** What one job's execution needs. @internal */
export interface ExecutionSetup<Jobs extends JobTypes, Client extends WorkerClient<Jobs>> {
  readonly handlers: JobHandlers<Jobs, Client>;
  readonly middleware: readonly Middleware<Jobs, Client>[];
  readonly jobTimeoutMs: (job: JobOf<Jobs>) => number;
  readonly scheduler: SchedulerLike;
  readonly client: Client;
  readonly wid: string;
  /** The time limits of the running jobs, on one timer. */
  readonly deadlines: JobDeadlines;
}

/** A running execution, as {@link runJobs} tracks it to abort it. @internal */
export interface Abortable {
  readonly jid: string;
  abort(reason: unknown): void;
}

const SUCCESS: JobOutcome = Object.freeze({ ok: true });

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

function reasonOf(error: unknown): JobFailureReason {
  if (error instanceof JobTimeoutError) return 'timeout';
  if (error instanceof WorkerShutdownError) return 'shutdown';
  return 'error';
}

/**
 * Runs one fetched job: its middleware chain and handler, under its time limit. Emits `handled`
 * once, with the outcome (success; the error; `JobTimeoutError` when the limit passed;
 * WorkerShutdownError when aborted), then `released` and completes once the handler has settled:
 * at once for a plain value or an Observable (unsubscribed when the job is aborted), when the
 * Promise settles for a Promise handler or async middleware, which cannot be stopped, only
 * asked to stop through `ctx.signal`. `register` is told of the execution while it runs (to
 * abort it) and returns `false` to abort it before the handler is called. Unsubscribing aborts
 * its signal and emits nothing more. Never errors.
 * @internal
 */
export function executeJob<Jobs extends JobTypes, Client extends WorkerClient<Jobs>>(
  event: JobFetchedEvent<JobOf<Jobs>>,
  setup: ExecutionSetup<Jobs, Client>,
  register: (execution: Abortable) => () => void,
): Observable<JobHandledEvent<JobOf<Jobs>> | JobReleasedEvent> {
  return new Observable((subscriber) => {
    const execution = new Execution(event, setup, subscriber);
    const unregister = register(execution);
    execution.start();
    return () => {
      unregister();
      execution.teardown();
    };
  });
}

class Execution<Jobs extends JobTypes, Client extends WorkerClient<Jobs>> implements Abortable, Deadline {
  readonly #event: JobFetchedEvent<JobOf<Jobs>>;
  readonly #setup: ExecutionSetup<Jobs, Client>;
  readonly #subscriber: Subscriber<JobHandledEvent<JobOf<Jobs>> | JobReleasedEvent>;
  readonly #startedAtMs: number;
  #outcome: JobOutcome | undefined;
  #controller: AbortController | undefined;
  #abortReason: unknown;
  /** When its time limit passes, on the scheduler clock (ms). */
  atMs = Number.POSITIVE_INFINITY;
  #timeoutMs = 0;
  #timed = false;
  /** The chain's Observable, while subscribed. */
  #chain: Subscription | undefined;
  #chainDone = false;
  /** Promises (handler or middleware) not settled yet: the slot stays taken until they are. */
  #pending = 0;
  #released = false;

  constructor(event: JobFetchedEvent<JobOf<Jobs>>, setup: ExecutionSetup<Jobs, Client>, subscriber: Subscriber<JobHandledEvent<JobOf<Jobs>> | JobReleasedEvent>) {
    this.#event = event;
    this.#setup = setup;
    this.#subscriber = subscriber;
    this.#startedAtMs = setup.scheduler.now();
  }

  get jid(): string {
    return this.#event.jid;
  }

  /** The job's abort signal (its controller is made on first read). */
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#abortReason !== undefined) this.#controller.abort(this.#abortReason);
    }
    return this.#controller.signal;
  }

  start(): void {
    if (this.#outcome !== undefined) {
      // Aborted while registering: never call the handler.
      this.#chainDone = true;
      this.#checkReleased();
      return;
    }
    const { job } = this.#event;
    const { handlers, middleware, client, wid } = this.#setup;
    const handler = handlers[job.jobtype];
    if (handler === undefined) {
      this.#chainDone = true;
      this.#report({ ok: false, error: new UnknownJobTypeError(job.jid, job.jobtype, Object.keys(handlers)), reason: 'unknownJobType' });
      return;
    }
    this.#timeoutMs = this.#setup.jobTimeoutMs(job);
    this.atMs = this.#startedAtMs + this.#timeoutMs;
    this.#timed = true;
    this.#setup.deadlines.add(this);
    const ctx = new JobContextImpl<Jobs, Client>(job, this.#event.queue, this, client, wid, this.#startedAtMs);
    if (middleware.length === 0) {
      // The common case, without operators: call the handler and look at what it returned.
      let result: unknown;
      try {
        result = handler(job.args, ctx);
      } catch (error) {
        this.#chainDone = true;
        this.#fail(error);
        return;
      }
      if (isObservable(result)) {
        this.#subscribe(result);
      } else {
        this.#chainDone = true;
        if (isThenable(result)) this.#track(result, true);
        else this.#report(SUCCESS);
      }
      return;
    }
    const core$ = defer(() => this.#input(handler(job.args, ctx))).pipe(defaultIfEmpty(undefined));
    const chain$ = middleware.reduceRight<Observable<unknown>>(
      (next$, wrap) => defer(() => this.#input(wrap(next$, ctx))).pipe(defaultIfEmpty(undefined)),
      core$,
    );
    this.#subscribe(chain$);
  }

  /** Its time limit passed (called once by the deadlines). */
  onExpire(): void {
    this.#timed = false;
    this.abort(new JobTimeoutError(this.#event.jid, this.#timeoutMs));
  }

  #untime(): void {
    if (!this.#timed) return;
    this.#timed = false;
    this.#setup.deadlines.remove(this);
  }

  /** Aborts the job with `reason` (a `JobTimeoutError` or `WorkerShutdownError`); its outcome unless one was reported. */
  abort(reason: unknown): void {
    if (this.#abortReason !== undefined) return;
    this.#abortReason = reason;
    this.#report({ ok: false, error: reason, reason: reasonOf(reason) });
    this.#controller?.abort(reason);
    if (this.#chain !== undefined) {
      const chain = this.#chain;
      this.#chain = undefined;
      this.#chainDone = true;
      chain.unsubscribe();
    }
    this.#checkReleased();
  }

  /** The subscriber left (the pipeline is being torn down): stop without reporting. */
  teardown(): void {
    if (this.#released) return;
    this.#released = true;
    this.#untime();
    this.#chain?.unsubscribe();
    this.#chain = undefined;
    if (this.#abortReason === undefined && this.#controller !== undefined) {
      this.#abortReason = new WorkerShutdownError(this.#event.jid, 'the worker stopped');
      this.#controller.abort(this.#abortReason);
    }
  }

  /** A middleware's or handler's result as an Observable; a Promise is tracked until it settles. */
  #input(result: unknown): Observable<unknown> {
    if (isObservable(result)) return result;
    if (isThenable(result)) {
      this.#track(result, false);
      return from(result);
    }
    return of(result);
  }

  #track(promise: PromiseLike<unknown>, reports: boolean): void {
    this.#pending++;
    promise.then(
      () => {
        this.#pending--;
        if (reports) this.#report(SUCCESS);
        this.#checkReleased();
      },
      (error: unknown) => {
        this.#pending--;
        if (reports) this.#fail(error);
        this.#checkReleased();
      },
    );
  }

  #subscribe(run$: Observable<unknown>): void {
    const subscription = run$.subscribe({
      error: (error: unknown) => {
        this.#chain = undefined;
        this.#chainDone = true;
        this.#fail(error);
      },
      complete: () => {
        this.#chain = undefined;
        this.#chainDone = true;
        this.#report(SUCCESS);
      },
    });
    if (this.#chainDone) return;
    if (this.#abortReason === undefined) {
      this.#chain = subscription;
      return;
    }
    // Aborted while subscribing.
    this.#chainDone = true;
    subscription.unsubscribe();
    this.#checkReleased();
  }

  #fail(error: unknown): void {
    this.#report({ ok: false, error, reason: 'error' });
  }

  /** Reports the outcome (the first one wins), then checks whether the slot is free. */
  #report(outcome: JobOutcome): void {
    if (this.#outcome === undefined && !this.#released) {
      this.#outcome = outcome;
      this.#untime();
      const { jid, jobtype, job, atMs } = this.#event;
      this.#subscriber.next({ type: 'handled', jid, jobtype, job, outcome, fetchedAtMs: atMs, durationMs: this.#setup.scheduler.now() - this.#startedAtMs });
    }
    this.#checkReleased();
  }

  #checkReleased(): void {
    if (this.#released || this.#outcome === undefined || !this.#chainDone || this.#pending > 0) return;
    this.#released = true;
    this.#subscriber.next({ type: 'released', jid: this.#event.jid });
    this.#subscriber.complete();
  }
}
