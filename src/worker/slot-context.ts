import type { JobFailure, JobOf, JobTypes, JsonValue, WorkerClient } from '../streams/types.js';
import type { JobContext } from './handler-types.js';

const NO_CUSTOM: { readonly [key: string]: JsonValue } = Object.freeze({});

/**
 * The {@link JobContext} a slot hands its handler: a class, so the lazy `signal` is a prototype
 * getter (an object literal with an accessor is built through a slow path on every job) and
 * `locals` is made only when read.
 * @internal
 */
export class SlotContext<Jobs extends JobTypes, Client extends WorkerClient<Jobs>> implements JobContext<Jobs, Client> {
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
    const failure = job.failure;
    this.failure = failure;
    const retry = job.retry ?? 25;
    this.retriesRemaining = Math.max(0, failure?.remaining ?? retry - (failure === undefined ? 0 : failure.retry_count + 1));
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
