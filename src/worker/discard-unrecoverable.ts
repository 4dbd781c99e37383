import {
  NEVER, type Observable, type OperatorFunction, catchError, connect, endWith, filter, ignoreElements, map, merge, mergeMap, of, race, take,
} from 'rxjs';
import type { MutateBuilder } from '../streams/mutate-builder.js';
import type { JobFailedEvent } from './events.js';
import { UnrecoverableError } from './job-errors.js';

/** A client that can move jobs between sets (the full client has it; a scripted one may not). */
export interface MutatingClient {
  mutate(target: 'retries'): MutateBuilder;
}

function isUnrecoverableFailure(event: { readonly type: string }): event is JobFailedEvent {
  return event.type === 'failed' && (event as JobFailedEvent).error instanceof UnrecoverableError;
}

/**
 * Sends jobs whose handler threw an {@link UnrecoverableError} to the dead set: for each such
 * `failed` event (its FAIL was accepted, so the job sits in the retries set), `MUTATE kill` by
 * jid on the retries set, then the event passes on with reason `discarded`. If the MUTATE fails,
 * or `giveUp$` emits first (a stopping worker's delivery grace is over), the event passes on
 * unchanged: the job stays in the retries set and Faktory retries it as usual. A job with
 * `retry: 0` (discarded by the FAIL) or `-1` (dead at once) needs no MUTATE; it finds nothing to
 * move and still counts as `discarded`. Every other event passes through at once. Put it after
 * `settleJobs`.
 *
 * @example
 * jobs$.pipe(runJobs(runOptions), settleJobs(client, settleOptions), discardUnrecoverable(client));
 */
export function discardUnrecoverable<E extends { readonly type: string }>(
  client: MutatingClient,
  giveUp$: Observable<unknown> = NEVER,
): OperatorFunction<E, E | JobFailedEvent> {
  // Killed: the event says `discarded`. Given up (the worker stops) or refused: it passes as it was.
  const kill = (event: JobFailedEvent): Observable<JobFailedEvent> =>
    race(
      client
        .mutate('retries')
        .jids(event.jid)
        .kill()
        .pipe(
          ignoreElements(),
          endWith<JobFailedEvent>({ ...event, reason: 'discarded' }),
          catchError(() => of(event)),
        ),
      giveUp$.pipe(
        take(1),
        map(() => event),
      ),
    );
  return (source) =>
    source.pipe(
      connect((events$) =>
        merge(
          events$.pipe(filter((event) => !isUnrecoverableFailure(event))),
          events$.pipe(filter(isUnrecoverableFailure), mergeMap(kill)),
        ),
      ),
    );
}

/** Whether `client` can MUTATE (else unrecoverable jobs are FAILed and retried as usual). @internal */
export function canMutate(client: object): client is MutatingClient {
  return typeof (client as Partial<MutatingClient>).mutate === 'function';
}
