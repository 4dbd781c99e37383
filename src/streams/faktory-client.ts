import type { Observable } from 'rxjs';
import type { CommandArg } from '../codec/index.js';
import type { PoolLike, Reply } from '../transport/types.js';
import type { BatchCommands } from './batch-commands.js';
import type { JobBuilder, JobInput } from './job-builder.js';
import type { JobDefinitions } from './job-definitions.js';
import type { MutateBuilder, MutateTarget } from './mutate-builder.js';
import type { PoolOptions } from './pool-factory.js';
import type { PushMiddleware } from './push-middleware.js';
import type { QueueCommands } from './queue-commands.js';
import type { ServerInfo } from './server-info.js';
import type { TrackCommands } from './track-commands.js';
import type { AnyJobs, JobOf, JobPayload, JobTypes, RejectedJob, WorkerClient } from './types.js';

/** Options of `createClient`: the pool's options, or a pool, plus push middleware. */
export type ClientOptions = PoolOptions & {
  /**
   * A pool to use instead of creating one from the other options (for tests, or to share
   * connections). The client takes ownership: `close()`/`destroy()` close it.
   */
  readonly pool?: PoolLike;
  /** Functions every pushed job goes through, in order, before validation. @defaultValue `[]` */
  readonly middleware?: readonly PushMiddleware[];
  /**
   * Job definitions (see `defineJobs`): every pushed job whose jobtype has one gets the
   * definition's `queue`, `retry`, `reserve_for` and `backtrace` where the job sets none, before
   * the `middleware` run. @defaultValue none
   */
  readonly jobs?: JobDefinitions;
};

/**
 * The Faktory client: every command as a **cold** Observable (nothing is sent before
 * subscription; each subscription sends the command once). Commands with no useful reply emit
 * `undefined` once, then complete. Errors: `ServerError` for the server's error replies (its
 * code word in `serverCode`), `InvalidJobError`/`InvalidArgumentError` before anything is sent,
 * and the transport's `ConnectionError`, `TimeoutError`, `ClosedError`.
 *
 * Promise users: `await firstValueFrom(client.push(job('X')))`.
 */
export interface FaktoryClient<Jobs extends JobTypes = AnyJobs> extends WorkerClient<Jobs> {
  /**
   * Starts a job of this client's job map: `job()` with the jobtype and arguments checked against
   * the map where you write them (a wrong argument is reported at that argument). Sends nothing.
   *
   * @example
   * client.push(client.job('SendEmail', 'ada@example.com', 7).queue('critical'));
   */
  job<Type extends keyof Jobs & string>(jobtype: Type, ...args: Jobs[Type]): JobBuilder<Type, Jobs[Type]>;
  /** `PUSH`: validates the job (after push middleware) and sends it; emits its jid. */
  push(job: JobInput<Jobs>): Observable<string>;
  /**
   * `PUSHB`: validates every job (after push middleware; one bad job fails the whole call and
   * nothing is sent) and sends them in one command; emits the jobs the server rejected, with
   * its reasons (`[]` when all were accepted).
   */
  pushBulk(jobs: readonly JobInput<Jobs>[]): Observable<readonly RejectedJob<JobOf<Jobs>>[]>;
  /** The payload `push` would send: the built job, after push middleware and validation. */
  prepare(job: JobInput<Jobs>): Observable<JobOf<Jobs>>;
  /** `INFO`: the server's state and statistics. */
  info(): Observable<ServerInfo>;
  /** `FLUSH`: deletes every job of every queue and set. */
  flush(): Observable<void>;
  /** `QUEUE PAUSE/RESUME/REMOVE/LATENCY`. */
  readonly queues: QueueCommands;
  /** `MUTATE` on the retries, scheduled or dead set. */
  mutate(target: MutateTarget): MutateBuilder;
  /** Enterprise `BATCH`. */
  readonly batch: BatchCommands<Jobs>;
  /** Enterprise `TRACK`. */
  readonly track: TrackCommands;
  /**
   * Any command, for what the client does not cover. The verb must be upper case; arguments are
   * checked as the encoder does (no white space in words; objects sent as compact JSON). Shapes
   * that crash old servers (`PUSH`, `PUSHB`, `ACK`, `FAIL`, `BEAT` without payload, `QUEUE`
   * without names) and `END` (no reply; use `close()`) are refused. `FETCH` is sent as blocking.
   */
  raw(verb: string, ...args: readonly CommandArg[]): Observable<Reply>;
  /**
   * `prepare` without an Observable, present only when the client has no push middleware:
   * returns the built, validated job or throws `InvalidJobError`. @internal
   */
  readonly prepareSync?: ((job: JobInput<Jobs>) => JobOf<Jobs>) | undefined;
  /**
   * `PUSHB` of jobs already prepared (built, through push middleware, validated: see `prepare`),
   * as `pushJobs` sends its batches; emits the server's `{ jid: reason }` for the jobs it
   * rejected (`{}` when it took them all). Use `pushBulk` otherwise.
   */
  sendBulk(jobs: readonly JobPayload<string, readonly unknown[]>[]): Observable<Readonly<Record<string, string>>>;
}
