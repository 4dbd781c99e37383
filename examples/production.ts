/**
 * A worker set up for production: job definitions shared by producer and worker (queue, retry,
 * reserve_for, a time limit, a concurrency limit), a job that must not be retried
 * (`UnrecoverableError`), JSON logs, and the metrics and health endpoints an orchestrator and
 * Prometheus scrape.
 *
 *   npx tsx examples/production.ts
 *
 * In your code, import from 'faktory-rx' instead of '../src/index.js'.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { filter, firstValueFrom, lastValueFrom, take, toArray } from 'rxjs';
import { UnrecoverableError, createClient, createWorker, defineJobs, startMetricsServer, streamLogger, type JobHandlers } from '../src/index.js';
import { useFaktory } from './support/local-faktory.js';

type Jobs = {
  SendEmail: [to: string];
  ResizeImage: [imageId: number];
};

// Declared once, used by both sides (in a real project: a module both import).
const jobs = defineJobs<Jobs>({
  SendEmail: { queue: 'examples-mail', retry: 5, timeoutMs: 30_000 },
  ResizeImage: { queue: 'examples-images', reserveForSeconds: 600, concurrency: 2 },
});

const faktory = await useFaktory();

const producer = createClient<Jobs>({ url: faktory.url, jobs });
await lastValueFrom(
  producer.pushBulk([
    ...Array.from({ length: 6 }, (_, i) => producer.job('ResizeImage', i)),
    producer.job('SendEmail', 'ada@example.com'),
    producer.job('SendEmail', 'not-an-address'),
  ]),
  { defaultValue: undefined },
);
await firstValueFrom(producer.close(), { defaultValue: undefined });

let resizing = 0;
let peak = 0;
const handlers: JobHandlers<Jobs> = {
  ResizeImage: async (_args, { signal }) => {
    peak = Math.max(peak, ++resizing);
    await delay(20, undefined, { signal });
    resizing--;
  },
  SendEmail: ([to]) => {
    // Retrying cannot help this one: straight to the dead set, with its message.
    if (!to.includes('@')) throw new UnrecoverableError(`not an email address: ${to}`, { errtype: 'BadAddress' });
  },
};

const worker = createWorker<Jobs>({
  connection: { url: faktory.url },
  queues: ['examples-mail', 'examples-images'],
  concurrency: 10,
  jobs, // SendEmail's time limit, at most 2 ResizeImage at once (kept at the FETCH)
  logger: streamLogger({ format: 'json', level: 'warn' }), // to stderr; `console` or winston fit too
  beatIntervalMs: 200,
  handlers,
});
const run = worker.subscribe();
const http = await startMetricsServer({ port: 0, host: '127.0.0.1', metrics: () => worker.metrics(), beatIntervalMs: 200 });

await firstValueFrom(worker.pipe(filter((e) => e.type === 'succeeded' || e.type === 'failed'), take(8), toArray()), { defaultValue: [] });
await firstValueFrom(worker.pipe(filter((e) => e.type === 'heartbeat')), { defaultValue: undefined });

const health = await fetch(`http://127.0.0.1:${http.port}/healthz`);
console.log(`GET /healthz: ${health.status} ${await health.text()}`);
const scrape = await (await fetch(`http://127.0.0.1:${http.port}/metrics`)).text();
console.log('GET /metrics (jobs):');
for (const line of scrape.split('\n').filter((l) => l.startsWith('faktory_worker_jobs_total') && !l.endsWith(' 0'))) console.log(`  ${line}`);
console.log(`ResizeImage ran at most ${peak} at once (limit 2)`);

await http.close();
await firstValueFrom(worker.stop(), { defaultValue: undefined });
run.unsubscribe();
await faktory.close();
