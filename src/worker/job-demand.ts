import { type Observable, type OperatorFunction, defer, filter, map, merge } from 'rxjs';
import type { DeliveryLostEvent, JobFailedEvent, JobHandledEvent, JobReleasedEvent, JobSucceededEvent } from './events.js';

/** The events {@link jobDemand} counts: a handler settled (`released`), an ACK/FAIL started (`handled`) or ended. */
export type DemandFeedback = JobReleasedEvent | JobHandledEvent | JobSucceededEvent | JobFailedEvent | DeliveryLostEvent | { readonly type: string };

/**
 * Turns a worker's feedback into demand for jobs: emits one value per free slot, `concurrency`
 * of them at subscription, then one each time a slot frees up. A slot is taken from the demand
 * (its FETCH) until the job's handler settles (`released`); a job whose ACK/FAIL is still on
 * its way keeps holding its slot when more than `deliveryAllowance` are, so that the jobs
 * reserved for the worker (fetching, running or awaiting their ACK/FAIL) never exceed
 * `concurrency + deliveryAllowance`. Buffers nothing; completes and errors with its source.
 *
 * @example
 * const feedback$ = new Subject<DemandFeedback>();
 * const demand$ = feedback$.pipe(jobDemand(20, 4)); // 20 values at once, then one per free slot
 */
export function jobDemand(concurrency: number, deliveryAllowance: number): OperatorFunction<DemandFeedback, void> {
  return (feedback$: Observable<DemandFeedback>) =>
    defer(() => {
      let taken = concurrency;
      let delivering = 0;
      /** Counts `event`; whether it freed a slot (which is then taken by the demand emitted for it). */
      const freesSlot = (event: DemandFeedback): boolean => {
        switch (event.type) {
          case 'released':
            taken--;
            break;
          case 'handled':
            delivering++;
            return false;
          case 'succeeded':
          case 'failed':
          case 'deliveryLost':
            delivering--;
            break;
          default:
            return false;
        }
        if (concurrency - taken - Math.max(0, delivering - deliveryAllowance) <= 0) return false;
        taken++;
        return true;
      };
      // The feedback is subscribed first: a job may finish while the first slots are handed out.
      return merge(feedback$.pipe(filter(freesSlot), map(() => undefined)), new Array<undefined>(concurrency).fill(undefined));
    });
}
