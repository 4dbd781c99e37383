/**
 * Faktory Enterprise batches and job tracking: a batch of jobs whose `success` callback runs
 * once all of them succeeded, and jobs that report their progress with TRACK SET.
 *
 *   npx tsx examples/batches-and-tracking.ts
 *
 * Without FAKTORY_URL it starts the in-memory server in Enterprise mode (`enterprise: true`);
 * against a real Faktory it needs Faktory Enterprise. In your code, import from 'faktory-rx'.
 */
import { concat, defer, filter, firstValueFrom, from, ignoreElements, lastValueFrom, mergeMap, tap, toArray } from 'rxjs';
import { createClient, createWorker, isWorkerEvent, job, ServerError, type FaktoryClient, type JobHandlers } from '../src/index.js';
import { useFaktory } from './support/local-faktory.js';

type Jobs = {
  ImportFile: [path: string, rows: number];
  ImportFinished: [description: string];
};

const files: [string, number][] = [
  ['customers.csv', 3],
  ['orders.csv', 5],
  ['invoices.csv', 4],
];

const faktory = await useFaktory({ enterprise: true });
const client = createClient<Jobs>({ url: faktory.url });

// 1. A batch: create it with its callback, push its jobs (they join with custom.bid), commit.
//    `batch.run` does the three steps; callbacks cannot fire before the commit.
let bid: string;
let jids: string[];
try {
  bid = await firstValueFrom(
    client.batch.run({ description: 'nightly import', success: job('ImportFinished', 'nightly import').queue('examples') }, (id) =>
      client.pushBulk(files.map(([path, rows]) => job('ImportFile', path, rows).queue('examples').custom({ bid: id, track: 1 }).jid(`import-${path}`))),
    ),
    { defaultValue: '' },
  );
  jids = files.map(([path]) => `import-${path}`);
  console.log(`batch ${bid} committed with ${files.length} jobs (tracked: custom.track = 1)`);
} catch (error) {
  if (error instanceof ServerError) console.error(`this example needs Faktory Enterprise: ${error.message}`);
  else console.error(error);
  await lastValueFrom(client.close(), { defaultValue: undefined });
  await faktory.close();
  process.exit(1);
}

// 2. A worker. Handlers get the worker's client in ctx.client: here, to report progress.
let finished!: () => void;
const callbackRan = new Promise<void>((resolve) => {
  finished = resolve;
});
const handlers: JobHandlers<Jobs, FaktoryClient<Jobs>> = {
  // Import row by row, reporting the percentage done after each one (an Observable handler).
  ImportFile: ([path, rows], ctx) =>
    from(Array.from({ length: rows }, (_, i) => i + 1)).pipe(
      mergeMap((row) => ctx.client.track.set({ jid: ctx.jid, percent: Math.round((row * 100) / rows), desc: `${path}: row ${row}/${rows}` }), 1),
    ),
  // The batch's success callback: the server pushes it once every job of the batch succeeded.
  ImportFinished: ([description], ctx) => {
    console.log(`success callback for "${description}" (batch ${JSON.stringify(ctx.custom['_bid'])})`);
    finished();
  },
};
const worker = createWorker<Jobs>({ connection: { url: faktory.url }, queues: ['examples'], concurrency: 5, handlers });
const stopped = lastValueFrom(
  worker.pipe(
    filter(isWorkerEvent('succeeded')),
    tap((event) => {
      console.log(`  ${event.jobtype} ${event.jid} done`);
    }),
    ignoreElements(),
  ),
  { defaultValue: undefined },
);
await callbackRan;
await lastValueFrom(worker.stop(), { defaultValue: undefined });
await stopped;

// 3. Ask the server: the batch's status and each tracked job's state.
const status = await firstValueFrom(client.batch.status(bid), { defaultValue: undefined });
console.log(`batch status: total ${status?.total}, pending ${status?.pending}, failed ${status?.failed}, success callback '${status?.success_st}' (2 = succeeded)`);
const tracked = await lastValueFrom(
  concat(...jids.map((jid) => defer(() => client.track.get(jid)))).pipe(toArray()),
  { defaultValue: [] },
);
for (const t of tracked) console.log(`track ${t.jid}: ${t.state}, ${t.percent ?? '-'}% (${t.desc ?? ''})`);

await lastValueFrom(client.close(), { defaultValue: undefined });
await faktory.close();
