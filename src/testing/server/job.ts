import { decodeField, GoTypeError, goStringify, intField, isRecord, stringField, valueTypeError } from './go-json.js';

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
 * Fields are checked in struct order, so the first bad one is the one reported.
 */
export function decodeJob(value: unknown, goType = 'client.Job'): DecodedJob | GoTypeError {
  if (value === null) return { jid: '', queue: '', jobtype: '' };
  if (!isRecord(value)) return new GoTypeError(valueTypeError(value, goType));
  try {
    const job: DecodedJob = {
      jid: stringField(value, 'jid', 'Job') ?? '',
      queue: stringField(value, 'queue', 'Job') ?? '',
      jobtype: stringField(value, 'jobtype', 'Job') ?? '',
    };
    const args = decodeField(value, 'args', 'array', 'Job') as unknown[] | undefined;
    if (args !== undefined) job.args = args;
    const createdAt = stringField(value, 'created_at', 'Job');
    if (createdAt) job.created_at = createdAt;
    const enqueuedAt = stringField(value, 'enqueued_at', 'Job');
    if (enqueuedAt) job.enqueued_at = enqueuedAt;
    const at = stringField(value, 'at', 'Job');
    if (at) job.at = at;
    const reserveFor = intField(value, 'reserve_for', 'Job');
    if (reserveFor) job.reserve_for = reserveFor;
    const retry = intField(value, 'retry', 'Job');
    if (retry !== undefined) job.retry = retry;
    const backtrace = intField(value, 'backtrace', 'Job');
    if (backtrace) job.backtrace = backtrace;
    const failure = decodeField(value, 'failure', 'object', 'Job') as Record<string, unknown> | undefined;
    if (failure !== undefined) job.failure = decodeFailure(failure);
    const custom = decodeField(value, 'custom', 'object', 'Job') as Record<string, unknown> | undefined;
    if (custom !== undefined && hasKeys(custom)) job.custom = custom;
    return job;
  } catch (error) {
    if (error instanceof GoTypeError) return error;
    throw error;
  }
}

function hasKeys(record: Record<string, unknown>): boolean {
  for (const key in record) if (Object.hasOwn(record, key)) return true;
  return false;
}

function decodeFailure(record: Record<string, unknown>): JobFailure {
  const failure: JobFailure = {
    retry_count: intField(record, 'retry_count', 'Failure') ?? 0,
    remaining: intField(record, 'remaining', 'Failure') ?? 0,
    failed_at: stringField(record, 'failed_at', 'Failure') ?? '',
  };
  const nextAt = stringField(record, 'next_at', 'Failure');
  if (nextAt) failure.next_at = nextAt;
  const message = stringField(record, 'message', 'Failure');
  if (message) failure.message = message;
  const errtype = stringField(record, 'errtype', 'Failure');
  if (errtype) failure.errtype = errtype;
  const backtrace = decodeField(record, 'backtrace', 'string[]', 'Failure') as string[] | undefined;
  if (backtrace !== undefined && backtrace.length > 0) failure.backtrace = backtrace;
  return failure;
}

/**
 * Serialises a job as the Go server does: struct field order (`jid, queue, jobtype, args,
 * created_at, enqueued_at, at, reserve_for, retry, backtrace, failure, custom`), empty optional
 * fields omitted, `<>&` escaped. The keys of `custom` and nested values keep their order (Go
 * would sort map keys: our simplification). (One object and one `JSON.stringify` measured
 * faster than writing the fields one by one.)
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
