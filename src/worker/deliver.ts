import { type Observable, type SchedulerLike, catchError, concat, concatMap, defer, ignoreElements, of, timer } from 'rxjs';
import { ServerError, isRetriable } from '../errors.js';
import type { DeliveryLostEvent, DeliveryRetriedEvent } from './events.js';

/** What {@link afterFailedDelivery} needs to know. @internal */
export interface Delivery {
  readonly command: 'ACK' | 'FAIL';
  readonly jid: string;
  readonly jobtype: string;
  /** Sends the command once per subscription. */
  readonly send: () => Observable<void>;
  /** The time (scheduler clock, ms) after which retrying is pointless: the reservation's end. */
  readonly deadlineMs: () => number;
  readonly retryDelayMs: (attempt: number) => number;
  readonly scheduler: SchedulerLike;
}

/** Whether the server said the job holds no reservation any more (`-ERR Job not found <jid>`). */
function isJobNotFound(error: unknown): boolean {
  return error instanceof ServerError && error.serverMessage.startsWith('Job not found');
}

function retriable(error: unknown): boolean {
  return isRetriable(error) || (error instanceof ServerError && error.serverMessage.includes('shutdown in progress'));
}

/**
 * What follows a failed attempt `n` to send an ACK or FAIL (the worker makes the first attempt
 * itself, without operators, and hands the error here). A retriable error (lost connection,
 * timeout, server shutting down) is retried after `retryDelayMs(n)` on the scheduler, as long as
 * the retry would start before the deadline: it emits `...Retried`, then makes the next attempt.
 * Otherwise it emits `deliveryLost` (`-ERR Job not found` on FAIL is never retried). Completes
 * without emitting more once the server accepts the command. Never errors.
 * @internal
 */
export function afterFailedDelivery(delivery: Delivery, error: unknown, n: number): Observable<DeliveryRetriedEvent | DeliveryLostEvent> {
  const { command, jid, jobtype } = delivery;
  const lost = (reason: DeliveryLostEvent['reason']): Observable<DeliveryLostEvent> => of({ type: 'deliveryLost', command, jid, jobtype, reason, error });
  if (command === 'FAIL' && isJobNotFound(error)) return lost('jobNotFound');
  if (!retriable(error)) return lost('error');
  const delayMs = delivery.retryDelayMs(n);
  if (delivery.scheduler.now() + delayMs >= delivery.deadlineMs()) return lost('expired');
  const retried: DeliveryRetriedEvent = { type: command === 'ACK' ? 'ackRetried' : 'failRetried', jid, attempt: n, delayMs, error } as const;
  return concat(
    of(retried),
    timer(delayMs, delivery.scheduler).pipe(concatMap(() => attempt(delivery, n + 1))),
  );
}

function attempt(delivery: Delivery, n: number): Observable<DeliveryRetriedEvent | DeliveryLostEvent> {
  return defer(delivery.send).pipe(
    ignoreElements(),
    catchError((error: unknown) => afterFailedDelivery(delivery, error, n)),
  );
}
