import { type Observable, of, take, defaultIfEmpty, map } from 'rxjs';
import { InvalidJobError } from '../errors.js';
import type { JobPayload } from './types.js';

/**
 * Push middleware: sees every job before it is sent by `push`, `pushBulk` or `pushJobs`, and may
 * change it (return a new payload) or reject it (error; the push errors, or `pushJobs` reports a
 * rejected result). It receives an Observable of one job and must emit one job; the first one
 * emitted is sent, and emitting none rejects the job. Validation runs after all middleware.
 *
 * @example
 * const addTenant: PushMiddleware = (job$) =>
 *   job$.pipe(map((job) => ({ ...job, custom: { ...job.custom, tenant: 'acme' } })));
 */
export type PushMiddleware = (job$: Observable<JobPayload>) => Observable<JobPayload>;

const DROPPED = Symbol('dropped');

/**
 * Runs `job` through `middleware` in order: an Observable of the final job. Synchronous when
 * the middleware is.
 *
 * @internal
 */
export function applyMiddleware(job: JobPayload, middleware: readonly PushMiddleware[]): Observable<JobPayload> {
  const job$ = middleware.reduce<Observable<JobPayload>>((acc, mw) => mw(acc), of(job));
  return job$.pipe(
    take(1),
    defaultIfEmpty(DROPPED),
    map((result) => {
      if (result === DROPPED) {
        throw new InvalidJobError('push middleware emitted no job', { field: 'job', jid: job.jid });
      }
      return result;
    }),
  );
}

