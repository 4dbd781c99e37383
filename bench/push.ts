// Pushes 100,000 jobs to a fresh in-memory server in several ways and prints jobs/s and the ratio
// to faktory-worker's client: `npm run bench:push [-- jobs]`. Each server runs in a child process
// (this file with `--server`), as a real Faktory would, so its work is not billed to the client.
// Each way is warmed up once, then run three times; the median run is reported (see measure).
// The ways: one push at a time (a tenth of the jobs: it measures round trips), every push at
// once (mergeMap without a limit, and Promise.all), pushJobs, raw PUSHB commands written by hand
// over as many sockets as pushJobs keeps batches in flight (the ceiling pushJobs is held to), and
// faktory-worker's pooled push.
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { Client as FwClient } from 'faktory-worker';
import { firstValueFrom, ignoreElements, lastValueFrom, map, mergeMap, range, tap } from 'rxjs';
import type * as FaktoryRx from '../src/index.js';
import { startServer, type FaktoryServer } from '../src/testing/index.js';

// faktory-rx as its users run it, and as faktory-worker runs: compiled JavaScript from its build
// (`npm run bench:push` builds first), not the TypeScript source under a loader.
const built: string = 'faktory-rx'; // a string, so type checking needs no build
const { createClient, job, pushJobs } = (await import(built)) as typeof FaktoryRx;
type FaktoryClient = FaktoryRx.FaktoryClient;

const JOBS = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 100_000);
const WARMUP = 5_000;
const RUNS = 3;
const QUEUE = 'bench';
/** Raw PUSHB uses one socket per batch pushJobs keeps in flight (`concurrency`), batches of its `maxBatch` (its defaults). */
const RAW_SOCKETS = 4;
const RAW_BATCH = 1_000;
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

/** A way that pushes only a `fraction` of the jobs it is asked for (for the slow ones). */
const scaled = (fraction: number, way: Way): { way: Way; jobs: (count: number) => number } => {
  const jobs = (count: number) => Math.max(1, Math.round(count * fraction));
  return { way: (url, count) => way(url, jobs(count)), jobs };
};

/**
 * Every way gets the same treatment: a server child of its own, one warm-up run of WARMUP jobs
 * (so neither the way nor the server runs cold: the real, compiled Go server needs no warm-up,
 * and no way profits from the JIT work of the ways before it), then RUNS runs of JOBS jobs with
 * the server flushed in between; the run with the median jobs/s is reported.
 */
async function measure(name: string, way: Way, jobsOfRun: (count: number) => number = (count) => count): Promise<Result> {
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
    const pushed = jobsOfRun(count);
    const { size } = await ask<{ size: number }>({ queue: QUEUE });
    if (size !== pushed) throw new Error(`${name}: ${size} of ${pushed} jobs stored`);
    return { jobsPerSecond: pushed / seconds, cpuMicrosPerJob: (cpu.user + cpu.system) / pushed };
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
  `${r.name.padEnd(52)} ${Math.round(r.jobsPerSecond).toString().padStart(7)} jobs/s  ${r.cpuMicrosPerJob.toFixed(1).padStart(6)} µs client CPU/job`;

const makeJob = (i: number) => job('SendEmail', ...makeArgs(i)).queue(QUEUE);
const jobsOf = (count: number) => Array.from({ length: count }, (_, i) => makeJob(i));

/** Opens a socket to `url` and does the handshake (no password): resolves once `+OK` arrived. */
async function rawConnect(url: string): Promise<RawConnection> {
  const { hostname, port } = new URL(url);
  const socket = connect({ host: hostname, port: Number(port) });
  socket.setNoDelay(true);
  const connection = new RawConnection(socket);
  await connection.reply(); // +HI {...}
  socket.write('HELLO {"v":2}\r\n');
  await connection.reply(); // +OK
  return connection;
}

/** A socket that reads one RESP simple or bulk reply at a time: enough for HI, OK and PUSHB. */
class RawConnection {
  #buffer = Buffer.alloc(0);
  #waiting: ((line: string) => void) | undefined;

  constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      this.#check();
    });
  }

  reply(): Promise<string> {
    return new Promise((resolve) => {
      this.#waiting = resolve;
      this.#check();
    });
  }

  #check(): void {
    const end = this.#buffer.indexOf('\r\n');
    if (this.#waiting === undefined || end < 0) return;
    let length = end + 2;
    if (this.#buffer[0] === 0x24 /* $ */) length += Number(this.#buffer.subarray(1, end).toString()) + 2;
    if (this.#buffer.length < length) return;
    const reply = this.#buffer.subarray(0, length).toString();
    this.#buffer = this.#buffer.subarray(length);
    const resolve = this.#waiting;
    this.#waiting = undefined;
    resolve(reply);
  }
}

/**
 * The ceiling of pushJobs: RAW_SOCKETS sockets, each writing a PUSHB of RAW_BATCH jobs and waiting
 * for its reply before the next, the jobs built and serialised as they go (as any client must).
 */
async function rawPushb(url: string, count: number): Promise<void> {
  const connections = await Promise.all(Array.from({ length: RAW_SOCKETS }, () => rawConnect(url)));
  let next = 0;
  await Promise.all(
    connections.map(async (connection) => {
      while (next < count) {
        const first = next;
        next = Math.min(count, next + RAW_BATCH);
        const jobs = [];
        for (let i = first; i < next; i++) jobs.push({ jid: randomUUID(), jobtype: 'SendEmail', args: makeArgs(i), queue: QUEUE, retry: 25 });
        connection.socket.write(`PUSHB ${JSON.stringify(jobs)}\r\n`);
        const reply = await connection.reply();
        if (reply !== '$2\r\n{}\r\n') throw new Error(`PUSHB: ${reply}`);
      }
      connection.socket.end('END\r\n');
    }),
  );
}

async function main(): Promise<void> {
const oneAtATime = scaled(0.1, (url, count) =>
  withClient(url, async (client) => {
    // eslint-disable-next-line rxjs-x/no-ignored-default-value -- push always emits the jid
    for (const j of jobsOf(count)) await firstValueFrom(client.push(j));
  }),
);
const results = [
  await measure(`faktory-rx, one at a time awaited (${oneAtATime.jobs(JOBS)} jobs)`, oneAtATime.way, oneAtATime.jobs),
  // Every push subscribed at once: the pool writes what its connections have room for, and the
  // rest wait in its queue.
  await measure('faktory-rx, every push at once (mergeMap, no limit)', (url, count) =>
    withClient(url, (client) =>
      lastValueFrom(range(0, count).pipe(mergeMap((i) => client.push(makeJob(i))), ignoreElements()), { defaultValue: undefined }),
    ),
  ),
  await measure('faktory-rx, every push at once (Promise.all)', (url, count) =>
    withClient(url, async (client) => {
      // eslint-disable-next-line rxjs-x/no-ignored-default-value -- push always emits the jid
      await Promise.all(jobsOf(count).map((j) => firstValueFrom(client.push(j))));
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
  await measure(`raw PUSHB of ${RAW_BATCH} over ${RAW_SOCKETS} sockets`, rawPushb),
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

const baseline = results[results.length - 1]!;
const raw = results[results.length - 2]!;
const pushJobsResult = results[results.length - 3]!;
console.log(`\n${JOBS} jobs per run, median of ${RUNS} runs after a ${WARMUP}-job warm-up, in-memory server in a child process, Node ${process.version}`);
for (const r of results) {
  const speed = (r.jobsPerSecond / baseline.jobsPerSecond).toFixed(2);
  const cpu = (baseline.cpuMicrosPerJob / r.cpuMicrosPerJob).toFixed(2);
  console.log(`${format(r)}  ${speed}x faktory-worker throughput, ${cpu}x less client CPU`);
}
console.log(`pushJobs reaches ${((100 * pushJobsResult.jobsPerSecond) / raw.jobsPerSecond).toFixed(0)}% of raw PUSHB over ${RAW_SOCKETS} sockets`);
}

if (process.argv.includes('--server')) await serve();
else await main();
