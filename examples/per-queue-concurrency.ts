/**
 * A worker variant built from the same operators as `createWorker`: one lane per queue, each
 * with its own concurrency limit (image resizing at most 2 at once, mail at most 5), sharing
 * one client. Each lane is demand -> fetchOnDemand -> runJobs -> settleJobs, its settled jobs
 * feeding its demand: a lane fetches only when one of its own slots is free, so no job of a
 * full lane waits in a buffer while its reservation runs.
 *
 *   npx tsx examples/per-queue-concurrency.ts
 *
 * In your code, import from 'faktory-rx' instead of '../src/index.js'.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { type Observable, Subject, asyncScheduler, defer, filter, lastValueFrom, merge, takeUntil, tap } from 'rxjs';
import {
  type DemandFeedback, type JobHandlers, type WorkerEvent, createClient, fetchOnDemand, job, jobDemand, runJobs, settleJobs,
} from '../src/index.js';
import { useFaktory } from './support/local-faktory.js';

type Jobs = {
  ResizeImage: [imageId: number];
  SendMail: [to: string];
};

const faktory = await useFaktory();
const wid = `lanes-${process.pid}`;
// One client for both lanes: a FETCH socket per lane (one FETCH outstanding on each) and one for ACK/FAIL.
const client = createClient<Jobs>({ url: faktory.url, worker: { wid }, size: 3 });

const images = Array.from({ length: 6 }, (_, i) => job('ResizeImage', i).queue('examples-images'));
const mails = Array.from({ length: 10 }, (_, i) => job('SendMail', `user${i}@example.com`).queue('examples-mail'));
await lastValueFrom(client.pushBulk([...images, ...mails]), { defaultValue: undefined });

const stop$ = new Subject<void>();
const peaks = new Map<string, { running: number; peak: number; done: number }>();

/** One lane: the jobs of `queue`, at most `concurrency` at once. */
function lane(queue: string, concurrency: number, handlers: JobHandlers<Jobs>): Observable<WorkerEvent | { type: string }> {
  return defer(() => {
    const feedback$ = new Subject<DemandFeedback>();
    // Demand stops with stop$: no more FETCHes; the lane then drains and completes.
    const demand$ = feedback$.pipe(jobDemand(concurrency, 1), takeUntil(stop$));
    return demand$.pipe(
      fetchOnDemand(client, { queues: () => [queue], maxOutstanding: 1, retryDelayMs: () => 500, scheduler: asyncScheduler }),
      runJobs({ handlers, concurrency, jobTimeoutMs: () => 60_000, scheduler: asyncScheduler, client, wid }),
      settleJobs(client, { retryDelayMs: (attempt) => Math.min(100 * 2 ** attempt, 1_000), scheduler: asyncScheduler }),
      tap((event) => {
        feedback$.next(event);
      }),
    );
  });
}

/** Wraps a handler to count how many of its queue's jobs run at once. */
function counted<A extends readonly unknown[]>(queue: string, run: (args: A) => Promise<void>): (args: A) => Promise<void> {
  const stats = { running: 0, peak: 0, done: 0 };
  peaks.set(queue, stats);
  return async (args) => {
    stats.running++;
    stats.peak = Math.max(stats.peak, stats.running);
    try {
      await run(args);
    } finally {
      stats.running--;
      stats.done++;
    }
  };
}

const events$ = merge(
  lane('examples-images', 2, { ResizeImage: counted('examples-images', () => delay(30)) }),
  lane('examples-mail', 5, { SendMail: counted('examples-mail', () => delay(10)) }),
);
let succeeded = 0;
// Once every job was ACKed, stop both lanes: they complete after the FETCHes already sent came
// back (a FETCH sent is never abandoned: its job would stay reserved for nobody).
await lastValueFrom(
  events$.pipe(
    filter((event) => event.type === 'succeeded'),
    tap(() => {
      if (++succeeded === images.length + mails.length) stop$.next();
    }),
  ),
  { defaultValue: undefined },
);
for (const [queue, stats] of peaks) console.log(`${queue}: ${stats.done} jobs, at most ${stats.peak} at once`);
await lastValueFrom(client.close(), { defaultValue: undefined });
await faktory.close();
