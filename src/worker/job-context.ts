import type { JobFailure, JobOf, JobTypes, JsonValue, WorkerClient } from '../streams/types.js';
import type { JobContext } from './handler-types.js';

const NO_CUSTOM: { readonly [key: string]: JsonValue } = Object.freeze({});

/**
 * How many more times the server retries a job if this run fails: the job's `retry` (25 when
 * absent) on a first run; on a retry, the failure's `remaining` (retries left counting this
 * one, so this run's failure leaves one fewer) or `retry - retry_count - 1`. Never below 0.
 * @internal
 */
export function retriesRemaining(job: { readonly retry?: number; readonly failure?: JobFailure }): number {
  const retry = job.retry ?? 25;
  const failure = job.failure;
  if (failure === undefined) return Math.max(0, retry);
  return Math.max(0, (failure.remaining ?? retry - failure.retry_count) - 1);
}

/**
 * The {@link JobContext} handed to a handler: a class, so the lazy `signal` is a prototype
 * getter (an object literal with an accessor is built through a slow path on every job) and
 * `locals` is made only when read.
 * @internal
 */
export class JobContextImpl<Jobs extends JobTypes, Client extends WorkerClient<Jobs>> implements JobContext<Jobs, Client> {
  readonly jid: string;
  readonly jobtype: keyof Jobs & string;
  readonly custom: { readonly [key: string]: JsonValue };
  readonly failure: JobFailure | undefined;
  readonly retriesRemaining: number;
  readonly #execution: { readonly signal: AbortSignal };
  #locals: Record<string, unknown> | undefined;

  constructor(
    readonly job: JobOf<Jobs>,
    readonly queue: string,
    execution: { readonly signal: AbortSignal },
    readonly client: Client,
    readonly wid: string,
    readonly startedAtMs: number,
  ) {
    this.jid = job.jid;
    this.jobtype = job.jobtype;
    this.custom = job.custom ?? NO_CUSTOM;
    this.failure = job.failure;
    this.retriesRemaining = retriesRemaining(job);
    this.#execution = execution;
  }

  /** The job's abort signal (its controller is made on first read). */
  get signal(): AbortSignal {
    return this.#execution.signal;
  }

  /** Per-job state for middleware (made on first read). */
  get locals(): Record<string, unknown> {
    return (this.#locals ??= {});
  }
}
