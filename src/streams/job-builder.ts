import { v4 as uuidv4 } from 'uuid';
import { toRfc3339 } from './rfc3339.js';
import type { AnyJobs, JobTypes, JobPayload, JsonValue } from './types.js';

/** Anything that can produce a job payload: a {@link JobBuilder}, or your own. */
export interface JobSource<Type extends string = string, Args extends readonly unknown[] = readonly JsonValue[]> {
  /** The payload to send. */
  build(): JobPayload<Type, Args>;
}

/**
 * What `push`, `pushBulk` and `pushJobs` take for a job map: a payload or a builder whose
 * arguments match its jobtype.
 */
export type JobInput<Jobs extends JobTypes = AnyJobs, Type extends keyof Jobs & string = keyof Jobs & string> = {
  [K in Type]: JobPayload<K, Jobs[K]> | JobSource<K, Jobs[K]>;
}[Type];

/** Enterprise unique-job options of {@link JobBuilder.unique}. */
export interface UniqueOptions {
  /** How long, in seconds, a duplicate is refused (`custom.unique_for`). */
  readonly forSeconds: number;
  /** Until when the lock holds: `'success'` (the default on the server) or `'start'`. */
  readonly until?: 'success' | 'start';
}

interface BuilderState {
  readonly jid?: string;
  readonly queue?: string;
  readonly at?: string;
  readonly inMs?: number;
  readonly retry?: number;
  readonly reserveFor?: number;
  readonly backtrace?: number;
  readonly custom?: Readonly<Record<string, JsonValue>>;
}

/**
 * An immutable description of one job: every method returns a new builder. `build()` assembles
 * the payload (it does not validate; `push` does, or call `validateJob`). The jid is fixed per
 * builder: generated (UUID v4) at its first `build()` unless pinned with `.jid(id)`, and the
 * same at every later `build()`. So re-subscribing a push of one builder (`retry()`, a retry
 * after a timeout) sends the same job again, never a second one; for another job, make another
 * builder (`job(...)`, or any method of this one, e.g. `.queue(q)`). A job sent without `retry`
 * gets 25, the server's default, from `validateJob`, after push middleware and job definitions
 * had their say (`JOB_RULES.defaultRetry`).
 *
 * @example
 * client.push(job('SendEmail', 'a@b.c', 7).queue('critical').in(60_000).retry(3));
 */
export class JobBuilder<Type extends string = string, Args extends readonly unknown[] = readonly JsonValue[]> implements JobSource<Type, Args> {
  readonly #jobtype: Type;
  readonly #args: Args;
  readonly #state: BuilderState;
  /** The jid generated at the first `build()` when none is pinned. */
  #generatedJid: string | undefined;

  /** Prefer {@link job}. */
  constructor(jobtype: Type, args: Args, state: BuilderState = {}) {
    this.#jobtype = jobtype;
    this.#args = args;
    this.#state = state;
  }

  #with(change: BuilderState): JobBuilder<Type, Args> {
    return new JobBuilder(this.#jobtype, this.#args, { ...this.#state, ...change });
  }

  /** Pins the jid (at least 8 characters). @defaultValue a UUID v4, generated once per builder */
  jid(id: string): JobBuilder<Type, Args> {
    return this.#with({ jid: id });
  }

  /** The queue to push to. @defaultValue `'default'` (set by the server) */
  queue(name: string): JobBuilder<Type, Args> {
    return this.#with({ queue: name });
  }

  /** Runs the job at a time (a `Date` or an RFC 3339 string). Replaces `.in()`. */
  at(when: Date | string): JobBuilder<Type, Args> {
    const rest = { ...this.#state };
    delete rest.inMs;
    return new JobBuilder(this.#jobtype, this.#args, { ...rest, at: toRfc3339(when) });
  }

  /** Runs the job `delayMs` milliseconds after `build()`. Replaces `.at()`. */
  in(delayMs: number): JobBuilder<Type, Args> {
    const rest = { ...this.#state };
    delete rest.at;
    return new JobBuilder(this.#jobtype, this.#args, { ...rest, inMs: delayMs });
  }

  /** Retries allowed: 0 discards on failure, -1 sends to the dead set at once. @defaultValue 25 (the server's default, always sent) */
  retry(count: number): JobBuilder<Type, Args> {
    return this.#with({ retry: count });
  }

  /** Seconds the job stays reserved once fetched, 60..86400. @defaultValue 1800 (server) */
  reserveFor(seconds: number): JobBuilder<Type, Args> {
    return this.#with({ reserveFor: seconds });
  }

  /** How many backtrace lines a worker should report on failure. */
  backtrace(lines: number): JobBuilder<Type, Args> {
    return this.#with({ backtrace: lines });
  }

  /** Merges fields into `custom` (later calls win per key). */
  custom(fields: Readonly<Record<string, JsonValue>>): JobBuilder<Type, Args> {
    return this.#with({ custom: { ...this.#state.custom, ...fields } });
  }

  /** Enterprise: refuse duplicates (same jobtype, args and queue) for `forSeconds`. */
  unique(options: UniqueOptions): JobBuilder<Type, Args> {
    const until = options.until === undefined ? {} : { unique_until: options.until };
    return this.custom({ unique_for: options.forSeconds, ...until });
  }

  /** Enterprise: drop the job if it is still waiting at this time. Replaces `.expiresIn()`. */
  expiresAt(when: Date | string): JobBuilder<Type, Args> {
    const rest = { ...this.#state.custom };
    delete rest['expires_in'];
    return new JobBuilder(this.#jobtype, this.#args, { ...this.#state, custom: { ...rest, expires_at: toRfc3339(when) } });
  }

  /** Enterprise: drop the job if it is still waiting `ttlMs` milliseconds after it is pushed (sent in whole seconds, rounded up). Replaces `.expiresAt()`. */
  expiresIn(ttlMs: number): JobBuilder<Type, Args> {
    const rest = { ...this.#state.custom };
    delete rest['expires_at'];
    return new JobBuilder(this.#jobtype, this.#args, { ...this.#state, custom: { ...rest, expires_in: Math.ceil(ttlMs / 1000) } });
  }

  /**
   * Assembles the payload, with this builder's jid (the same at every call). `nowMs` (default
   * `Date.now()`) is the time `.in()` counts from. Does not validate.
   */
  build(nowMs?: number): JobPayload<Type, Args> {
    const s = this.#state;
    // Assigned field by field rather than spread: this runs once per pushed job.
    const jid = s.jid ?? (this.#generatedJid ??= uuidv4());
    const payload: Mutable<JobPayload<Type, Args>> = { jid, jobtype: this.#jobtype, args: this.#args };
    if (s.queue !== undefined) payload.queue = s.queue;
    const at = s.inMs === undefined ? s.at : toRfc3339(new Date((nowMs ?? Date.now()) + s.inMs));
    if (at !== undefined) payload.at = at;
    if (s.retry !== undefined) payload.retry = s.retry;
    if (s.reserveFor !== undefined) payload.reserve_for = s.reserveFor;
    if (s.backtrace !== undefined) payload.backtrace = s.backtrace;
    if (s.custom !== undefined) payload.custom = s.custom;
    return payload;
  }
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Starts a job description. With a typed client the jobtype and arguments are checked against
 * its job map when the job is pushed.
 *
 * @example
 * const email = job('SendEmail', 'a@b.c', 7).queue('critical').retry(3);
 */
export function job<Type extends string, Args extends readonly unknown[]>(jobtype: Type, ...args: Args): JobBuilder<Type, Args> {
  return new JobBuilder(jobtype, args);
}

/** Whether `value` is a {@link JobSource} rather than a payload. @internal */
export function isJobSource(value: unknown): value is JobSource<string, readonly unknown[]> {
  return typeof value === 'object' && value !== null && typeof (value as { build?: unknown }).build === 'function';
}
