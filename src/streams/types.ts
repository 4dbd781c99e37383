import type { Observable } from 'rxjs';
import type { PoolEvent } from '../transport/types.js';

/** A value JSON can hold: what job arguments and custom fields are made of. */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/**
 * A map from jobtype to its argument tuple, shared by the client (what may be pushed) and the
 * worker (what each handler receives). Arguments must be JSON values ({@link JsonValue}): a
 * map with `[when: Date]` (or a function, a `Map`, `undefined`, a class instance) does not
 * satisfy it, since JSON would drop or change them on the way.
 *
 * @example
 * // A type alias, not an interface: interfaces have no implicit index signature.
 * type Jobs = {
 *   SendEmail: [to: string, templateId: number];
 *   Resize: [url: string, sizes: number[], options: { crop: boolean }];
 * };
 * const client = createClient<Jobs>();
 */
export type JobTypes = Record<string, readonly JsonValue[]>;

/** The default, untyped map: any jobtype, any JSON arguments. */
export type AnyJobs = JobTypes;

/** Failure information the server attaches to a job that failed before (read-only). */
export interface JobFailure {
  readonly retry_count: number;
  readonly remaining?: number;
  readonly failed_at: string;
  readonly next_at?: string;
  readonly message?: string;
  readonly errtype?: string;
  readonly backtrace?: readonly string[];
}

/**
 * A job as Faktory stores it. Enterprise options (`unique_for`, `unique_until`, `expires_at`,
 * `expires_in`, `track`, `bid`) travel in `custom`.
 */
export interface JobPayload<Type extends string = string, Args extends readonly unknown[] = readonly JsonValue[]> {
  /** Unique id, at least 8 characters. */
  readonly jid: string;
  readonly jobtype: Type;
  readonly args: Args;
  /** @defaultValue `'default'` */
  readonly queue?: string;
  /** Seconds the job stays reserved once fetched (60..86400). @defaultValue 1800 */
  readonly reserve_for?: number;
  /** RFC 3339 time at which the job becomes due. */
  readonly at?: string;
  /** Retries allowed: 0 discards on failure, -1 goes straight to the dead set. @defaultValue 25 */
  readonly retry?: number;
  /** How many backtrace lines to report on failure. */
  readonly backtrace?: number;
  readonly custom?: { readonly [key: string]: JsonValue };
  /** Set by the server when absent. */
  readonly created_at?: string;
  /** Set by the server at every enqueue (read-only). */
  readonly enqueued_at?: string;
  /** Set by the server after a failure (read-only). */
  readonly failure?: JobFailure;
}

/** A job of a typed map: the payload whose args match its jobtype. */
export type JobOf<Jobs extends JobTypes = AnyJobs, Type extends keyof Jobs & string = keyof Jobs & string> = {
  [K in Type]: JobPayload<K, Jobs[K]>;
}[Type];

/** What the server said of a job a `PUSHB` rejected. */
export interface RejectedJob<Job = JobPayload> {
  readonly job: Job;
  /** The server's reason, e.g. `jobs must have a jobtype parameter`. */
  readonly reason: string;
}

/** A state other than running that a worker reports in `BEAT`, and the server may ask for in its reply. */
export type BeatState = 'quiet' | 'terminate';

/** The server's answer to `BEAT`: keep going, or change state. */
export type BeatReply = 'ok' | BeatState;

/** Options of `FaktoryClient.beat`. */
export interface BeatOptions {
  /** Resident set size in KiB. */
  readonly rssKb?: number;
  /** The state the worker is in, when not running. */
  readonly currentState?: BeatState;
}

/** Options of `FaktoryClient.fail`. */
export interface FailOptions {
  /** How many backtrace lines to send (the job's `backtrace` field). @defaultValue 30 */
  readonly backtrace?: number;
}

/**
 * The part of the client the worker depends on. Every method returns a **cold** Observable:
 * nothing is sent before subscription; each subscription sends the command once. Commands
 * with no useful reply emit `undefined` once, then complete.
 */
export interface WorkerClient<Jobs extends JobTypes = AnyJobs> {
  /** `FETCH q1 q2 ...`: the first job of the first non-empty queue, or `null` after ~2 s. */
  fetch(...queues: readonly string[]): Observable<JobOf<Jobs> | null>;
  /** `ACK`: the job succeeded. */
  ack(jid: string): Observable<void>;
  /**
   * `FAIL`: errtype from the error's `name`, its message, and its stack as backtrace (trimmed
   * to `options.backtrace` lines, the `cause` chain included). Non-Error values are wrapped.
   */
  fail(jid: string, error: unknown, options?: FailOptions): Observable<void>;
  /** `BEAT` for this client's worker identity. */
  beat(options?: BeatOptions): Observable<BeatReply>;
  /** Connectivity changes of the client's pool. */
  readonly events$: Observable<PoolEvent>;
  /** Graceful: refuse new commands, let pending ones finish, send `END`, close. Idempotent. */
  close(): Observable<void>;
  /** Forceful: fail everything pending and close now. Idempotent. */
  destroy(): void;
}
