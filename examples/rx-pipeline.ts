/**
 * An RxJS pipeline: a stream of domain events becomes a stream of jobs, pushed in PUSHB batches
 * by the `pushJobs` operator, and every job's result is observed.
 *
 *   npx tsx examples/rx-pipeline.ts
 *
 * In your code, import from 'faktory-rx' instead of '../src/index.js'.
 */
import { from, interval, lastValueFrom, map, mergeMap, reduce, take, tap, type Observable } from 'rxjs';
import { createClient, job, pushJobs, type JobInput, type PushMiddleware } from '../src/index.js';
import { useFaktory } from './support/local-faktory.js';

type Jobs = {
  SendReceipt: [orderId: number, email: string];
  FraudCheck: [orderId: number, cents: number];
  RefundOrder: [orderId: number];
};

/** What the rest of the system emits (from Kafka, a WebSocket, a database change stream ...). */
type DomainEvent =
  | { readonly type: 'OrderPlaced'; readonly orderId: number; readonly email: string; readonly cents: number }
  | { readonly type: 'OrderCancelled'; readonly orderId: number };

// A simulated event stream: 40 events, one every 2 ms.
const events$: Observable<DomainEvent> = interval(2).pipe(
  take(40),
  map((i): DomainEvent =>
    i % 8 === 7
      ? { type: 'OrderCancelled', orderId: 1_000 + i - 1 }
      : { type: 'OrderPlaced', orderId: 1_000 + i, email: i === 13 ? 'mallory@blocked.example' : `buyer${i}@example.com`, cents: (i * 7_919) % 150_000 },
  ),
);

// Push middleware sees every job before it is sent: here it tags the tenant and refuses blocked addresses.
const tenant: PushMiddleware = (job$) => job$.pipe(map((j) => ({ ...j, custom: { ...j.custom, tenant: 'acme' } })));
const blockList: PushMiddleware = (job$) =>
  job$.pipe(
    tap((j) => {
      if (j.args.some((arg) => typeof arg === 'string' && arg.endsWith('@blocked.example'))) throw new Error('address is on the block list');
    }),
  );

const faktory = await useFaktory();
const client = createClient<Jobs>({ url: faktory.url, middleware: [tenant, blockList] });

// One event can become several jobs: big orders also get a fraud check on a priority queue.
const toJobs = (event: DomainEvent): JobInput<Jobs>[] => {
  if (event.type === 'OrderCancelled') return [job('RefundOrder', event.orderId).queue('examples')];
  const receipt = job('SendReceipt', event.orderId, event.email).queue('examples');
  return event.cents > 100_000 ? [receipt, job('FraudCheck', event.orderId, event.cents).queue('examples-critical')] : [receipt];
};

const summary = await lastValueFrom(
  events$.pipe(
    mergeMap((event) => from(toJobs(event))),
    // Batches of up to 16 jobs, or whatever arrived within 20 ms; at most 2 PUSHB awaiting replies.
    pushJobs(client, { maxBatch: 16, windowMs: 20, concurrency: 2 }),
    // One result per job: 'pushed', 'rejected' (by middleware, validation or the server) or 'failed'.
    tap((result) => {
      if (result.status === 'rejected') console.log(`rejected: ${result.reason}`);
      if (result.status === 'failed') console.log(`failed: ${String(result.error)}`);
    }),
    reduce((counts: Record<string, number>, result) => {
      const key = `${result.status} ${result.job?.jobtype ?? '(no job)'}`;
      return { ...counts, [key]: (counts[key] ?? 0) + 1 };
    }, {}),
  ),
  { defaultValue: {} },
);
await lastValueFrom(client.close(), { defaultValue: undefined });
await faktory.close();
console.log('results:', summary);
