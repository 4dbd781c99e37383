// Pushes 50,000 jobs to a fresh in-memory server four ways and prints jobs/s and the ratio to
// faktory-worker's client: `npm run bench:push [-- jobs]`. Each server runs in a child process
// (this file with `--server`), as a real Faktory would, so its work is not billed to the client.
// Each way is warmed up once, then run three times; the median run is reported (see measure).
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { Client as FwClient } from 'faktory-worker';
import { concatMap, firstValueFrom, from, ignoreElements, lastValueFrom, map, merge, range, tap } from 'rxjs';
import type * as FaktoryRx from '../src/index.js';
import { startServer, type FaktoryServer } from '../src/testing/index.js';

// faktory-rx as its users run it, and as faktory-worker runs: compiled JavaScript from its build
// (`npm run bench:push` builds first), not the TypeScript source under a loader.
const built: string = 'faktory-rx'; // a string, so type checking needs no build
const { createClient, job, pushJobs } = (await import(built)) as typeof FaktoryRx;
type FaktoryClient = FaktoryRx.FaktoryClient;

const JOBS = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 50_000);
const WARMUP = 5_000;
const RUNS = 3;
const IN_FLIGHT = 500;
const QUEUE = 'bench';
// faktory-worker's pool rejects waiters after its acquire timeout, so 50,000 pushes at once
// fail; it gets Promise.all over slices of this many pushes instead.
const FW_SLICE = 1_000;

const makeArgs = (i: number) => [i, `user-${i}@example.com`, { template: 'welcome', locale: 'en' }] as const;

/** Child-process role: serve, answer queue-size questions (flushing the server), exit when told. */
async function serve(): Promise<void> {
  const server: FaktoryServer = await startServer();
  process.on('message', (message: { queue?: string; stop?: boolean }) => {
    if (message.stop === true) {
      void server.close().then(() => process.exit(0));
    } else if (message.queue !== undefined) {
      process.send?.({ size: server.queue(message.queue).length });
      server.flush();
    }
  });
  process.send?.({ url: server.url });
}

interface Result {
  readonly name: string;
  readonly jobsPerSecond: number;
  /** Client-process CPU (user + system) per job, in microseconds. */
  readonly cpuMicrosPerJob: number;
}

/** One way of pushing `count` jobs to the server at `url`. */
type Way = (url: string, count: number) => Promise<void>;

/**
 * Every way gets the same treatment: a server child of its own, one warm-up run of WARMUP jobs
 * (so neither the way nor the server runs cold: the real, compiled Go server needs no warm-up,
 * and no way profits from the JIT work of the ways before it), then RUNS runs of JOBS jobs with
 * the server flushed in between; the run with the median jobs/s is reported.
 */
async function measure(name: string, way: Way): Promise<Result> {
  const child = fork(fileURLToPath(import.meta.url), ['--server'], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
  const exited = once(child, 'exit');
  const ask = async <T>(message: object): Promise<T> => {
    const reply = once(child, 'message') as Promise<[T]>;
    if (Object.keys(message).length > 0) child.send(message);
    return (await reply)[0];
  };
  /** Runs `way` once; checks that the server stored every job, then flushes it. */
  const runOnce = async (count: number): Promise<Omit<Result, 'name'>> => {
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    await way(url, count);
    const cpu = process.cpuUsage(cpuStart);
    const seconds = (performance.now() - start) / 1000;
    const { size } = await ask<{ size: number }>({ queue: QUEUE });
    if (size !== count) throw new Error(`${name}: ${size} of ${count} jobs stored`);
    return { jobsPerSecond: count / seconds, cpuMicrosPerJob: (cpu.user + cpu.system) / count };
  };
  const { url } = await ask<{ url: string }>({});
  try {
    await runOnce(WARMUP);
    const runs: Omit<Result, 'name'>[] = [];
    for (let i = 0; i < RUNS; i++) runs.push(await runOnce(JOBS));
    runs.sort((a, b) => a.jobsPerSecond - b.jobsPerSecond);
    const result = { name, ...runs[Math.floor(RUNS / 2)]! };
    console.log(`${format(result)}  (runs: ${runs.map((r) => Math.round(r.jobsPerSecond)).join(', ')})`);
    return result;
  } finally {
    child.send({ stop: true });
    await exited;
  }
}

async function withClient(url: string, body: (client: FaktoryClient) => Promise<void>): Promise<void> {
  const client = createClient({ url });
  try {
    await body(client);
  } finally {
    await lastValueFrom(client.close(), { defaultValue: undefined });
  }
}

const format = (r: Result): string =>
  `${r.name.padEnd(48)} ${Math.round(r.jobsPerSecond).toString().padStart(7)} jobs/s  ${r.cpuMicrosPerJob.toFixed(1).padStart(6)} µs client CPU/job`;

const makeJob = (i: number) => job('SendEmail', ...makeArgs(i)).queue(QUEUE);
const jobsOf = (count: number) => Array.from({ length: count }, (_, i) => makeJob(i));

async function main(): Promise<void> {
const results = [
  await measure('faktory-rx, one at a time awaited', (url, count) =>
    withClient(url, async (client) => {
      // eslint-disable-next-line rxjs-x/no-ignored-default-value -- push always emits the jid
      for (const j of jobsOf(count)) await firstValueFrom(client.push(j));
    }),
  ),
  // IN_FLIGHT lanes, each pushing its share one after another: mergeMap over 50,000 queued
  // values would cost O(n^2) in RxJS 7 (its buffer is an array it shifts).
  await measure(`faktory-rx, ${IN_FLIGHT} in flight over the pool`, (url, count) =>
    withClient(url, (client) => {
      const lanes = Array.from({ length: IN_FLIGHT }, () => [] as ReturnType<typeof jobsOf>);
      jobsOf(count).forEach((j, i) => lanes[i % IN_FLIGHT]!.push(j));
      const push$ = merge(...lanes.map((lane) => from(lane).pipe(concatMap((j) => client.push(j)))));
      return lastValueFrom(push$.pipe(ignoreElements()), { defaultValue: undefined });
    }),
  ),
  // The jobs are made as the stream flows, as `pushJobs` is meant to be used.
  await measure('faktory-rx, pushJobs (PUSHB batches)', (url, count) =>
    withClient(url, (client) =>
      lastValueFrom(
        range(0, count).pipe(
          map(makeJob),
          pushJobs(client),
          tap((result) => {
            if (result.status !== 'pushed') throw new Error(`not pushed: ${result.status}`);
          }),
          ignoreElements(),
        ),
        { defaultValue: undefined },
      ),
    ),
  ),
  await measure(`faktory-worker, client.push, Promise.all per ${FW_SLICE}`, async (url, count) => {
    const client = new FwClient({ url });
    try {
      for (let first = 0; first < count; first += FW_SLICE) {
        await Promise.all(
          Array.from({ length: Math.min(FW_SLICE, count - first) }, (_, k) => {
            const fwJob = client.job('SendEmail', ...makeArgs(first + k));
            fwJob.queue = QUEUE;
            return fwJob.push();
          }),
        );
      }
    } finally {
      await client.close();
    }
  }),
];

const baseline = results[3]!;
console.log(`\n${JOBS} jobs per run, median of ${RUNS} runs after a ${WARMUP}-job warm-up, in-memory server in a child process, Node ${process.version}`);
for (const r of results) {
  const speed = (r.jobsPerSecond / baseline.jobsPerSecond).toFixed(2);
  const cpu = (baseline.cpuMicrosPerJob / r.cpuMicrosPerJob).toFixed(2);
  console.log(`${format(r)}  ${speed}x faktory-worker throughput, ${cpu}x less client CPU`);
}
}

if (process.argv.includes('--server')) await serve();
else await main();
