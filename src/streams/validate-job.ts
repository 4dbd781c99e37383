import debug from 'debug';
import { InvalidJobError } from '../errors.js';
import { assertJson } from './json-check.js';
import { isRfc3339, toRfc3339 } from './rfc3339.js';
import { show } from './show-value.js';
import type { JobPayload } from './types.js';

const log = debug('faktory-rx:client');

/** The rules {@link validateJob} applies, as the Faktory server has them. */
export const JOB_RULES = Object.freeze({
  /** Shortest jid the server accepts. */
  minJidLength: 8,
  /** Queue names the server accepts (checked for scheduled jobs too, which the server does not). */
  queuePattern: /^[a-zA-Z0-9._-]+$/,
  /** `reserve_for` bounds, in seconds. */
  minReserveForSeconds: 60,
  maxReserveForSeconds: 86_400,
  /** Jobs larger than this many bytes of JSON log a `debug` warning (`faktory-rx:client`). */
  warnSizeBytes: 64 * 1024,
  /**
   * The `retry` sent with a job that sets none (the server's own default). Every job carries
   * `retry`: a 1.9.x server that once received a job with `retry` applies that value to later
   * jobs that omit it.
   */
  defaultRetry: 25,
});

/**
 * Checks a job against every rule the Faktory server applies, including the ones it only checks
 * late (a scheduled job with a bad queue name is accepted by the server and silently lost when
 * due), and returns the payload to send. Nothing is sent by this function.
 *
 * Rules: `jid` a string of at least 8 characters; `jobtype` a non-empty string; `args` an array
 * of JSON values (see below); `queue` matching `[a-zA-Z0-9._-]+`; `reserve_for` an integer in
 * 60..86400; `retry` an integer >= -1; `backtrace` an integer >= 0; `at` an RFC 3339 string or a
 * `Date` (converted to RFC 3339 in the returned payload); `custom` a plain object of JSON values
 * whose keys do not start with `_` (reserved by the server), with Enterprise keys checked:
 * `unique_for` a positive integer, `unique_until` `'success'` or `'start'`, `expires_at` RFC
 * 3339, `expires_in` a positive number; `priority` is refused (the server dropped it).
 *
 * JSON values are strings, finite numbers, booleans, `null`, arrays without holes and plain
 * objects; `undefined`, functions, BigInt, `NaN`, cycles and non-plain objects (`Date`, `Map`,
 * class instances) are refused, since JSON would drop or silently change them.
 *
 * A job without `retry` gets `retry: 25` (`JOB_RULES.defaultRetry`, the server's default) in the
 * returned payload: a 1.9.x server that once saw a job with `retry` applies it to later jobs that
 * omit it, so every job says its own.
 *
 * Jobs above 64 KiB of JSON log a warning on the `faktory-rx:client` debug namespace.
 *
 * @returns the job, or a copy with `at` converted when it was a `Date` and `retry` filled in
 * when it had none.
 * @throws {@link InvalidJobError} naming the first offending field, e.g. `queue` or `args[2].x`.
 * @example
 * validateJob({ jid: 'abcdefgh1', jobtype: 'Email', args: [1], queue: 'bad queue' });
 * // throws InvalidJobError: invalid job field 'queue': ...
 */
export function validateJob<Job extends JobPayload<string, readonly unknown[]>>(job: Job): Job {
  if (typeof job !== 'object' || (job as unknown) === null || Array.isArray(job)) {
    throw new InvalidJobError('a job must be an object', { field: 'job' });
  }
  const fields = job as unknown as Record<string, unknown>;
  const jid = fields['jid'];
  if (typeof jid !== 'string' || jid.length < JOB_RULES.minJidLength) {
    throw new InvalidJobError(`must be a string of at least ${JOB_RULES.minJidLength} characters`, { field: 'jid' });
  }
  const jobtype = fields['jobtype'];
  if (typeof jobtype !== 'string' || jobtype.length === 0) fail('jobtype', 'must be a non-empty string', jid);
  const args = fields['args'];
  if (!Array.isArray(args)) fail('args', 'must be an array', jid);
  assertJson(args, 'args', jid);
  checkQueue(fields['queue'], jid);
  checkInteger(fields['reserve_for'], 'reserve_for', JOB_RULES.minReserveForSeconds, JOB_RULES.maxReserveForSeconds, jid);
  checkInteger(fields['retry'], 'retry', -1, Number.MAX_SAFE_INTEGER, jid);
  checkInteger(fields['backtrace'], 'backtrace', 0, Number.MAX_SAFE_INTEGER, jid);
  if ('priority' in fields) fail('priority', 'is no longer supported by the server; use queues', jid);
  const custom = fields['custom'];
  if (custom !== undefined) checkCustom(custom, jid);
  const at = fields['at'];
  let result = job;
  if (at instanceof Date || fields['retry'] === undefined) {
    const copy: Record<string, unknown> = { ...fields };
    if (at instanceof Date) copy['at'] = toRfc3339(at);
    copy['retry'] ??= JOB_RULES.defaultRetry;
    result = copy as Job;
  }
  checkTime(result.at, 'at', jid);
  if (log.enabled) warnIfLarge(result);
  return result;
}

/**
 * An error of the job at `index` of a bulk push, naming the index: an `InvalidJobError` for
 * field `queue` comes back for field `jobs[3].queue`; other errors are returned as they are.
 * @internal
 */
export function inBulk(error: unknown, index: number): unknown {
  if (!(error instanceof InvalidJobError)) return error;
  const message = error.message.slice(`invalid job field '${error.field}': `.length);
  return new InvalidJobError(message, { field: `jobs[${index}].${error.field}`, ...(error.jid === undefined ? {} : { jid: error.jid }), cause: error });
}

function fail(field: string, message: string, jid: string): never {
  throw new InvalidJobError(message, { field, jid });
}

/** The last queue name found valid: a stream of jobs mostly goes to one queue. */
let lastValidQueue = '';

function checkQueue(queue: unknown, jid: string): void {
  if (queue === undefined || (queue === lastValidQueue && queue !== '')) return;
  if (typeof queue !== 'string' || !JOB_RULES.queuePattern.test(queue)) {
    fail('queue', `must match ${String(JOB_RULES.queuePattern)} (got ${show(queue)})`, jid);
  }
  lastValidQueue = queue;
}

function checkInteger(value: unknown, field: string, min: number, max: number, jid: string): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in ${min}..${max}`;
    fail(field, `must be an integer ${range} (got ${show(value)})`, jid);
  }
}

function checkTime(value: unknown, field: string, jid: string): void {
  if (value === undefined) return;
  if (typeof value !== 'string' || !isRfc3339(value)) {
    fail(field, `must be a Date or an RFC 3339 time such as 2024-05-01T12:00:00Z (got ${show(value)})`, jid);
  }
}

function checkCustom(custom: unknown, jid: string): void {
  const proto: unknown = typeof custom === 'object' && custom !== null ? Object.getPrototypeOf(custom) : undefined;
  if (proto !== Object.prototype && proto !== null) fail('custom', 'must be a plain object', jid);
  const fields = custom as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    if (key.startsWith('_')) fail(`custom.${key}`, 'keys starting with _ are reserved by the server', jid);
  }
  assertJson(custom, 'custom', jid);
  checkInteger(fields['unique_for'], 'custom.unique_for', 1, Number.MAX_SAFE_INTEGER, jid);
  const until = fields['unique_until'];
  if (until !== undefined && until !== 'success' && until !== 'start') {
    fail('custom.unique_until', `must be 'success' or 'start' (got ${show(until)})`, jid);
  }
  checkTime(fields['expires_at'], 'custom.expires_at', jid);
  const expiresIn = fields['expires_in'];
  if (expiresIn !== undefined && (typeof expiresIn !== 'number' || !Number.isFinite(expiresIn) || expiresIn <= 0)) {
    fail('custom.expires_in', `must be a positive number of seconds (got ${show(expiresIn)})`, jid);
  }
}

function warnIfLarge(job: object): void {
  const bytes = Buffer.byteLength(JSON.stringify(job));
  if (bytes > JOB_RULES.warnSizeBytes) {
    const { jid, jobtype } = job as JobPayload;
    log('job %s (%s) is %d bytes of JSON, above %d: keep jobs small', jid, jobtype, bytes, JOB_RULES.warnSizeBytes);
  }
}
