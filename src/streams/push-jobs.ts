import { asyncScheduler, catchError, concatMap, map, Observable, of, Subscription, type OperatorFunction, type SchedulerLike } from 'rxjs';
import { InvalidArgumentError } from '../errors.js';
import type { FaktoryClient } from './faktory-client.js';
import type { JobInput } from './job-builder.js';
import type { JobOf, JobPayload, JobTypes } from './types.js';

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
export interface PushedResult<Job = JobPayload> {
  readonly status: 'pushed';
  readonly job: Job;
}

/**
 * The job was refused: by the server (`reason` is its word, `error` absent), or before sending
 * by push middleware or validation (`error` is what they threw; `job` is absent when no valid
 * payload exists, `input` is what was given).
 */
export interface RejectedResult<Job = JobPayload, Input = JobInput> {
  readonly status: 'rejected';
  readonly job: Job | undefined;
  readonly input: Input;
  readonly reason: string;
  readonly error?: unknown;
}

/** The job's batch could not be sent or got no answer (`ConnectionError`, `TimeoutError`, ...): it may or may not have been stored. */
export interface FailedResult<Job = JobPayload> {
  readonly status: 'failed';
  readonly job: Job;
  readonly error: unknown;
}

/** What {@link pushJobs} says of each job. */
export type PushResult<Job = JobPayload, Input = JobInput> = PushedResult<Job> | RejectedResult<Job, Input> | FailedResult<Job>;

/**
 * Pushes a stream of jobs in `PUSHB` batches and emits one result per job.
 *
 * Each job goes through the client's push middleware and validation; a job refused there
 * becomes a `rejected` result (not a stream error). Jobs are collected for `windowMs` or until
 * `maxBatch` are waiting, whichever comes first, and each batch is sent with `PUSHB`; at most
 * `concurrency` batches await their reply, later batches wait in line. Without push middleware
 * a job is built and validated when its batch is sent, not when it arrives: a synchronous
 * source of many jobs is taken in at once, and its batches are prepared one by one while
 * earlier ones are on their way (the event loop is not held for the whole source).
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
  const settings = { client, maxBatch, windowMs, concurrency, scheduler };

  return (source) => {
    const prepareSync = client.prepareSync;
    if (prepareSync !== undefined) {
      // No push middleware: each job is built and checked in place when its batch is sent, with
      // no Observable per job.
      return batchAndSend<Job, Input, Input>(source, settings, (input, accept, reject) => {
        let job: Job;
        try {
          job = prepareSync(input);
        } catch (error) {
          reject(rejected(input, error));
          return;
        }
        accept(job, input);
      });
    }
    const prepared$ = source.pipe(
      concatMap((input) =>
        client.prepare(input).pipe(
          map((job): Prepared<Job, Input> | Result => ({ job, input })),
          catchError((error: unknown) => of<Result>(rejected(input, error))),
        ),
      ),
    );
    return batchAndSend<Job, Input, Prepared<Job, Input> | Result>(prepared$, settings, (item, accept, reject) => {
      if ('status' in item) reject(item);
      else accept(item.job, item.input);
    });
  };
}

interface Prepared<Job, Input> {
  readonly job: Job;
  readonly input: Input;
}

interface BatchSettings<Job> {
  readonly client: { sendBulk(jobs: readonly Job[]): Observable<Readonly<Record<string, string>>> };
  readonly maxBatch: number;
  readonly windowMs: number;
  readonly concurrency: number;
  readonly scheduler: SchedulerLike;
}

/** Turns one source value into a job to send (`accept`) or a result to emit now (`reject`); called as its batch is sent. */
type Intake<Job, Input, Item> = (item: Item, accept: (job: Job, input: Input) => void, reject: (result: PushResult<Job, Input>) => void) => void;

/**
 * The batching of {@link pushJobs}, as one subscriber rather than an operator chain: source
 * values are collected in windows of `windowMs`, each opened by the first value of its batch and
 * closed early when `maxBatch` values are in (so an idle source sets no timer, unlike
 * `bufferTime`), and at most `concurrency` batches are sent at
 * once, later ones waiting in line (as `mergeMap(send, concurrency)` does). `intake` turns a
 * batch's values into jobs as the batch is sent.
 */
function batchAndSend<Job extends { readonly jid: string }, Input, Item>(
  source: Observable<Item>,
  settings: BatchSettings<Job>,
  intake: Intake<Job, Input, Item>,
): Observable<PushResult<Job, Input>> {
  const { client, maxBatch, windowMs, concurrency, scheduler } = settings;
  return new Observable<PushResult<Job, Input>>((subscriber) => {
    let items: Item[] = [];
    let window: Subscription | undefined;
    let active = 0;
    let sourceDone = false;
    const waiting: Item[][] = [];

    const finishIfDone = () => {
      if (sourceDone && active === 0 && waiting.length === 0) subscriber.complete();
    };
    const report = (batch: readonly Job[], batchInputs: readonly Input[], reasons: Readonly<Record<string, string>>) => {
      const allPushed = isEmpty(reasons);
      for (let i = 0; i < batch.length && !subscriber.closed; i++) {
        const job = batch[i] as Job;
        if (allPushed || !Object.hasOwn(reasons, job.jid)) subscriber.next({ status: 'pushed', job });
        else subscriber.next({ status: 'rejected', job, input: batchInputs[i] as Input, reason: reasons[job.jid] as string });
      }
    };
    const reject = (result: PushResult<Job, Input>) => {
      subscriber.next(result);
    };
    /** Whether the consumer has left (a function, so each check re-reads it after a callback). */
    const closed = () => subscriber.closed;
    let sending = false;
    /**
     * Prepares and sends waiting batches while fewer than `concurrency` are out. Not re-entrant:
     * a call made meanwhile (a reply, or a flush caused by a consumer's reaction to a result)
     * leaves its work to the running loop, which re-reads `active` and `waiting`.
     */
    const sendWaiting = () => {
      if (sending) return;
      sending = true;
      try {
        while (active < concurrency && !closed()) {
          const next = waiting.shift();
          if (next === undefined) break;
          const jobs: Job[] = [];
          const inputs: Input[] = [];
          const accept = (job: Job, input: Input) => {
            jobs.push(job);
            inputs.push(input);
          };
          for (let i = 0; i < next.length && !closed(); i++) intake(next[i] as Item, accept, reject);
          // The consumer may have left on a rejected result: then nothing more is sent.
          if (jobs.length > 0 && !closed()) send(jobs, inputs);
        }
      } finally {
        sending = false;
      }
      finishIfDone();
    };
    const send = (jobs: Job[], inputs: Input[]) => {
      active++;
      const inner = new Subscription();
      subscriber.add(inner);
      const settle = () => {
        subscriber.remove(inner);
        inner.unsubscribe();
        active--;
        sendWaiting();
      };
      inner.add(
        client.sendBulk(jobs).subscribe({
          next: (reasons) => {
            report(jobs, inputs, reasons);
          },
          error: (error: unknown) => {
            for (let i = 0; i < jobs.length && !subscriber.closed; i++) subscriber.next({ status: 'failed', job: jobs[i] as Job, error });
            settle();
          },
          complete: settle,
        }),
      );
    };
    const flush = () => {
      if (items.length === 0) return;
      waiting.push(items);
      items = [];
      sendWaiting();
    };
    const closeWindow = () => {
      window = undefined;
      flush();
    };
    const collect = (item: Item) => {
      items.push(item);
      if (items.length >= maxBatch) {
        window?.unsubscribe();
        window = undefined;
        flush();
      } else if (window === undefined) {
        // The first job of a batch opens its window: an idle stream sets no timer.
        window = scheduler.schedule(closeWindow, windowMs);
      }
    };

    subscriber.add(
      source.subscribe({
        next: collect,
        error: (error: unknown) => {
          subscriber.error(error);
        },
        complete: () => {
          sourceDone = true;
          window?.unsubscribe();
          window = undefined;
          flush();
          finishIfDone();
        },
      }),
    );
    return () => {
      window?.unsubscribe();
      waiting.length = 0;
    };
  });
}

function rejected<Job, Input>(input: Input, error: unknown): RejectedResult<Job, Input> {
  return { status: 'rejected', job: undefined, input, reason: reasonOf(error), error };
}

function isEmpty(record: object): boolean {
  for (const key in record) if (Object.hasOwn(record, key)) return false;
  return true;
}

function assertCount(value: number, argument: string): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new InvalidArgumentError(`must be an integer >= 1 (got ${String(value)})`, { argument });
  }
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
