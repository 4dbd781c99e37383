/**
 * The demo's jobs: a typed job map, the mix the producer pushes, and the handlers that run them.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { map, timer } from 'rxjs';
import { job, type JobBuilder, type JobContext, type JobHandlers, type JobInput } from '../../src/index.js';

/** Every jobtype of the demo with its argument tuple (a `type` alias: job maps are Records). */
export type DemoJobs = {
  SendEmail: [to: string, template: string];
  ResizeImage: [imageId: number, width: number];
  GenerateReport: [accountId: number];
  /** Fails on its first attempt (a simulated payment-gateway timeout), succeeds on the retry. */
  ChargeCard: [orderId: number, cents: number];
};

/** Raised by `ChargeCard` on a first attempt. */
export class GatewayTimeout extends Error {
  override name = 'GatewayTimeout';
}

/** How the `i`-th job of the mix is made: 1 in 200 is flaky, 1 in 20 is scheduled 1-3 s ahead. */
export function demoJob(i: number, queue: string): JobInput<DemoJobs> {
  if (isFlaky(i)) return shape(job('ChargeCard', i, 100 + (i % 5_000)), i, queue);
  const r = i % 20;
  if (r < 12) return shape(job('SendEmail', `user${i}@example.com`, 'welcome'), i, queue);
  if (r < 18) return shape(job('ResizeImage', i, 320 * (1 + (i % 4))), i, queue);
  return shape(job('GenerateReport', i % 1_000), i, queue);
}

/** Whether the `i`-th job is scheduled (for the counts shown up front). */
export function isScheduled(i: number): boolean {
  return i % 20 === 3;
}

/** Whether the `i`-th job fails on its first attempt. */
export function isFlaky(i: number): boolean {
  return i % 200 === 7;
}

/** Builders are immutable: each call returns a new one. */
function shape<T extends string, A extends readonly unknown[]>(builder: JobBuilder<T, A>, i: number, queue: string): JobBuilder<T, A> {
  const queued = builder.queue(queue).retry(3);
  return isScheduled(i) ? queued.in(1_000 + (i % 2_000)) : queued;
}

type Ctx = JobContext<DemoJobs>;

/**
 * The handlers: a handler may return a value, a Promise or an Observable. The work is
 * simulated with short waits that honour the job's abort signal.
 */
export const demoHandlers: JobHandlers<DemoJobs> = {
  // Synchronous: returning normally ACKs the job.
  SendEmail: ([to]) => to.length,
  // A Promise: resolving ACKs; the signal aborts the wait on timeout or shutdown.
  ResizeImage: async ([, width], { signal }: Ctx) => {
    await delay(1 + (width % 3), undefined, { signal });
  },
  // An Observable: completing ACKs; it is unsubscribed if the job is aborted.
  GenerateReport: ([accountId]) => timer(2 + (accountId % 3)).pipe(map(() => accountId)),
  // Fails on the first attempt: `ctx.failure` is set when the job is a retry.
  ChargeCard: ([orderId], { failure }: Ctx) => {
    if (failure === undefined) throw new GatewayTimeout(`order ${orderId}: payment gateway timed out`);
    return orderId;
  },
};
