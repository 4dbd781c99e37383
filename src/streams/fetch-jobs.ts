import { defer, filter, repeat, type Observable } from 'rxjs';
import { assertQueueNames } from './command-sender.js';
import type { JobOf, JobTypes, WorkerClient } from './types.js';

/**
 * A stream of fetched jobs for users who want raw control: `FETCH`es from `queues` (strict
 * order) one after another, skipping the empty replies, until unsubscribed. Errors when a
 * fetch errors (add `retry` to keep going).
 *
 * **Every job emitted is reserved on the server**: it must be acked (`client.ack(jid)`) or
 * failed (`client.fail(jid, error)`), or it comes back only when its `reserve_for` runs out.
 * The next `FETCH` is sent as soon as the previous job has been emitted, so a consumer that
 * handles jobs asynchronously should not let them pile up (process in `concatMap`, or use the
 * worker, which fetches only when a slot is free).
 *
 * @example
 * fetchJobs(client, ['critical', 'default']).pipe(
 *   concatMap((job) => handle(job).pipe(
 *     concatMap(() => client.ack(job.jid)),
 *     catchError((err) => client.fail(job.jid, err)),
 *   )),
 * ).subscribe();
 */
export function fetchJobs<Jobs extends JobTypes>(client: WorkerClient<Jobs>, queues: readonly string[]): Observable<JobOf<Jobs>> {
  return defer(() => {
    assertQueueNames(queues, 'FETCH', false);
    return client.fetch(...queues).pipe(
      repeat(),
      filter((job): job is JobOf<Jobs> => job !== null),
    );
  });
}
