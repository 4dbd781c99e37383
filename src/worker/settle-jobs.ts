import { NEVER, Observable, type OperatorFunction, type SchedulerLike, type Subscription } from 'rxjs';
import { ClosedError, ServerError, isRetriable } from '../errors.js';
import type { AnyJobs, JobTypes, WorkerClient } from '../streams/types.js';
import type { DeliveryLostEvent, DeliveryRetriedEvent, JobFailedEvent, JobHandledEvent, JobSucceededEvent } from './events.js';
import { reservationMs } from './reservation.js';

/** Options of {@link settleJobs}. Times are milliseconds. */
export interface SettleJobsOptions {
  /** The delay before retry `attempt` (1, 2, ...) of an ACK or FAIL that failed with a retriable error. */
  readonly retryDelayMs: (attempt: number) => number;
  /** The clock of the retries and of the reservations. */
  readonly scheduler: SchedulerLike;
  /**
   * When it emits, deliveries still pending (waiting to retry, or awaiting a reply) are given
   * up as `deliveryLost` with reason `stopped`, and so is every later one at once: a stopping
   * worker's delivery grace. Subscribed once, when the first delivery starts.
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
  const giveUp$ = options.giveUp$ ?? NEVER;
  // Written as RxJS writes its own operators (one subscriber, a set of pending deliveries, one
  // completion check): it runs for every job, and a chain of operators per delivery costs more
  // than the delivery's own work.
  return (source) =>
    new Observable<E | SettleEvent>((subscriber) => {
      const pending = new Set<Delivery>();
      let sourceDone = false;
      let gaveUp = false;
      let giveUp: Subscription | undefined;

      const checkComplete = (): void => {
        if (sourceDone && pending.size === 0) subscriber.complete();
      };
      /** The delivery is over with `event`: mutation first, then the call out. */
      const end = (delivery: Delivery, event: SettleEvent): void => {
        pending.delete(delivery);
        delivery.cancel();
        subscriber.next(event);
        checkComplete();
      };
      const lost = (delivery: Delivery, reason: DeliveryLostEvent['reason'], error: unknown): void => {
        const { command, event: { jid, jobtype } } = delivery;
        end(delivery, { type: 'deliveryLost', command, jid, jobtype, reason, error });
      };
      const stopped = (delivery: Delivery): void => {
        const { command, event: { jid } } = delivery;
        lost(delivery, 'stopped', delivery.lastError ?? new ClosedError(`the worker stopped before the ${command} of job ${jid} was sent`));
      };
      /** Attempt `n`; after a failure, what follows it: a retry or the loss. */
      const attempt = (delivery: Delivery, n: number): void => {
        const inner = delivery.send().subscribe({
          next: () => {
            if (pending.has(delivery)) end(delivery, delivery.accepted());
          },
          error: (error: unknown) => {
            delivery.inner = undefined;
            afterFailure(delivery, n, error);
          },
        });
        // Unless it is over already (a synchronous reply or error).
        if (!inner.closed && pending.has(delivery)) delivery.inner = inner;
      };
      const afterFailure = (delivery: Delivery, n: number, error: unknown): void => {
        delivery.lastError = error;
        const { command } = delivery;
        if (command === 'FAIL' && isJobNotFound(error)) {
          lost(delivery, 'jobNotFound', error);
        } else if (!retriable(error)) {
          lost(delivery, 'error', error);
        } else {
          const delayMs = retryDelayMs(n);
          if (scheduler.now() + delayMs >= delivery.reservationEndMs) lost(delivery, 'expired', error);
          else retryLater(delivery, n, delayMs, error);
        }
      };
      const retryLater = (delivery: Delivery, n: number, delayMs: number, error: unknown): void => {
        const { command, event } = delivery;
        delivery.retry = scheduler.schedule(() => {
          delivery.retry = undefined;
          attempt(delivery, n + 1);
        }, delayMs);
        subscriber.next({ type: command === 'ACK' ? 'ackRetried' : 'failRetried', jid: event.jid, attempt: n, delayMs, error });
      };
      const deliver = (event: JobHandledEvent): void => {
        const delivery = new Delivery(client, event);
        pending.add(delivery);
        if (gaveUp) {
          stopped(delivery);
          return;
        }
        // One subscription to giveUp$ for every delivery, from the first one on.
        giveUp ??= giveUp$.subscribe(() => {
          gaveUp = true;
          for (const waiting of [...pending]) stopped(waiting);
        });
        if (pending.has(delivery)) attempt(delivery, 1);
      };

      const upstream = source.subscribe({
        next: (event) => {
          subscriber.next(event);
          if (isHandled(event) && !subscriber.closed) deliver(event);
        },
        error: (error: unknown) => {
          subscriber.error(error);
        },
        complete: () => {
          sourceDone = true;
          checkComplete();
        },
      });
      return () => {
        upstream.unsubscribe();
        giveUp?.unsubscribe();
        for (const delivery of pending) delivery.cancel();
        pending.clear();
      };
    });
}

/** One job's ACK or FAIL, through its attempts. */
class Delivery {
  readonly command: 'ACK' | 'FAIL';
  readonly reservationEndMs: number;
  /** The attempt awaiting its reply. */
  inner: Subscription | undefined;
  /** The retry waiting for its time. */
  retry: Subscription | undefined;
  lastError: unknown;
  readonly #client: Pick<WorkerClient, 'ack' | 'fail'>;

  constructor(client: Pick<WorkerClient, 'ack' | 'fail'>, readonly event: JobHandledEvent) {
    this.#client = client;
    this.command = event.outcome.ok ? 'ACK' : 'FAIL';
    this.reservationEndMs = event.fetchedAtMs + reservationMs(event.job);
  }

  /** One attempt: the command, cold. */
  send(): Observable<void> {
    const { jid, job, outcome } = this.event;
    if (outcome.ok) return this.#client.ack(jid);
    return job.backtrace === undefined ? this.#client.fail(jid, outcome.error) : this.#client.fail(jid, outcome.error, { backtrace: job.backtrace });
  }

  accepted(): SettleEvent {
    const { jid, jobtype, durationMs, outcome } = this.event;
    return outcome.ok
      ? { type: 'succeeded', jid, jobtype, durationMs }
      : { type: 'failed', jid, jobtype, durationMs, reason: outcome.reason, error: outcome.error };
  }

  cancel(): void {
    this.inner?.unsubscribe();
    this.inner = undefined;
    this.retry?.unsubscribe();
    this.retry = undefined;
  }
}
