import type { Job } from './job.js';
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

/**
 * Records a failure in `job.failure` (trimming errtype to 100 characters, message to 1000,
 * backtrace to 50 lines, `unknown` for a missing errtype or message) and applies the retry policy:
 * `retry` 0 discards, a negative `retry` goes straight to dead, otherwise the job is retried while
 * `retry_count < retry`. `remaining` is `retry - retry_count` (our reading of the server).
 */
export function applyFailure(job: Job, report: FailReport, nowMs: number, random: () => number): FailOutcome {
  const errtype = (report.errtype ?? '') === '' ? 'unknown' : (report.errtype ?? '').slice(0, 100);
  const message = (report.message ?? '') === '' ? 'unknown' : (report.message ?? '').slice(0, 1000);
  const backtrace = report.backtrace?.slice(0, 50);
  const previous = job.failure;
  const retry = job.retry ?? DEFAULT_RETRY;
  const count = previous === undefined ? 0 : previous.retry_count + 1;
  job.failure = {
    retry_count: count,
    remaining: Math.max(0, retry - count),
    failed_at: previous?.failed_at ?? formatTime(nowMs),
    message,
    errtype,
    ...(backtrace !== undefined && backtrace.length > 0 ? { backtrace: [...backtrace] } : {}),
  };
  if (retry === 0) return { kind: 'discard' };
  if (retry < 0 || count >= retry) return { kind: 'dead' };
  const atMs = nowMs + retryDelaySeconds(count, random) * 1000;
  job.failure.next_at = formatTime(atMs);
  return { kind: 'retry', atMs };
}
