import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EMPTY, NEVER, asyncScheduler, lastValueFrom, map, of, throwError, toArray } from 'rxjs';
import { ConnectionError } from '../../src/errors.js';
import { createScriptedClient } from '../../src/testing/marbles/index.js';
import {
  type JobFetchedEvent, type JobHandledEvent, type Middleware, type WorkerEvent, fetchOnDemand, jobDemand, runJobs, settleJobs,
} from '../../src/worker/index.js';
import { makeJob, testScheduler } from './helpers.js';

const lost = new ConnectionError('socket closed');

function fetched(jid: string, atMs = 0, extra: Parameters<typeof makeJob>[2] = {}): JobFetchedEvent {
  const job = makeJob(jid, 'Echo', extra);
  return { type: 'fetched', jid, jobtype: job.jobtype, queue: 'default', job, atMs };
}

function handled(jid: string, ok: boolean, fetchedAtMs = 0): JobHandledEvent {
  const job = makeJob(jid);
  return {
    type: 'handled', jid, jobtype: job.jobtype, job, fetchedAtMs, durationMs: 1,
    outcome: ok ? { ok: true } : { ok: false, error: new Error('boom'), reason: 'error' },
  };
}

/** A short code per event, for marbles. */
function code(event: { readonly type: string; readonly jid?: string }): string {
  return `${event.type}:${event.jid ?? ''}`;
}

describe('jobDemand', () => {
  /** The frames at which `jobDemand` asked for a job. */
  function demandFrames(marbles: string, values: Record<string, { type: string }>, concurrency: number, allowance: number): number[] {
    const scheduler = testScheduler();
    const frames: number[] = [];
    scheduler.run(({ hot }) => {
      hot(marbles, values).pipe(jobDemand(concurrency, allowance)).subscribe(() => frames.push(scheduler.now()));
    });
    return frames;
  }

  it('asks for concurrency jobs at once, then one per released slot', () => {
    assert.deepEqual(demandFrames('--r--r', { r: { type: 'released' } }, 3, 3), [0, 0, 0, 2, 5]);
  });

  it('keeps a slot taken while more ACK/FAILs are pending than the allowance, and frees it when one is delivered', () => {
    // Two jobs handled (two deliveries pending, allowance 1) and released: only one slot frees
    // (at 4); the other when a delivery ends (at 7).
    assert.deepEqual(demandFrames('-hhrr--s', { h: { type: 'handled' }, r: { type: 'released' }, s: { type: 'succeeded' } }, 2, 1), [0, 0, 4, 7]);
  });
});

describe('fetchOnDemand', () => {
  it('sends one FETCH per demand, never more outstanding than maxOutstanding, and repeats an empty one until it brings a job', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, hot, expectObservable }) => {
      const client = createScriptedClient({
        scheduler,
        fetch: (i) => cold('10ms a|', { a: i === 1 ? null : makeJob(`job-000${i}`) }),
      });
      const demand$ = hot('d-dd 100ms |');
      const events$ = demand$.pipe(
        fetchOnDemand(client, { queues: () => ['default'], maxOutstanding: 2, retryDelayMs: () => 100, scheduler }),
        map(code),
      );
      // FETCH 0 (at 0) brings job 0 at 10; FETCH 1 (at 2) is empty at 12 and repeats when it
      // completes, as FETCH 3 (at 13), which brings job 3 at 23; the third demand waits for a
      // free FETCH: FETCH 2 at 10, job 2 at 20.
      expectObservable(events$).toBe('10ms a 9ms b 2ms c 80ms |', { a: 'fetched:job-0000', b: 'fetched:job-0002', c: 'fetched:job-0003' });
      scheduler.flush();
      assert.deepEqual(client.callsOf('FETCH').map((c) => c.at), [0, 2, 10, 13]);
      assert.equal(client.peakOutstanding('FETCH'), 2);
    });
  });

  it('reads the FETCHes outstanding when the demand completes, emits their jobs, and sends no more', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const reply = cold('50ms a|', { a: makeJob('job-late') });
      const client = createScriptedClient({ scheduler, fetch: () => reply });
      const demand$ = hot('dd-|');
      const events$ = demand$.pipe(fetchOnDemand(client, { queues: () => ['q'], maxOutstanding: 1, retryDelayMs: () => 100, scheduler }), map(code));
      // The second demand was never served: dropped at completion. The outstanding FETCH is not cancelled.
      expectObservable(events$).toBe('50ms (a|)', { a: 'fetched:job-late' });
      expectSubscriptions(reply.subscriptions).toBe('^ 49ms !');
      scheduler.flush();
      assert.equal(client.callsOf('FETCH').length, 1);
    });
  });

  it('retries a failed FETCH after retryDelayMs, emitting fetchRetried, and abandons outstanding FETCHes only when abandon$ emits', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, hot, expectObservable }) => {
      const client = createScriptedClient({ scheduler, fetch: (i) => (i === 0 ? cold<null>('5ms #', {}, lost) : NEVER) });
      const abandon$ = hot('200ms a');
      const events$ = hot('d').pipe(
        fetchOnDemand(client, { queues: () => ['q'], maxOutstanding: 1, retryDelayMs: (n) => 100 * n, scheduler, abandon$ }),
        map((e) => e.type),
      );
      expectObservable(events$).toBe('5ms r 194ms |', { r: 'fetchRetried' });
      scheduler.flush();
      assert.deepEqual(client.callsOf('FETCH').map((c) => c.at), [0, 105]);
      assert.equal(client.outstanding('FETCH'), 0);
    });
  });
});

describe('runJobs', () => {
  const base = (scheduler: ReturnType<typeof testScheduler>, client = createScriptedClient({ scheduler })) => ({
    concurrency: 1, jobTimeoutMs: () => 100, scheduler, client, wid: 'w',
  });

  it('FAILs a timed-out Promise handler at its time limit but keeps its slot until the Promise settles', async () => {
    const scheduler = testScheduler();
    const events: [number, string][] = [];
    let settle!: () => void;
    scheduler.run(({ hot }) => {
      scheduler.schedule(() => {
        settle();
      }, 300);
      hot('a-b', { a: fetched('job-a'), b: fetched('job-b') })
        .pipe(
          runJobs({
            ...base(scheduler),
            handlers: { Echo: (_args, ctx) => (ctx.jid === 'job-a' ? new Promise<void>((resolve) => (settle = resolve)) : 1) },
          }),
        )
        .subscribe((e) => events.push([scheduler.now(), code(e)]));
    });
    await Promise.resolve(); // the Promise settles at 300, its callbacks run in a microtask
    // job-a times out at 100 (handled: its FAIL is due) but its slot frees only at 300; job-b waits for it.
    assert.deepEqual(events, [
      [0, 'fetched:job-a'], [2, 'fetched:job-b'], [100, 'handled:job-a'], [300, 'released:job-a'], [300, 'handled:job-b'], [300, 'released:job-b'],
    ]);
  });

  it('aborts running jobs when abort$ emits, and FAILs jobs arriving later without running them', () => {
    const scheduler = testScheduler();
    let ran = 0;
    const outcomes: [string, string][] = [];
    scheduler.run(({ cold, hot, expectSubscriptions }) => {
      const slow = cold<never>('-');
      const source$ = hot('a-- 50ms b', { a: fetched('job-a'), b: fetched('job-b') });
      source$
        .pipe(
          runJobs({
            ...base(scheduler), concurrency: 2, jobTimeoutMs: () => 10_000, abort$: hot('20ms s', { s: 'stopping' }),
            handlers: { Echo: () => { ran++; return slow; } },
          }),
        )
        .subscribe((e) => {
          if (e.type === 'handled' && !e.outcome.ok) outcomes.push([e.jid, (e.outcome.error as Error).name]);
        });
      expectSubscriptions(slow.subscriptions).toBe('^ 19ms !');
    });
    assert.equal(ran, 1);
    assert.deepEqual(outcomes, [['job-a', 'WorkerShutdown'], ['job-b', 'WorkerShutdown']]);
  });

  it('hands an async middleware undefined from lastValueFrom(next$) for a handler that emits nothing', async () => {
    const seen: unknown[] = [];
    const koa: Middleware = async (next$) => {
      seen.push(await lastValueFrom(next$)); // eslint-disable-line rxjs-x/no-ignored-default-value -- the koa style under test
    };
    const events = await lastValueFrom(
      of(fetched('job-k')).pipe(
        runJobs({ concurrency: 1, jobTimeoutMs: () => 1_000, scheduler: asyncScheduler, client: createScriptedClient(), wid: 'w', middleware: [koa], handlers: { Echo: () => EMPTY } }),
        map(code),
        toArray(),
      ),
      { defaultValue: [] },
    );
    assert.deepEqual(seen, [undefined]);
    assert.deepEqual(events, ['fetched:job-k', 'handled:job-k', 'released:job-k']);
  });
});

describe('settleJobs', () => {
  it('sends the first ACK and its retries through one path, with backoff, and passes every event through', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, hot, expectObservable }) => {
      const client = createScriptedClient({ scheduler, ack: (i) => (i < 2 ? cold('1ms #', {}, lost) : cold('1ms a|', { a: undefined })) });
      const events$ = hot('a', { a: handled('job-1', true) }).pipe(
        settleJobs(client, { retryDelayMs: (n) => 10 * n, scheduler }),
        map((e: { type: string }) => e.type),
      );
      // ACK at 0 fails at 1; retry at 11 fails at 12; retry at 32 accepted at 33.
      expectObservable(events$).toBe('h r 10ms r 20ms s', { h: 'handled', r: 'ackRetried', s: 'succeeded' });
      scheduler.flush();
      assert.deepEqual(client.callsOf('ACK').map((c) => c.at), [0, 11, 32]);
    });
  });

  it('gives up pending deliveries as deliveryLost (stopped) when giveUp$ emits, waiting retries and attempts in flight alike', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, hot, expectObservable }) => {
      const client = createScriptedClient({ scheduler, ack: () => cold('5ms #', {}, lost), fail: () => NEVER });
      const events$ = hot('ab', { a: handled('job-1', true), b: handled('job-2', false) }).pipe(
        settleJobs(client, { retryDelayMs: () => 1_000, scheduler, giveUp$: hot('100ms g') }),
        map((e: WorkerEvent | JobHandledEvent) => (e.type === 'deliveryLost' ? `${e.command}:${e.reason}` : e.type)),
      );
      expectObservable(events$).toBe('ab 3ms r 94ms (AF)', { a: 'handled', b: 'handled', r: 'ackRetried', A: 'ACK:stopped', F: 'FAIL:stopped' });
    });
  });

  it('does not retry a FAIL of a job the server no longer holds, nor an error retrying cannot fix', () => {
    const scheduler = testScheduler();
    scheduler.run(({ hot, expectObservable }) => {
      const client = createScriptedClient({
        scheduler,
        ack: () => throwError(() => new TypeError('bad')),
        fail: (_i, jid) => throwError(() => Object.assign(new Error(`Job not found ${jid}`), {})),
      });
      const events$ = hot('a', { a: handled('job-1', true) }).pipe(
        settleJobs(client, { retryDelayMs: () => 10, scheduler }),
        map((e: WorkerEvent | JobHandledEvent) => (e.type === 'deliveryLost' ? e.reason : e.type)),
      );
      expectObservable(events$).toBe('(he)', { h: 'handled', e: 'error' });
    });
  });
});

