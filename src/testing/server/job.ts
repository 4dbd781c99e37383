import { goStringify, goUnmarshal, stringifyJson, type Unmarshalled } from './go-json.js';
import { GO_JOB } from './go-types.js';

/** The `failure` block the server writes into a job after it fails (`client.Failure`). */
export interface JobFailure {
  /** Failures before the last one (0 after the first failure). */
  retry_count: number;
  /** Retries left: the job's `retry` at the first failure, one less at each later one while above 0. */
  remaining: number;
  /** When the job first failed (RFC 3339). */
  failed_at: string;
  /** When the job was last scheduled to run again (RFC 3339); kept when it then goes to the dead set. */
  next_at?: string;
  /** The last error message. */
  message?: string;
  /** The last error type. */
  errtype?: string;
  /** The last backtrace. */
  backtrace?: string[];
}

/**
 * A job as the server holds it: exactly the fields of the Go server's job struct (unknown
 * fields, such as the long-gone `priority`, are dropped as the real server drops them).
 */
export interface Job {
  jid: string;
  queue: string;
  jobtype: string;
  args: unknown[];
  created_at?: string;
  enqueued_at?: string;
  at?: string;
  reserve_for?: number;
  retry?: number;
  backtrace?: number;
  failure?: JobFailure;
  custom?: Record<string, unknown>;
}

/** A job as decoded, before validation: `args` may still be missing. */
export type DecodedJob = Omit<Job, 'args'> & { args?: unknown[] };

/** A `client.Job` as {@link goUnmarshal} fills it: the fields the payload set. */
export type GoJobFields = Partial<Omit<Job, 'failure'>> & { failure?: Partial<JobFailure> };

/**
 * Decodes a job's JSON text as the Go server unmarshals it into its struct: the job, or Go's
 * `encoding/json` error text (without the `invalid JSON: ` prefix). Missing required fields are
 * not errors here (see the validation in the store); `retry` stays absent when not given.
 */
export function decodeJob(text: string): Unmarshalled<DecodedJob> {
  const decoded = goUnmarshal<GoJobFields>(text, GO_JOB);
  return decoded.ok ? { ok: true, value: jobFromFields(decoded.value) } : decoded;
}

/** A decoded job from the fields of a `client.Job` (empty optional fields dropped, as Go's `omitempty` would write them). */
export function jobFromFields(fields: GoJobFields): DecodedJob {
  const job: DecodedJob = { jid: fields.jid ?? '', queue: fields.queue ?? '', jobtype: fields.jobtype ?? '' };
  if (fields.args !== undefined) job.args = fields.args;
  if (fields.created_at) job.created_at = fields.created_at;
  if (fields.enqueued_at) job.enqueued_at = fields.enqueued_at;
  if (fields.at) job.at = fields.at;
  if (fields.reserve_for) job.reserve_for = fields.reserve_for;
  if (fields.retry !== undefined) job.retry = fields.retry;
  if (fields.backtrace) job.backtrace = fields.backtrace;
  if (fields.failure !== undefined) job.failure = failureFromFields(fields.failure);
  if (fields.custom !== undefined && hasKeys(fields.custom)) job.custom = fields.custom;
  return job;
}

function hasKeys(record: Record<string, unknown>): boolean {
  for (const key in record) if (Object.hasOwn(record, key)) return true;
  return false;
}

function failureFromFields(fields: Partial<JobFailure>): JobFailure {
  const failure: JobFailure = { retry_count: fields.retry_count ?? 0, remaining: fields.remaining ?? 0, failed_at: fields.failed_at ?? '' };
  if (fields.next_at) failure.next_at = fields.next_at;
  if (fields.message) failure.message = fields.message;
  if (fields.errtype) failure.errtype = fields.errtype;
  if (fields.backtrace !== undefined && fields.backtrace.length > 0) failure.backtrace = fields.backtrace;
  return failure;
}

/**
 * Serialises a job as the Go server does: its struct's field order (`retry, failure, custom,
 * jid, queue, jobtype, created_at, enqueued_at, at, args, reserve_for, backtrace`), empty
 * optional fields omitted, `<>&` escaped; map keys (in `custom` and objects in `args`) were
 * sorted when decoded. (One object and one `JSON.stringify` measured faster than writing the
 * fields one by one.)
 */
export function encodeJob(job: Job): string {
  const out: Record<string, unknown> = { retry: job.retry ?? null };
  if (job.failure !== undefined) out['failure'] = encodeFailure(job.failure);
  if (job.custom !== undefined) out['custom'] = job.custom;
  out['jid'] = job.jid;
  out['queue'] = job.queue;
  out['jobtype'] = job.jobtype;
  if (job.created_at !== undefined) out['created_at'] = job.created_at;
  if (job.enqueued_at !== undefined) out['enqueued_at'] = job.enqueued_at;
  if (job.at !== undefined) out['at'] = job.at;
  out['args'] = job.args;
  if (job.reserve_for !== undefined) out['reserve_for'] = job.reserve_for;
  if (job.backtrace !== undefined) out['backtrace'] = job.backtrace;
  return goStringify(out);
}

function encodeFailure(failure: JobFailure): Record<string, unknown> {
  const out: Record<string, unknown> = { failed_at: failure.failed_at };
  if (failure.next_at !== undefined) out['next_at'] = failure.next_at;
  if (failure.message !== undefined) out['message'] = failure.message;
  if (failure.errtype !== undefined) out['errtype'] = failure.errtype;
  if (failure.backtrace !== undefined) out['backtrace'] = failure.backtrace;
  out['retry_count'] = failure.retry_count;
  out['remaining'] = failure.remaining;
  return out;
}

/** A deep copy of a job, for the inspection API. */
export function copyJob(job: Job): Job {
  return JSON.parse(stringifyJson(job)) as Job;
}

/** Queue names the server accepts. */
export const VALID_QUEUE_NAME = /^[a-zA-Z0-9._-]+$/;

/** The reservation of a job in seconds: `reserve_for`, 0 or absent meaning 1800, at least 60. */
export function reserveSeconds(job: Job): number {
  const seconds = job.reserve_for ?? 0;
  if (seconds === 0) return 1800;
  return Math.max(60, seconds);
}
