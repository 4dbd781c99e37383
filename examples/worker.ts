/**
 * A worker: typed handlers (sync, Promise and Observable), middleware, and graceful shutdown
 * with `runWorker` (SIGTERM/Ctrl-C finish running jobs, then exit; SIGTSTP goes quiet).
 *
 *   npx tsx examples/worker.ts                  runs until Ctrl-C
 *   npx tsx examples/worker.ts --stop-after 4   stops by itself after 4 jobs (used by the tests)
 *
 * In your code, import from 'faktory-rx' instead of '../src/index.js'.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { concat, concatMap, defer, finalize, from, lastValueFrom, tap, timer } from 'rxjs';
import { createClient, createWorker, job, runWorker, type JobHandlers, type Middleware } from '../src/index.js';
import { useFaktory } from './support/local-faktory.js';

type Jobs = {
  SendWelcomeEmail: [userId: number, email: string];
  ResizeAvatar: [userId: number, sizes: number[]];
};

const { values } = parseArgs({ options: { 'stop-after': { type: 'string' } } });
const stopAfter = values['stop-after'] === undefined ? undefined : Number(values['stop-after']);

const faktory = await useFaktory();

// Something to do: in production a producer pushes these (see producer.ts).
const producer = createClient<Jobs>({ url: faktory.url });
await lastValueFrom(
  concat(
    producer.pushBulk([
      job('SendWelcomeEmail', 1, 'ada@example.com').queue('examples-mail'),
      job('SendWelcomeEmail', 2, 'grace@example.com').queue('examples-mail'),
      job('ResizeAvatar', 1, [64, 128]).queue('examples'),
      job('ResizeAvatar', 2, [64, 128, 256]).queue('examples'),
    ]),
    producer.close(),
  ),
  { defaultValue: undefined },
);

// Handlers by jobtype, typed by the job map. Returning (or resolving, or completing) ACKs the job;
// throwing (or rejecting, or erroring) FAILs it, and Faktory retries it later.
const handlers: JobHandlers<Jobs> = {
  // A Promise. `signal` aborts on the job's timeout or a forced shutdown: pass it on.
  SendWelcomeEmail: async ([userId, email], { signal }) => {
    await delay(20, undefined, { signal });
    console.log(`  sent the welcome email to user ${userId} <${email}>`);
  },
  // An Observable: the job succeeds when it completes, and is unsubscribed if aborted.
  ResizeAvatar: ([userId, sizes]) =>
    from(sizes).pipe(
      concatMap((size) =>
        timer(5).pipe(
          tap(() => {
            console.log(`  resized avatar of user ${userId} to ${size}px`);
          }),
        ),
      ),
    ),
};

// Middleware wraps every job, Observable in, Observable out (an async function fits too).
const timing: Middleware<Jobs> = (next$, ctx) =>
  defer(() => {
    const t0 = performance.now();
    return next$.pipe(
      finalize(() => {
        console.log(`${ctx.jobtype} ${ctx.jid} from ${ctx.queue}: ${(performance.now() - t0).toFixed(1)} ms`);
      }),
    );
  });

// Only for running unattended (the examples test): stop gracefully after N jobs.
let finished = 0;
const stopWhenDone: Middleware<Jobs> = (next$) =>
  next$.pipe(
    finalize(() => {
      finished++;
      // stop() starts the graceful stop at once; its Observable only tells when it is done.
      if (finished === stopAfter) void worker.stop();
    }),
  );

const worker = createWorker<Jobs>({
  connection: { url: faktory.url },
  queues: ['examples-mail', 'examples'], // strict priority: mail first
  concurrency: 10,
  shutdownTimeoutMs: 10_000, // SIGTERM waits this long for running jobs, then FAILs them
  middleware: stopAfter === undefined ? [timing] : [timing, stopWhenDone],
  handlers,
});

// runWorker subscribes, wires SIGTERM/SIGINT (stop), SIGTSTP (quiet), SIGTTIN (list jobs), logs the
// lifecycle to stderr, and resolves with the exit code once the worker has stopped.
const code = await runWorker(worker);
await faktory.close();
console.log(`worker stopped after ${finished} jobs (exit code ${code})`);
process.exitCode = code;
