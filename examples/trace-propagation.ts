/**
 * Trace propagation: push middleware writes the current trace context into the job's `custom`
 * (as a W3C `traceparent`), and worker middleware continues it, so the work a job does, and the
 * jobs it pushes in turn, join the trace of the request that pushed it.
 *
 * The trace context here is a small AsyncLocalStorage of our own so the example needs no
 * library; with OpenTelemetry, `inject` into `custom` in the push middleware and `extract` from
 * it in the worker middleware (`propagation.inject(context.active(), carrier)` and
 * `context.with(propagation.extract(ROOT_CONTEXT, carrier), ...)`) in the same two places.
 *
 *   npx tsx examples/trace-propagation.ts
 *
 * In your code, import from 'faktory-rx' instead of '../src/index.js'.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import { Observable, concat, finalize, lastValueFrom, map } from 'rxjs';
import { createClient, createWorker, job, runWorker, streamLogger, type JobHandlers, type Middleware, type PushMiddleware } from '../src/index.js';
import { useFaktory } from './support/local-faktory.js';

type Jobs = {
  ChargeCard: [orderId: number];
  SendReceipt: [orderId: number];
};

/** A span of a trace, as W3C trace context carries it. */
interface Span {
  readonly traceId: string;
  readonly spanId: string;
}

const tracing = new AsyncLocalStorage<Span>();
const newId = (bytes: number): string => randomBytes(bytes).toString('hex');
const childOf = (parent: Span | undefined): Span => ({ traceId: parent?.traceId ?? newId(16), spanId: newId(8) });
const toTraceparent = (span: Span): string => `00-${span.traceId}-${span.spanId}-01`;
function fromTraceparent(value: unknown): Span | undefined {
  const match = typeof value === 'string' ? /^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/.exec(value) : null;
  return match === null ? undefined : { traceId: match[1] ?? '', spanId: match[2] ?? '' };
}

// Producer side: every job pushed inside a span carries it.
const injectTrace: PushMiddleware = (job$) =>
  job$.pipe(
    map((j) => {
      const span = tracing.getStore();
      return span === undefined ? j : { ...j, custom: { ...j.custom, traceparent: toTraceparent(span) } };
    }),
  );

// Worker side: the handler (and whatever it awaits) runs in a child span of the pushing one.
const continueTrace: Middleware<Jobs> = (next$, ctx) =>
  new Observable((subscriber) => tracing.run(childOf(fromTraceparent(ctx.custom['traceparent'])), () => next$.subscribe(subscriber)));

const seen: { jobtype: string; traceId: string }[] = [];
const handlers: JobHandlers<Jobs> = {
  ChargeCard: async ([orderId], ctx) => {
    await Promise.resolve(); // the span survives awaits: AsyncLocalStorage follows the async context
    seen.push({ jobtype: ctx.jobtype, traceId: tracing.getStore()?.traceId ?? 'none' });
    // A follow-up job pushed from the handler joins the same trace.
    await lastValueFrom(ctx.client.push(ctx.client.job('SendReceipt', orderId)), { defaultValue: undefined });
  },
  SendReceipt: (_args, ctx) => {
    seen.push({ jobtype: ctx.jobtype, traceId: tracing.getStore()?.traceId ?? 'none' });
  },
};

const faktory = await useFaktory();

// "The request": a span opens, a job is pushed inside it.
const request = childOf(undefined);
const producer = createClient<Jobs>({ url: faktory.url, middleware: [injectTrace] });
await tracing.run(request, () => lastValueFrom(concat(producer.push(job('ChargeCard', 42).queue('examples-trace')), producer.close()), { defaultValue: undefined }));
console.log(`request trace ${request.traceId}: pushed ChargeCard`);

const stopAfterTwo: Middleware<Jobs> = (next$) =>
  next$.pipe(
    finalize(() => {
      if (seen.length === 2) void worker.stop();
    }),
  );
const worker = createWorker<Jobs>({
  connection: { url: faktory.url, middleware: [injectTrace] },
  queues: ['examples-trace', 'default'],
  middleware: [continueTrace, stopAfterTwo],
  handlers,
});
const code = await runWorker(worker, { logger: streamLogger({ level: 'warn' }) });
await faktory.close();

for (const { jobtype, traceId } of seen) console.log(`${jobtype} ran in trace ${traceId}`);
const joined = seen.length === 2 && seen.every((s) => s.traceId === request.traceId);
console.log(joined ? 'every job joined the request trace' : 'the trace was lost');
process.exitCode = joined ? code : 1;
