import {
  asyncScheduler,
  bufferTime,
  catchError,
  concatMap,
  connect,
  filter,
  from,
  map,
  merge,
  mergeMap,
  of,
  type OperatorFunction,
  type SchedulerLike,
} from 'rxjs';
import { InvalidArgumentError } from '../errors.js';
import type { FaktoryClient } from './faktory-client.js';
import type { JobInput } from './job-builder.js';
import type { JobOf, JobTypes } from './types.js';

/** Options of {@link pushJobs}. */
export interface PushJobsOptions {
  /** Most jobs in one `PUSHB`. @defaultValue 1000 */
  readonly maxBatch?: number;
  /** How long a batch collects jobs before it is sent, in milliseconds. @defaultValue 10 */
  readonly windowMs?: number;
  /** Most `PUSHB` commands awaiting their reply at once. @defaultValue 4 */
  readonly concurrency?: number;
  /** The scheduler of the batching window. @defaultValue `asyncScheduler` */
  readonly scheduler?: SchedulerLike;
}

/** Defaults of {@link PushJobsOptions}. */
export const PUSH_JOBS_DEFAULTS = Object.freeze({ maxBatch: 1000, windowMs: 10, concurrency: 4 });

/** The server accepted the job. */
export interface PushedResult<Job> {
  readonly status: 'pushed';
  readonly job: Job;
}

/**
 * The job was refused: by the server (`reason` is its word, `error` absent), or before sending
 * by push middleware or validation (`error` is what they threw; `job` is absent when no valid
 * payload exists, `input` is what was given).
 */
export interface RejectedResult<Job, Input> {
  readonly status: 'rejected';
  readonly job: Job | undefined;
  readonly input: Input;
  readonly reason: string;
  readonly error?: unknown;
}

/** The job's batch could not be sent or got no answer (`ConnectionError`, `TimeoutError`, ...): it may or may not have been stored. */
export interface FailedResult<Job> {
  readonly status: 'failed';
  readonly job: Job;
  readonly error: unknown;
}

/** What {@link pushJobs} says of each job. */
export type PushResult<Job, Input = Job> = PushedResult<Job> | RejectedResult<Job, Input> | FailedResult<Job>;

interface Prepared<Job, Input> {
  readonly job: Job;
  readonly input: Input;
}

/**
 * Pushes a stream of jobs in `PUSHB` batches and emits one result per job.
 *
 * Each job goes through the client's push middleware and validation; a job refused there
 * becomes a `rejected` result at once (not a stream error). Valid jobs are collected for
 * `windowMs` or until `maxBatch` are waiting, whichever comes first, and each batch is sent
 * with `PUSHB`; at most `concurrency` batches await their reply, later batches wait in line.
 * Every job of a batch then gets a `pushed` or `rejected` (with the server's reason) result;
 * if the batch itself fails, each of its jobs gets a `failed` result, and other batches carry
 * on. Results are not in input order. Completes when the source has completed and every batch
 * has been answered; errors only if the source errors.
 *
 * Buffers: one open batch (at most `maxBatch` jobs), plus batches waiting for a free slot; RxJS
 * does not slow a synchronous source down, so the waiting batches hold what such a source
 * emits faster than the server takes it.
 *
 * @example
 * from(users).pipe(
 *   map((u) => job('SendEmail', u.email, 7)),
 *   pushJobs(client, { maxBatch: 500 }),
 *   filter((r) => r.status !== 'pushed'),
 * ).subscribe((r) => console.warn('not pushed', r));
 */
export function pushJobs<Jobs extends JobTypes>(
  client: FaktoryClient<Jobs>,
  options: PushJobsOptions = {},
): OperatorFunction<JobInput<Jobs>, PushResult<JobOf<Jobs>, JobInput<Jobs>>> {
  const maxBatch = options.maxBatch ?? PUSH_JOBS_DEFAULTS.maxBatch;
  const windowMs = options.windowMs ?? PUSH_JOBS_DEFAULTS.windowMs;
  const concurrency = options.concurrency ?? PUSH_JOBS_DEFAULTS.concurrency;
  const scheduler = options.scheduler ?? asyncScheduler;
  assertCount(maxBatch, 'maxBatch');
  assertCount(concurrency, 'concurrency');
  if (!Number.isFinite(windowMs) || windowMs < 0) {
    throw new InvalidArgumentError(`must be a finite number >= 0 (got ${String(windowMs)})`, { argument: 'windowMs' });
  }
  type Job = JobOf<Jobs>;
  type Input = JobInput<Jobs>;
  type Result = PushResult<Job, Input>;

  const send = (batch: readonly Prepared<Job, Input>[]) =>
    client.sendBulk(batch.map((p) => p.job)).pipe(
      mergeMap((reasons) =>
        from(
          batch.map(({ job, input }): Result => {
            const reason = reasons[job.jid];
            return reason === undefined ? { status: 'pushed', job } : { status: 'rejected', job, input, reason };
          }),
        ),
      ),
      catchError((error: unknown) => from(batch.map(({ job }): Result => ({ status: 'failed', job, error })))),
    );

  return (source) =>
    source.pipe(
      concatMap((input) =>
        client.prepare(input).pipe(
          map((job): Prepared<Job, Input> | Result => ({ job, input })),
          catchError((error: unknown) => of<Result>({ status: 'rejected', job: undefined, input, reason: reasonOf(error), error })),
        ),
      ),
      connect((prepared$) =>
        merge(
          prepared$.pipe(filter((item): item is Result => 'status' in item)),
          prepared$.pipe(
            filter((item): item is Prepared<Job, Input> => !('status' in item)),
            bufferTime(windowMs, null, maxBatch, scheduler),
            filter((batch) => batch.length > 0),
            mergeMap(send, concurrency),
          ),
        ),
      ),
    );
}

function assertCount(value: number, argument: string): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new InvalidArgumentError(`must be an integer >= 1 (got ${String(value)})`, { argument });
  }
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
