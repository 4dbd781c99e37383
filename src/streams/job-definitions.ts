import { map } from 'rxjs';
import { InvalidArgumentError } from '../errors.js';
import type { PushMiddleware } from './push-middleware.js';
import type { AnyJobs, JobPayload, JobTypes } from './types.js';
import { JOB_RULES } from './validate-job.js';

/**
 * One jobtype's defaults, declared once and used on both sides: the producer fills the job
 * fields a payload leaves out (`queue`, `retry`, `reserve_for`, `backtrace`; a payload that sets
 * one keeps its own), the worker applies `timeoutMs` and `concurrency`.
 */
export interface JobDefinition {
  /** The queue jobs of this type go to. */
  readonly queue?: string;
  /** Retries allowed: 0 discards on failure, -1 sends to the dead set on the first failure. */
  readonly retry?: number;
  /** Seconds a fetched job stays reserved, 60..86400 (`reserve_for`). */
  readonly reserveForSeconds?: number;
  /** Backtrace lines a worker reports on failure. */
  readonly backtrace?: number;
  /**
   * Worker: the handler's timeout in milliseconds, instead of the worker's `jobTimeoutMs`; never
   * past the job's reservation (`reserve_for` minus the worker's margin), or Faktory would hand
   * the job out again while it still runs.
   */
  readonly timeoutMs?: number;
  /**
   * Worker: at most this many jobs of this type run at once in one worker process (the
   * process-wide `concurrency` still bounds the total). See the worker's `jobs` option for what
   * it can and cannot guarantee.
   */
  readonly concurrency?: number;
}

/** Definitions by jobtype, typed by the job map. */
export type JobDefinitions<Jobs extends JobTypes = AnyJobs> = { readonly [K in keyof Jobs & string]?: JobDefinition };

const DEFINITION_FIELDS: ReadonlySet<string> = new Set(['queue', 'retry', 'reserveForSeconds', 'backtrace', 'timeoutMs', 'concurrency']);

function checkInteger(value: number | undefined, argument: string, min: number, max: number): void {
  if (value !== undefined && (!Number.isInteger(value) || value < min || value > max)) {
    throw new InvalidArgumentError(`must be an integer in ${min}..${max} (got ${String(value)})`, { argument });
  }
}

/**
 * Checks job definitions once, where they are declared, and returns them frozen: a bad value is
 * an {@link InvalidArgumentError} naming the jobtype and the field, before any job is built.
 *
 * @example
 * type Jobs = { SendEmail: [to: string]; Resize: [url: string] };
 * export const definitions = defineJobs<Jobs>({
 *   SendEmail: { queue: 'mail', retry: 5, timeoutMs: 30_000 },
 *   Resize: { queue: 'images', reserveForSeconds: 600, concurrency: 2 },
 * });
 * const client = createClient<Jobs>({ middleware: [jobDefaults(definitions)] });
 * const worker = createWorker<Jobs>({ jobs: definitions, handlers });
 */
export function defineJobs<Jobs extends JobTypes = AnyJobs>(definitions: JobDefinitions<Jobs>): JobDefinitions<Jobs> {
  if (typeof definitions !== 'object' || (definitions as unknown) === null) {
    throw new InvalidArgumentError('must be an object of definitions by jobtype', { argument: 'jobs' });
  }
  const frozen: Record<string, JobDefinition> = {};
  for (const [jobtype, definition] of Object.entries(definitions as Readonly<Record<string, JobDefinition | undefined>>)) {
    if (definition === undefined) continue;
    const at = `jobs.${jobtype}`;
    for (const key of Object.keys(definition)) {
      if (!DEFINITION_FIELDS.has(key)) throw new InvalidArgumentError(`is not a job definition field (known: ${[...DEFINITION_FIELDS].join(', ')})`, { argument: `${at}.${key}` });
    }
    if (definition.queue !== undefined && (typeof definition.queue !== 'string' || !JOB_RULES.queuePattern.test(definition.queue))) {
      throw new InvalidArgumentError(`must match ${String(JOB_RULES.queuePattern)}`, { argument: `${at}.queue` });
    }
    checkInteger(definition.retry, `${at}.retry`, -1, Number.MAX_SAFE_INTEGER);
    checkInteger(definition.reserveForSeconds, `${at}.reserveForSeconds`, JOB_RULES.minReserveForSeconds, JOB_RULES.maxReserveForSeconds);
    checkInteger(definition.backtrace, `${at}.backtrace`, 0, Number.MAX_SAFE_INTEGER);
    checkInteger(definition.timeoutMs, `${at}.timeoutMs`, 1, Number.MAX_SAFE_INTEGER);
    checkInteger(definition.concurrency, `${at}.concurrency`, 1, Number.MAX_SAFE_INTEGER);
    frozen[jobtype] = Object.freeze({ ...definition });
  }
  return Object.freeze(frozen) as JobDefinitions<Jobs>;
}

/**
 * Push middleware that fills, for each job whose jobtype has a definition, the fields the
 * payload leaves out: `queue`, `retry`, `reserve_for`, `backtrace`. A payload that sets a field
 * keeps it. Put it first in `middleware` so later middleware see the defaults.
 *
 * @example
 * const client = createClient<Jobs>({ middleware: [jobDefaults(definitions)] });
 * client.push(job('Resize', 'https://x/y.png'));          // queue 'images', reserve_for 600
 * client.push(job('Resize', 'https://x/y.png').queue('urgent')); // queue 'urgent'
 */
export function jobDefaults<Jobs extends JobTypes = AnyJobs>(definitions: JobDefinitions<Jobs>): PushMiddleware {
  const checked = defineJobs(definitions) as Readonly<Record<string, JobDefinition | undefined>>;
  return (job$) =>
    job$.pipe(
      map((job): JobPayload => {
        const definition = checked[job.jobtype];
        if (definition === undefined) return job;
        const filled: { -readonly [K in keyof JobPayload]: JobPayload[K] } = { ...job };
        if (filled.queue === undefined && definition.queue !== undefined) filled.queue = definition.queue;
        if (filled.retry === undefined && definition.retry !== undefined) filled.retry = definition.retry;
        if (filled.reserve_for === undefined && definition.reserveForSeconds !== undefined) filled.reserve_for = definition.reserveForSeconds;
        if (filled.backtrace === undefined && definition.backtrace !== undefined) filled.backtrace = definition.backtrace;
        return filled;
      }),
    );
}
