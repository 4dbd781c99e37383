import {
  EMPTY, NEVER, type Observable, type OperatorFunction, type SchedulerLike, catchError, concat, connect, defer, filter, map,
  merge, mergeMap, of, share, switchMap, takeUntil, tap, timer,
} from 'rxjs';
import { ClosedError, ServerError, isRetriable } from '../errors.js';
import type { AnyJobs, JobTypes, WorkerClient } from '../streams/types.js';
import type {
  DeliveryLostEvent, DeliveryRetriedEvent, JobFailedEvent, JobHandledEvent, JobSucceededEvent,
} from './events.js';
import { reservationMs } from './reservation.js';

/** Options of {@link settleJobs}. Times are milliseconds. */
export interface SettleJobsOptions {
  /** The delay before retry `attempt` (1, 2, ...) of an ACK or FAIL that failed with a retriable error. */
  readonly retryDelayMs: (attempt: number) => number;
  /** The clock of the retries and of the reservations. */
  readonly scheduler: SchedulerLike;
  /**
   * When it emits, deliveries still pending (waiting to retry, or awaiting a reply) are given
   * up as `deliveryLost` with reason `stopped`: a stopping worker's delivery grace. Subscribed
   * once per delivery, so it should replay (e.g. be derived from a `BehaviorSubject`).
   * @defaultValue `NEVER`
   */
  readonly giveUp$?: Observable<unknown>;
}

/** What {@link settleJobs} emits for a job. */
export type SettleEvent = JobSucceededEvent | JobFailedEvent | DeliveryRetriedEvent | DeliveryLostEvent;

/** Whether the server said the job holds no reservation any more (`-ERR Job not found <jid>`). */
function isJobNotFound(error: unknown): boolean {
  return error instanceof ServerError && error.serverMessage.startsWith('Job not found');
}

function retriable(error: unknown): boolean {
  return isRetriable(error) || (error instanceof ServerError && error.serverMessage.includes('shutdown in progress'));
}

function isHandled(event: { readonly type: string }): event is JobHandledEvent {
  return event.type === 'handled';
}

/**
 * Settles each `handled` job with the server: ACK on success, FAIL with the error otherwise,
 * every attempt of it, the first one and the retries, through one path: a retriable error (a
 * lost connection, a reply timeout, a server shutting down) is retried after
 * `retryDelayMs(attempt)` (emitting `ackRetried`/`failRetried`), across reconnects, for as long
 * as the retry starts before the job's reservation ends; otherwise the delivery is lost
 * (`deliveryLost`: `expired`, `error`, `jobNotFound` for a FAIL the server no longer holds, or
 * `stopped` once `giveUp$` emits). Emits `succeeded` or `failed` once the server took the ACK
 * or FAIL. Every source event passes through unchanged (`handled` before its delivery's). Completes
 * when the source has and every delivery is over; never errors on a delivery.
 *
 * @example
 * jobs$.pipe(
 *   runJobs(runOptions),
 *   settleJobs(client, { retryDelayMs: (n) => Math.min(100 * 2 ** n, 1_000), scheduler: asyncScheduler }),
 * ).subscribe((event) => event.type === 'deliveryLost' && console.warn(event.command, event.jid, event.reason));
 */
export function settleJobs<E extends { readonly type: string }, Jobs extends JobTypes = AnyJobs>(
  client: Pick<WorkerClient<Jobs>, 'ack' | 'fail'>,
  options: SettleJobsOptions,
): OperatorFunction<E, E | SettleEvent> {
  const { retryDelayMs, scheduler } = options;
  // One subscription to giveUp$ while deliveries are pending, however many they are.
  const giveUp$ = (options.giveUp$ ?? NEVER).pipe(share());

  const deliver = (event: JobHandledEvent): Observable<SettleEvent> =>
    defer(() => {
      const { jid, jobtype, job, outcome, durationMs } = event;
      const command = outcome.ok ? 'ACK' : 'FAIL';
      const reservationEndMs = event.fetchedAtMs + reservationMs(job);
      const send$ = outcome.ok
        ? client.ack(jid)
        : job.backtrace === undefined
          ? client.fail(jid, outcome.error)
          : client.fail(jid, outcome.error, { backtrace: job.backtrace });
      const accepted: SettleEvent = outcome.ok
        ? { type: 'succeeded', jid, jobtype, durationMs }
        : { type: 'failed', jid, jobtype, durationMs, reason: outcome.reason, error: outcome.error };
      let over = false;
      let lastError: unknown;
      const lost = (reason: DeliveryLostEvent['reason'], error: unknown): Observable<DeliveryLostEvent> =>
        of({ type: 'deliveryLost', command, jid, jobtype, reason, error });
      /** Attempt `n`; after a failure, what follows it: a retry or the loss. */
      const attempt = (n: number): Observable<SettleEvent> =>
        send$.pipe(
          map(() => accepted),
          catchError((error: unknown) => {
            lastError = error;
            if (command === 'FAIL' && isJobNotFound(error)) return lost('jobNotFound', error);
            if (!retriable(error)) return lost('error', error);
            const delayMs = retryDelayMs(n);
            if (scheduler.now() + delayMs >= reservationEndMs) return lost('expired', error);
            const retried: DeliveryRetriedEvent = { type: command === 'ACK' ? 'ackRetried' : 'failRetried', jid, attempt: n, delayMs, error };
            return concat(of(retried), timer(delayMs, scheduler).pipe(switchMap(() => attempt(n + 1))));
          }),
        );
      return concat(
        attempt(1).pipe(
          tap((e) => {
            if (e.type !== 'ackRetried' && e.type !== 'failRetried') over = true;
          }),
          takeUntil(giveUp$),
        ),
        defer(() => (over ? EMPTY : lost('stopped', lastError ?? new ClosedError(`the worker stopped before the ${command} of job ${jid} was sent`)))),
      );
    });

  return (source) =>
    source.pipe(
      connect((events$) =>
        merge(
          events$,
          events$.pipe(filter(isHandled), mergeMap(deliver)),
        ),
      ),
    );
}
