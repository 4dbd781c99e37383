/**
 * `npm start`: the faktory-rx demo.
 *
 * Uses the Faktory at `--url` or `$FAKTORY_URL`; when neither is set, it starts the in-memory
 * server of `faktory-rx/testing` in this process. Then it pushes a realistic mix of jobs with the
 * `pushJobs` operator (most immediate, some scheduled a few seconds ahead, 0.5% failing on their
 * first attempt), runs a worker, brings failed jobs back from the retries set at once with
 * `MUTATE` (Faktory's own retry backoff is 15 s or more), shows live progress and prints a
 * summary. The client and the worker are used the same way whatever the server is.
 *
 *   npm start                      20,000 jobs against an in-memory server
 *   npm start -- --jobs 2000 -c 20
 *   FAKTORY_URL=tcp://localhost:7419 npm start     (a real Faktory, e.g. the Docker image)
 */
import {
  bufferTime,
  catchError,
  concatMap,
  EMPTY,
  endWith,
  filter,
  ignoreElements,
  interval,
  lastValueFrom,
  map,
  merge,
  range,
  share,
  take,
  tap,
  timeout,
  type Subscription,
} from 'rxjs';
import {
  createClient,
  createWorker,
  isWorkerEvent,
  pushJobs,
  resolveConfig,
  type Middleware,
  type WorkerEvent,
} from '../src/index.js';
import { startServer, type FaktoryServer } from '../src/testing/index.js';
import { demoHandlers, demoJob, isFlaky, isScheduled, type DemoJobs } from './demo/jobs.js';
import { LatencySample } from './demo/latency.js';
import { HELP, parseDemoOptions, type DemoOptions } from './demo/options.js';
import { DemoCounters, progressLine } from './demo/progress.js';
import { formatCount, formatMs, renderTable } from './demo/table.js';

/** No ACK for this long means something is wrong (scheduled jobs arrive within ~10 s). */
const STALL_MS = 30_000;

const say = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

async function main(argv: readonly string[]): Promise<number> {
  let options: DemoOptions | 'help';
  try {
    options = parseDemoOptions(argv, process.env);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${HELP}`);
    return 2;
  }
  if (options === 'help') {
    process.stdout.write(HELP);
    return 0;
  }

  let server: FaktoryServer | undefined;
  if (options.url === undefined) {
    server = await startServer();
    say(`FAKTORY_URL is not set: started faktory-rx's in-memory Faktory server in this process at ${server.url}`);
    say('(a test and development server, not a production Faktory; set FAKTORY_URL or --url to use a real one)');
  }
  const url = options.url ?? (server as FaktoryServer).url;
  try {
    return await run(options, url, server);
  } finally {
    await server?.close();
  }
}

async function run(options: DemoOptions, url: string, server: FaktoryServer | undefined): Promise<number> {
  const total = options.jobs;
  const tty = process.stdout.isTTY;
  const queue = `demo-${process.pid}-${Date.now().toString(36)}`;
  // Check the server once, without reconnecting (the clients below retry a lost server forever).
  const probe = createClient({ url, reconnect: false });
  try {
    const info = await lastValueFrom(probe.info(), { defaultValue: undefined });
    say(`Connected to ${info?.server.description ?? 'Faktory'} ${info?.server.faktory_version ?? ''} at ${resolveConfig({ url }).redactedUrl}`);
  } catch (error) {
    process.stderr.write(`Cannot use the Faktory at ${resolveConfig({ url }).redactedUrl}: ${error instanceof Error ? error.message : String(error)}\n`);
    process.stderr.write('(see "Troubleshooting" in README.md)\n');
    return 1;
  } finally {
    probe.destroy();
  }
  const client = createClient<DemoJobs>({ url });

  let scheduled = 0;
  let flaky = 0;
  for (let i = 0; i < total; i++) {
    if (isScheduled(i)) scheduled++;
    if (isFlaky(i)) flaky++;
  }
  say(`Pushing ${formatCount(total)} jobs to queue ${queue} (${formatCount(scheduled)} scheduled 1-3 s ahead, ${flaky} that fail once)`);
  say(`and working them at concurrency ${options.concurrency}. Ctrl-C stops gracefully.\n`);

  const counters = new DemoCounters();
  const runTimes = new LatencySample();
  const queueTimes = new LatencySample();
  const enqueuedAt = new Map<string, number>();
  let pushComplete = false;
  let pushEndMs = 0;
  let lastAckMs = 0;
  let fetchers = 0;
  let fetchDepth = 0;
  // Set from callbacks; an object so the type checker does not narrow them to their initial values.
  const outcome = { stalled: false, interrupts: 0 };

  // Worker middleware: remember when the server enqueued each job, to measure enqueue -> ACK.
  const recordEnqueue: Middleware<DemoJobs> = (next$, ctx) => {
    const at = Date.parse(ctx.job.enqueued_at ?? '');
    if (!Number.isNaN(at)) enqueuedAt.set(ctx.jid, at);
    return next$;
  };
  const worker = createWorker<DemoJobs>({
    connection: { url },
    queues: [queue],
    concurrency: options.concurrency,
    handlers: demoHandlers,
    middleware: [recordEnqueue],
    shutdownTimeoutMs: 5_000,
  });

  const count = (event: WorkerEvent): void => {
    switch (event.type) {
      case 'started':
        fetchers = event.fetchers;
        fetchDepth = event.fetchDepth;
        break;
      case 'fetched':
        counters.fetched++;
        break;
      case 'succeeded': {
        counters.acked++;
        lastAckMs = performance.now();
        runTimes.add(event.durationMs);
        const at = enqueuedAt.get(event.jid);
        if (at !== undefined) queueTimes.add(Date.now() - at);
        enqueuedAt.delete(event.jid);
        break;
      }
      case 'failed':
        counters.failed++;
        enqueuedAt.delete(event.jid);
        break;
      case 'deliveryLost':
        enqueuedAt.delete(event.jid);
        break;
      case 'undelivered':
      case 'ackRetried':
      case 'failRetried':
      case 'fetchRetried':
      case 'stateChanged':
      case 'heartbeat':
      case 'heartbeatFailed':
      case 'reregistered':
      case 'stallWarning':
      case 'connectionLost':
      case 'connectionFailed':
      case 'connectionRestored':
      case 'stopped':
        break;
    }
  };
  const events$ = worker.pipe(tap(count), share());

  const t0 = performance.now();
  // The producer: a stream of jobs through pushJobs (PUSHB batches of up to 1,000, 4 in flight).
  const pushed$ = range(0, total).pipe(
    map((i) => demoJob(i, queue)),
    pushJobs(client, { maxBatch: 1_000, windowMs: 10, concurrency: 4 }),
    tap({
      next: (result) => {
        if (result.status === 'pushed') counters.pushed++;
        else counters.pushFailed++;
      },
      complete: () => {
        pushComplete = true;
        pushEndMs = performance.now();
      },
    }),
    ignoreElements(),
    endWith(undefined),
  );
  // Done when every pushed job was ACKed: stop the worker gracefully. A graceful stop waits for
  // the FETCHes already sent, which the server holds up to 2 s each once the queues are empty.
  let stopStartMs = 0;
  const finished$ = merge(pushed$, events$.pipe(filter(isWorkerEvent('succeeded')))).pipe(
    filter(() => pushComplete && counters.acked >= counters.pushed),
    take(1),
    tap(() => {
      stopStartMs = performance.now();
      progress.unsubscribe();
      draw(true);
      say(`every job ACKed; stopping the worker (its FETCHes on empty queues take up to ${2 * fetchDepth} s to come back)`);
    }),
    concatMap(() => worker.stop()),
  );
  // Failed jobs wait >= 15 s in the retries set; requeue them now (MUTATE, a Faktory feature).
  const requeued$ = events$.pipe(
    filter(isWorkerEvent('failed')),
    filter((event) => event.reason === 'error'),
    map((event) => event.jid),
    bufferTime(200, null, 100),
    filter((jids) => jids.length > 0),
    concatMap((jids) =>
      client
        .mutate('retries')
        .jids(...jids)
        .requeue()
        .pipe(
          tap(() => (counters.requeued += jids.length)),
          catchError((error: unknown) => {
            process.stderr.write(`\nrequeue failed: ${String(error)}\n`);
            return EMPTY;
          }),
        ),
    ),
  );
  // A watchdog: no ACK for STALL_MS stops the demo with exit code 1.
  const watchdog$ = events$.pipe(
    filter(isWorkerEvent('succeeded')),
    timeout({
      each: STALL_MS,
      with: () => {
        outcome.stalled = true;
        return worker.stop();
      },
    }),
  );

  const draw = (final: boolean): void => {
    const now = performance.now();
    const line = progressLine(counters, total, counters.rate(now), now - t0, tty);
    if (tty) process.stdout.write(`\r${line}\x1b[K${final ? '\n' : ''}`);
    else say(line);
  };
  // Redraw the bar 10 times a second on a terminal; otherwise print a line every second.
  const progress: Subscription = interval(100).subscribe((tick) => {
    if (server !== undefined) counters.peakSockets = Math.max(counters.peakSockets, server.stats().connections);
    if (tty || tick % 10 === 9) draw(false);
  });
  let clientPeak = 0;
  const clientSockets = client.events$.subscribe((event) => {
    if (event.type === 'connected') clientPeak = Math.max(clientPeak, event.connections);
  });
  const onSigint = (): void => {
    outcome.interrupts++;
    process.stderr.write(outcome.interrupts === 1 ? '\nCtrl-C: stopping gracefully (again to force)\n' : '\nCtrl-C: forcing stop\n');
    worker.stop({ force: outcome.interrupts > 1 }).subscribe();
  };
  process.on('SIGINT', onSigint);

  try {
    await lastValueFrom(merge(events$, finished$, requeued$, watchdog$).pipe(ignoreElements()), { defaultValue: undefined });
  } finally {
    process.off('SIGINT', onSigint);
    progress.unsubscribe();
    if (stopStartMs === 0) draw(true);
    clientSockets.unsubscribe();
    await lastValueFrom(client.close(), { defaultValue: undefined });
  }

  const wallMs = (lastAckMs || performance.now()) - t0;
  const pushMs = (pushEndMs || performance.now()) - t0;
  const fmt = (sample: LatencySample): string => {
    const ps = sample.percentiles(50, 95, 99);
    return ps === undefined ? 'n/a' : ps.map(formatMs).join(' / ');
  };
  const stats = server?.stats();
  const sockets =
    stats === undefined
      ? `client pool ${clientPeak} + worker ${fetchers + 2} (${fetchers} FETCH, 1 ACK/FAIL, 1 BEAT)`
      : `${Math.max(counters.peakSockets, stats.connections)} open at peak, ${stats.totalConnections} opened in all (server stats)`;
  say('');
  say(
    renderTable(outcome.interrupts > 0 ? 'faktory-rx demo (interrupted)' : 'faktory-rx demo', [
      ['server', server === undefined ? resolveConfig({ url }).redactedUrl : 'in-memory (faktory-rx/testing), in this process'],
      ['jobs', `${formatCount(total)} (${formatCount(scheduled)} scheduled, ${flaky} fail once)`],
      ['pushed (pushJobs)', `${formatCount(counters.pushed)} in ${formatMs(pushMs)} = ${formatCount((counters.pushed * 1_000) / pushMs)} jobs/s${counters.pushFailed > 0 ? `, ${counters.pushFailed} not pushed` : ''}`],
      ['processed (ACKed)', `${formatCount(counters.acked)} in ${formatMs(wallMs)} wall time`],
      ['throughput', `${formatCount((counters.acked * 1_000) / wallMs)} jobs/s (scheduled jobs' wait included)`],
      ['concurrency', `${options.concurrency} (${fetchers} FETCH sockets)`],
      ['enqueue -> ACK p50/p95/p99', fmt(queueTimes)],
      ['handler run p50/p95/p99', fmt(runTimes)],
      ['sockets', sockets],
      ['graceful stop', stopStartMs === 0 ? 'n/a' : `${formatMs(performance.now() - stopStartMs)} (outstanding FETCHes answered, clients closed)`],
      ['failures', `${counters.failed} FAILed (GatewayTimeout on first attempt)`],
      ['retries', `${counters.requeued} requeued from the retries set with MUTATE`],
    ]),
  );
  say('enqueue -> ACK: from the server\'s enqueued_at to the accepted ACK, so it includes the time a');
  say('job waited in the queue behind the backlog (all jobs are pushed at once); handler run: the');
  say('handler alone.');
  if (outcome.stalled) {
    process.stderr.write(`No job was ACKed for ${STALL_MS / 1_000} s: stopped. See "Troubleshooting" in README.md.\n`);
    return 1;
  }
  return outcome.interrupts > 0 ? 130 : 0;
}

process.exitCode = await main(process.argv.slice(2));
