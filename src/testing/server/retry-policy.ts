import type { Job, JobFailure } from './job.js';
import { formatTime } from './time-format.js';

/** What a worker reports with `FAIL` (or what an expired reservation stands for). */
export interface FailReport {
  readonly errtype?: string | undefined;
  readonly message?: string | undefined;
  readonly backtrace?: readonly string[] | undefined;
}

/** Where a failed job goes: back after a delay, to the dead set, or nowhere. */
export type FailOutcome = { readonly kind: 'retry'; readonly atMs: number } | { readonly kind: 'dead' } | { readonly kind: 'discard' };

/** The retry policy when a job has no `retry`. */
export const DEFAULT_RETRY = 25;
/** How long a job stays in the dead set: 180 days, in milliseconds. */
export const DEAD_TTL_MS = 180 * 24 * 3600 * 1000;

/**
 * The delay before retry number `count + 1`, in seconds: `count^4 + 15 + rand(0..29) * (count + 1)`,
 * `count` being the number of earlier failures.
 */
export function retryDelaySeconds(count: number, random: () => number): number {
  return count ** 4 + 15 + Math.floor(random() * 30) * (count + 1);
}

/** What Go's `strings.TrimSpace` trims: `unicode.IsSpace` characters at both ends. */
const GO_SPACE = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g;

/**
 * The first `max` bytes of a string's UTF-8, as Go's `s[0:max]` cuts it: the bytes of a character
 * cut in two are invalid UTF-8, which Go's encoder writes as one U+FFFD each.
 */
export function cutBytes(text: string, max: number): string {
  if (text.length * 3 <= max) return text;
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= max) return text;
  let whole = max;
  while (whole > 0 && ((bytes[whole] ?? 0) & 0xc0) === 0x80) whole--;
  return bytes.toString('utf8', 0, whole) + '\ufffd'.repeat(max - whole);
}

/** Go's cleanup of a reported error text: white space trimmed, cut to `max` bytes, `unknown` when blank. */
function cleanse(text: string | undefined, max: number): string {
  const trimmed = (text ?? '').replace(GO_SPACE, '');
  return trimmed === '' ? 'unknown' : cutBytes(trimmed, max);
}

/**
 * Records a failure in `job.failure` and applies the retry policy, as Faktory 1.9.4 does. The
 * errtype and message are trimmed of white space, cut to 100 and 1000 bytes, `unknown` when
 * blank; the backtrace is cut to 50 lines. The first failure (a job without a `failure` block)
 * sets `retry_count` 0, `remaining` to the job's `retry` and `failed_at`; a later one (or one
 * after a `failure` the client pushed) adds 1 to `retry_count`, takes 1 from a positive
 * `remaining` and replaces the error, keeping `failed_at` and `next_at`. Then `retry` 0 discards
 * the job, `retry_count < retry` schedules a retry (a new `next_at`), anything else is dead.
 */
export function applyFailure(job: Job, report: FailReport, nowMs: number, random: () => number): FailOutcome {
  const errtype = cleanse(report.errtype, 100);
  const message = cleanse(report.message, 1000);
  const backtrace = report.backtrace?.slice(0, 50) ?? [];
  const retry = (job.retry ??= DEFAULT_RETRY);
  const previous = job.failure;
  const failure: JobFailure =
    previous === undefined
      ? { retry_count: 0, remaining: retry, failed_at: formatTime(nowMs) }
      : { ...previous, retry_count: previous.retry_count + 1, remaining: previous.remaining > 0 ? previous.remaining - 1 : previous.remaining };
  failure.message = message;
  failure.errtype = errtype;
  if (backtrace.length > 0) failure.backtrace = [...backtrace];
  else delete failure.backtrace;
  job.failure = failure;
  if (retry === 0) return { kind: 'discard' };
  if (failure.retry_count >= retry) return { kind: 'dead' };
  const atMs = nowMs + retryDelaySeconds(failure.retry_count, random) * 1000;
  failure.next_at = formatTime(atMs);
  return { kind: 'retry', atMs };
}
