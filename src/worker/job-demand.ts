import { type Observable, type OperatorFunction, defer, merge, mergeMap } from 'rxjs';
import type { DeliveryLostEvent, JobFailedEvent, JobHandledEvent, JobReleasedEvent, JobSucceededEvent } from './events.js';

/** The events {@link jobDemand} counts: a handler settled (`released`), an ACK/FAIL started (`handled`) or ended. */
export type DemandFeedback = JobReleasedEvent | JobHandledEvent | JobSucceededEvent | JobFailedEvent | DeliveryLostEvent | { readonly type: string };

const NONE: readonly undefined[] = [];
const ONE: readonly undefined[] = [undefined];

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
      /** How many slots are free now, counting the excess deliveries as taken. */
      const free = (): number => concurrency - taken - Math.max(0, delivering - deliveryAllowance);
      // The feedback is subscribed first: a job may finish while the first slots are handed out.
      const more$ = feedback$.pipe(
        mergeMap((event): readonly undefined[] => {
          switch (event.type) {
            case 'released':
              taken--;
              break;
            case 'handled':
              delivering++;
              return NONE;
            case 'succeeded':
            case 'failed':
            case 'deliveryLost':
              delivering--;
              break;
            default:
              return NONE;
          }
          if (free() <= 0) return NONE;
          taken++;
          return ONE;
        }),
      );
      return merge(more$, new Array<undefined>(concurrency).fill(undefined));
    });
}
