import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Observable, defer, finalize, lastValueFrom, map, of, tap, toArray } from 'rxjs';
import { InvalidArgumentError } from '../../src/errors.js';
import { createScriptedClient, type ScriptedClient } from '../../src/testing/marbles/index.js';
import { type JobContext, type Middleware, UnknownJobTypeError, WORKER_DEFAULTS, createWorker } from '../../src/worker/index.js';
import { WORKER_RECONNECT } from '../../src/worker/default-clients.js';
import { retriesRemaining } from '../../src/worker/job-context.js';
import type { AnyJobs } from '../../src/streams/types.js';
import { queueOrder } from '../../src/worker/queue-order.js';
import { resolveWorkerOptions } from '../../src/worker/worker-options.js';
import { stallWarnings } from '../../src/worker/stall-monitor.js';
import { makeJob, ofType, record, testScheduler } from './helpers.js';

const base = { stallWarningMs: false as const, beatIntervalMs: 100_000 };

describe('worker job execution', () => {
  it('aborts a job that outlives jobTimeoutMs and FAILs it with errtype JobTimeout', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectSubscriptions }) => {
      const slow = cold<never>('-');
      let signal: AbortSignal | undefined;
      const client = createScriptedClient({ scheduler, jobs: [makeJob('job-0001')] });
      const worker = createWorker({
        ...base, concurrency: 1, client, scheduler, jobTimeoutMs: 500,
        handlers: { Echo: (_args, ctx) => { signal = ctx.signal; return slow; } },
      });
      const { events } = record(scheduler, worker);
      scheduler.schedule(() => worker.stop().subscribe(), 600);
      expectSubscriptions(slow.subscriptions).toBe('-^ 499ms !');
      scheduler.flush();
      assert.deepEqual(client.callsOf('FAIL').map((c) => [c.at, (c.error as Error).name]), [[501, 'JobTimeout']]);
      assert.deepEqual(ofType(events, 'failed').map(([, e]) => e.reason), ['timeout']);
      assert.equal(signal?.aborted, true);
    });
  });

  it('defaults the job timeout to reserve_for minus a 10 s margin', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold }) => {
      const client = createScriptedClient({ scheduler, jobs: [makeJob('job-0001', 'Echo', { reserve_for: 60 })] });
      const worker = createWorker({ ...base, concurrency: 1, client, scheduler, handlers: { Echo: () => cold('-') } });
      record(scheduler, worker);
      scheduler.schedule(() => worker.stop().subscribe(), 51_000);
      scheduler.flush();
      assert.deepEqual(client.callsOf('FAIL').map((c) => [c.at, (c.error as Error).name]), [[50_001, 'JobTimeout']]);
    });
  });

  it('FAILs a job whose jobtype has no handler with errtype UnknownJobType', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const client = createScriptedClient({ scheduler, jobs: [makeJob('job-0001', 'Nope')] });
      const worker = createWorker({ ...base, concurrency: 1, client, scheduler, handlers: { Echo: () => 1 } });
      const { events } = record(scheduler, worker);
      scheduler.schedule(() => worker.stop().subscribe(), 10);
      scheduler.flush();
      const error = client.callsOf('FAIL')[0]?.error as Error;
      assert.equal(error.name, 'UnknownJobType');
      assert.match(error.message, /Nope/);
      assert.deepEqual(ofType(events, 'failed').map(([, e]) => e.reason), ['unknownJobType']);
    });
  });

  it('passes a non-Error throw to FAIL as thrown (the client wraps it) and a sync Error with its name', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const client = createScriptedClient({ scheduler, jobs: [makeJob('job-0001', 'Str'), makeJob('job-0002', 'Type')] });
      const worker = createWorker({
        ...base, concurrency: 1, client, scheduler,
        handlers: { Str: () => { throw 'plain string'; }, Type: () => { throw new TypeError('wrong'); } }, // eslint-disable-line @typescript-eslint/only-throw-error -- the case under test
      });
      record(scheduler, worker);
      scheduler.schedule(() => worker.stop().subscribe(), 20);
      scheduler.flush();
      const errors = client.callsOf('FAIL').map((c) => c.error);
      assert.equal(errors[0], 'plain string');
      assert.equal((errors[1] as Error).name, 'TypeError');
    });
  });

  it('hands handlers the args and a context with job, custom, failure, retries remaining and the client', () => {
    const scheduler = testScheduler();
    const seen: [readonly unknown[], JobContext<AnyJobs, ScriptedClient>][] = [];
    scheduler.run(() => {
      const failure = { retry_count: 2, failed_at: '2024-01-01T00:00:00Z' };
      const client = createScriptedClient({ scheduler, jobs: [makeJob('job-0001', 'Echo', { args: [1, 'x'], retry: 5, failure, custom: { t: 'a' }, queue: 'q1' })] });
      const worker = createWorker({ ...base, concurrency: 1, client, scheduler, wid: 'wid-1', handlers: { Echo: (args, ctx) => { seen.push([args, ctx]); } } });
      record(scheduler, worker);
      scheduler.schedule(() => worker.stop().subscribe(), 10);
      scheduler.flush();
      const [args, ctx] = seen[0]!;
      assert.deepEqual(args, [1, 'x']);
      assert.equal(ctx.jid, 'job-0001');
      assert.equal(ctx.queue, 'q1');
      assert.deepEqual(ctx.custom, { t: 'a' });
      assert.equal(ctx.failure?.retry_count, 2);
      assert.equal(ctx.retriesRemaining, 2);
      assert.equal(ctx.client, client);
      assert.equal(ctx.wid, 'wid-1');
    });
  });

  it('runs middleware in order, first outermost, Observable and async styles alike', async () => {
    const trace: string[] = [];
    const rx: Middleware = (next$: Observable<unknown>) =>
      defer(() => {
        trace.push('rx:before');
        return next$.pipe(finalize(() => trace.push('rx:after')));
      });
    const asyncMw: Middleware = async (next$, ctx) => {
      trace.push('async:before');
      ctx.locals.db = 'conn';
      const value = await lastValueFrom(next$, { defaultValue: undefined });
      trace.push('async:after');
      return value;
    };
    const client = createScriptedClient({ jobs: [makeJob('job-0001')], replyDelayMs: 0 });
    const worker = createWorker({
      ...base, concurrency: 1, client, middleware: [rx, asyncMw],
      handlers: { Echo: (_args, ctx) => { trace.push(`handler:${String(ctx.locals.db)}`); return of(1); } },
    });
    const events = await lastValueFrom(
      worker.pipe(
        tap((e) => {
          if (e.type === 'succeeded') void worker.stop();
        }),
        map((e) => e.type),
        toArray(),
      ),
      { defaultValue: [] as string[] },
    );
    assert.deepEqual(trace, ['rx:before', 'async:before', 'handler:conn', 'async:after', 'rx:after']);
    assert.ok(events.includes('succeeded'));
    assert.equal(client.callsOf('ACK').length, 1);
  });
});

describe('worker fetching', () => {
  it('fetches only for free slots: outstanding FETCHes plus running jobs never exceed concurrency, FETCHes never exceed fetchers x fetchDepth', () => {
    const scheduler = testScheduler();
    const samples: number[] = [];
    scheduler.run(({ cold }) => {
      const jobs = Array.from({ length: 30 }, (_, i) => makeJob(`job-${String(i).padStart(4, '0')}`));
      let next = 0;
      // eslint-disable-next-line prefer-const -- assigned after the client that reads it is made
      let worker: ReturnType<typeof createWorker> | undefined;
      const client = createScriptedClient({
        scheduler,
        fetch: () => {
          samples.push(client.outstanding('FETCH') + (worker?.inFlight().length ?? 0));
          const job = jobs[next++];
          return job === undefined ? cold('100ms a|', { a: null }) : cold('3ms a|', { a: job });
        },
      });
      worker = createWorker({ ...base, concurrency: 3, fetchers: 2, fetchDepth: 1, client, scheduler, handlers: { Echo: () => cold('50ms a|', { a: 1 }) } });
      const { events } = record(scheduler, worker);
      scheduler.schedule(() => worker.stop().subscribe(), 1_000);
      scheduler.flush();
      assert.equal(ofType(events, 'succeeded').length, 30);
      assert.ok(Math.max(...samples) <= 3, `peak ${Math.max(...samples)}`);
      assert.equal(Math.max(...samples), 3);
      assert.equal(client.peakOutstanding('FETCH'), 2);
    });
  });

  it('orders queues strictly, by weight per FETCH, or by a function', () => {
    assert.deepEqual(queueOrder(['a', 'b'], Math.random)(), ['a', 'b']);
    const draws = [0.1, 0.0, 0.9, 0.0];
    let i = 0;
    const weighted = queueOrder({ a: 3, b: 1 }, () => draws[i++ % draws.length]!);
    assert.deepEqual(weighted(), ['a', 'b']); // 0.1 * 4 = 0.4 < 3
    assert.deepEqual(weighted(), ['b', 'a']); // 0.9 * 4 = 3.6 >= 3
    assert.deepEqual(queueOrder(() => ['z'], Math.random)(), ['z']);
    const counts = { a: 0, b: 0 };
    const fair = queueOrder({ a: 3, b: 1 }, Math.random);
    for (let n = 0; n < 4_000; n++) counts[fair()[0] as 'a' | 'b']++;
    assert.ok(counts.a > 2_700 && counts.a < 3_300, JSON.stringify(counts));
  });

  it('sends the queue order in each FETCH', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const client = createScriptedClient({ scheduler, emptyFetchMs: 10 });
      const worker = createWorker({ ...base, concurrency: 1, client, scheduler, queues: ['critical', 'default'], handlers: { Echo: () => 1 } });
      record(scheduler, worker);
      scheduler.schedule(() => worker.stop().subscribe(), 5);
      scheduler.flush();
      assert.deepEqual(client.callsOf('FETCH').map((c) => c.queues), [['critical', 'default']]);
    });
  });
});

describe('worker options', () => {
  const client = createScriptedClient();
  const cases: [string, Record<string, unknown>][] = [
    ['concurrency', { concurrency: 0 }],
    ['concurrency', { concurrency: 1.5 }],
    ['fetchers', { concurrency: 2, fetchers: 3 }],
    ['fetchDepth', { fetchDepth: 0 }],
    ['queues', { queues: [] }],
    ['queues', { queues: ['bad queue'] }],
    ['queues', { queues: { a: 0 } }],
    ['beatIntervalMs', { beatIntervalMs: -1 }],
    ['shutdownTimeoutMs', { shutdownTimeoutMs: Number.NaN }],
    ['jobTimeoutMs', { jobTimeoutMs: 0 }],
    ['handlers', { handlers: { A: 'nope' } }],
    ['middleware', { middleware: [1] }],
    ['wid', { wid: '' }],
    ['stallWarningMs', { stallWarningMs: 0 }],
    ['deliveryGraceMs', { deliveryGraceMs: -1 }],
    ['handlers', { handlers: {} }],
  ];
  for (const [argument, bad] of cases) {
    it(`rejects ${JSON.stringify(bad)} with InvalidArgumentError naming ${argument}`, () => {
      assert.throws(
        () => createWorker({ client, handlers: { Echo: () => 1 }, ...bad } as never),
        (error: unknown) => error instanceof InvalidArgumentError && error.argument === argument,
      );
    });
  }

  it('keeps one FETCH outstanding per FETCH socket unless fetchDepth opts into pipelining', () => {
    assert.equal(resolveWorkerOptions({ handlers: { Echo: () => 1 } }).fetchDepth, 1);
    assert.equal(resolveWorkerOptions({ client, handlers: { Echo: () => 1 }, fetchDepth: 3 }).fetchDepth, 3);
  });

  it('keeps a concurrency of 1 and fetchers of 1 (defaults apply only to absent options)', () => {
    assert.doesNotThrow(() => createWorker({ client, handlers: { Echo: () => 1 }, concurrency: 1 }));
  });
});

describe('stall warnings', () => {
  it('warns when a check tick arrives late by at least the threshold', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      let jump = 0;
      const clock = { now: () => scheduler.now() + jump, schedule: scheduler.schedule.bind(scheduler) };
      scheduler.schedule(() => { jump = 12_000; }, 2_500);
      expectObservable(stallWarnings(1_000, 10_000, clock).pipe(map((e) => e.blockedMs)), '5s !').toBe('3s a', { a: 12_000 });
    });
  });
});

describe('worker small items', () => {
  it('counts retries remaining after this run: a retry(1) job sees 1 on its first run and 0 on its retry', () => {
    assert.equal(retriesRemaining({ retry: 1 }), 1);
    assert.equal(retriesRemaining({ retry: 1, failure: { retry_count: 0, remaining: 1, failed_at: 'x' } }), 0);
    assert.equal(retriesRemaining({ retry: 5, failure: { retry_count: 2, failed_at: 'x' } }), 2);
    assert.equal(retriesRemaining({}), 25);
    assert.equal(retriesRemaining({ retry: -1 }), 0);
  });

  it('names the unknown jobtype and the jobtypes the worker handles', () => {
    const error = new UnknownJobTypeError('job-1', 'Nope', ['Echo', 'Resize']);
    assert.equal(error.message, "no handler is registered for jobtype 'Nope' (this worker handles 'Echo', 'Resize')");
    assert.match(error.stack ?? '', /^UnknownJobType: no handler is registered for jobtype 'Nope'/);
    assert.equal(error.field, 'jobtype');
  });

  it('reports a 1.5 s event-loop block as about 1.5 s with the default check interval', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      let jump = 0;
      const clock = { now: () => scheduler.now() + jump, schedule: scheduler.schedule.bind(scheduler) };
      scheduler.schedule(() => { jump = 1_500; }, 1_001); // blocked right after the tick at 1_000
      const blocked$ = stallWarnings(WORKER_DEFAULTS.stallCheckIntervalMs, 1_000, clock).pipe(map((e) => e.blockedMs));
      expectObservable(blocked$, '2s !').toBe('1100ms a', { a: 1_500 });
    });
  });

  it('reconnects a default client within a second of each failed attempt', () => {
    const delays = Array.from({ length: 40 }, (_, i) => WORKER_RECONNECT(i + 1));
    assert.ok(delays.every((d) => typeof d === 'number' && d >= 50 && d <= 1_000), JSON.stringify(delays));
  });
});
