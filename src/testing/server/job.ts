import { decodeField, GoTypeError, goStringify, isRecord, valueTypeError } from './go-json.js';

/** The `failure` block the server writes into a job after it fails. */
export interface JobFailure {
  /** Earlier failures before the last one (0 after the first failure). */
  retry_count: number;
  /** Retries left. */
  remaining: number;
  /** When the job first failed (RFC 3339). */
  failed_at: string;
  /** When the job will run again, for a job in the retries set (RFC 3339). */
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

/**
 * Decodes one job from a JSON value the way the Go server unmarshals it into its struct. Returns
 * the job, or a Go `encoding/json` error text (without the `invalid JSON: ` prefix). Missing
 * required fields are not errors here (see the validation in the store); `retry` stays absent.
 */
export function decodeJob(value: unknown, goType = 'client.Job'): DecodedJob | GoTypeError {
  if (value === null) return { jid: '', queue: '', jobtype: '' };
  if (!isRecord(value)) return new GoTypeError(valueTypeError(value, goType));
  try {
    const field = (name: string, kind: Parameters<typeof decodeField>[2]): unknown => decodeField(value, name, kind, 'Job');
    const job: DecodedJob = {
      jid: (field('jid', 'string') as string | undefined) ?? '',
      queue: (field('queue', 'string') as string | undefined) ?? '',
      jobtype: (field('jobtype', 'string') as string | undefined) ?? '',
    };
    const args = field('args', 'array') as unknown[] | undefined;
    if (args !== undefined) job.args = args;
    const createdAt = field('created_at', 'string') as string | undefined;
    if (createdAt) job.created_at = createdAt;
    const enqueuedAt = field('enqueued_at', 'string') as string | undefined;
    if (enqueuedAt) job.enqueued_at = enqueuedAt;
    const at = field('at', 'string') as string | undefined;
    if (at) job.at = at;
    const reserveFor = field('reserve_for', 'int') as number | undefined;
    if (reserveFor) job.reserve_for = reserveFor;
    const retry = field('retry', 'int') as number | undefined;
    if (retry !== undefined) job.retry = retry;
    const backtrace = field('backtrace', 'int') as number | undefined;
    if (backtrace) job.backtrace = backtrace;
    const failure = field('failure', 'object') as Record<string, unknown> | undefined;
    if (failure !== undefined) job.failure = decodeFailure(failure);
    const custom = field('custom', 'object') as Record<string, unknown> | undefined;
    if (custom !== undefined && Object.keys(custom).length > 0) job.custom = custom;
    return job;
  } catch (error) {
    if (error instanceof GoTypeError) return error;
    throw error;
  }
}

function decodeFailure(record: Record<string, unknown>): JobFailure {
  const field = (name: string, kind: Parameters<typeof decodeField>[2]): unknown => decodeField(record, name, kind, 'Failure');
  const failure: JobFailure = {
    retry_count: (field('retry_count', 'int') as number | undefined) ?? 0,
    remaining: (field('remaining', 'int') as number | undefined) ?? 0,
    failed_at: (field('failed_at', 'string') as string | undefined) ?? '',
  };
  const nextAt = field('next_at', 'string') as string | undefined;
  if (nextAt) failure.next_at = nextAt;
  const message = field('message', 'string') as string | undefined;
  if (message) failure.message = message;
  const errtype = field('errtype', 'string') as string | undefined;
  if (errtype) failure.errtype = errtype;
  const backtrace = field('backtrace', 'string[]') as string[] | undefined;
  if (backtrace !== undefined && backtrace.length > 0) failure.backtrace = backtrace;
  return failure;
}

/**
 * Serialises a job as the Go server does: struct field order (`jid, queue, jobtype, args,
 * created_at, enqueued_at, at, reserve_for, retry, backtrace, failure, custom`), empty optional
 * fields omitted, `<>&` escaped. The keys of `custom` and nested values keep their order (Go
 * would sort map keys: our simplification).
 */
export function encodeJob(job: Job): string {
  const out: Record<string, unknown> = { jid: job.jid, queue: job.queue, jobtype: job.jobtype, args: job.args };
  if (job.created_at !== undefined) out['created_at'] = job.created_at;
  if (job.enqueued_at !== undefined) out['enqueued_at'] = job.enqueued_at;
  if (job.at !== undefined) out['at'] = job.at;
  if (job.reserve_for !== undefined) out['reserve_for'] = job.reserve_for;
  out['retry'] = job.retry ?? null;
  if (job.backtrace !== undefined) out['backtrace'] = job.backtrace;
  if (job.failure !== undefined) out['failure'] = encodeFailure(job.failure);
  if (job.custom !== undefined) out['custom'] = job.custom;
  return goStringify(out);
}

function encodeFailure(failure: JobFailure): Record<string, unknown> {
  const out: Record<string, unknown> = {
    retry_count: failure.retry_count,
    remaining: failure.remaining,
    failed_at: failure.failed_at,
  };
  if (failure.next_at !== undefined) out['next_at'] = failure.next_at;
  if (failure.message !== undefined) out['message'] = failure.message;
  if (failure.errtype !== undefined) out['errtype'] = failure.errtype;
  if (failure.backtrace !== undefined) out['backtrace'] = failure.backtrace;
  return out;
}

/** A deep copy of a job, for the inspection API. */
export function copyJob(job: Job): Job {
  return JSON.parse(JSON.stringify(job)) as Job;
}

/** Queue names the server accepts. */
export const VALID_QUEUE_NAME = /^[a-zA-Z0-9._-]+$/;

/** The reservation of a job in seconds: `reserve_for`, 0 or absent meaning 1800, at least 60. */
export function reserveSeconds(job: Job): number {
  const seconds = job.reserve_for ?? 0;
  if (seconds === 0) return 1800;
  return Math.max(60, seconds);
}
