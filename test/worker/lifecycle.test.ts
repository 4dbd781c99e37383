import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NEVER, map } from 'rxjs';
import { ConnectionError } from '../../src/errors.js';
import { createScriptedClient } from '../../src/testing/marbles/index.js';
import { createWorker, isWorkerEvent, type WorkerEvent } from '../../src/worker/index.js';
import { makeJob, ofType, record, testScheduler } from './helpers.js';

const base = { stallWarningMs: false as const, rssKb: () => 1234, concurrency: 1 };

describe('worker heartbeat', () => {
  it('sends BEAT every beatIntervalMs with rss_kb, starting one interval after start', () => {
    const scheduler = testScheduler();
    const client = createScriptedClient({ scheduler, emptyFetchMs: 50 });
    scheduler.run(() => {
      const worker = createWorker({ ...base, client, scheduler, handlers: { Echo: () => 1 }, beatIntervalMs: 100 });
      record(scheduler, worker);
      scheduler.schedule(() => worker.stop().subscribe(), 330);
    });
    const beats = client.callsOf('BEAT');
    assert.deepEqual(beats.map((b) => b.at), [100, 200, 300]);
    assert.deepEqual(beats[0]?.options, { rssKb: 1234 });
  });

  it('never overlaps BEATs: ticks that come while one is outstanding are dropped', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold }) => {
      const client = createScriptedClient({ scheduler, emptyFetchMs: 50, beat: () => cold('250ms a|', { a: 'ok' as const }) });
      const worker = createWorker({ ...base, client, scheduler, handlers: { Echo: () => 1 }, beatIntervalMs: 100 });
      record(scheduler, worker);
      scheduler.schedule(() => worker.stop().subscribe(), 730);
      scheduler.flush();
      assert.deepEqual(client.callsOf('BEAT').map((b) => b.at), [100, 400, 700]);
      assert.equal(client.peakOutstanding('BEAT'), 1);
    });
  });

  it('goes quiet when BEAT replies quiet: stops fetching, keeps beating with current_state quiet', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold }) => {
      const client = createScriptedClient({
        scheduler,
        emptyFetchMs: 40,
        beat: (i) => cold('10ms a|', { a: i === 0 ? ('quiet' as const) : ('ok' as const) }),
      });
      const worker = createWorker({ ...base, client, scheduler, handlers: { Echo: () => 1 }, beatIntervalMs: 100, fetchers: 1, concurrency: 1 });
      const { events } = record(scheduler, worker);
      scheduler.schedule(() => worker.stop().subscribe(), 450);
      scheduler.flush();
      assert.deepEqual(ofType(events, 'stateChanged').slice(0, 1), [[110, { type: 'stateChanged', from: 'running', to: 'quiet', cause: 'beat' }]]);
      // FETCHes at 0, 40, 80 and the one outstanding at 110 (answered at 120): none after.
      assert.deepEqual(client.callsOf('FETCH').map((c) => c.at), [0, 40, 80]);
      assert.deepEqual(client.callsOf('BEAT').map((b) => [b.at, b.options?.currentState]), [[100, undefined], [200, 'quiet'], [300, 'quiet'], [400, 'quiet']]);
    });
  });

  it('stops when BEAT replies terminate: completes after closing its client', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const client = createScriptedClient({
        scheduler,
        emptyFetchMs: 40,
        beat: () => cold('10ms a|', { a: 'terminate' as const }),
        close: () => cold('5ms a|', { a: undefined }),
      });
      const worker = createWorker({ ...base, client, scheduler, handlers: { Echo: () => 1 }, beatIntervalMs: 100, concurrency: 1 });
      // terminate at 110; the outstanding FETCH (sent at 80) answers at 120; close completes at 126.
      expectObservable(worker.pipe(map((e: WorkerEvent) => (e.type === 'stateChanged' ? e.to[0] : e.type[0])))).toBe(
        's 109ms (ht) 12ms (ss|)', { s: 's', h: 'h', t: 't' },
      );
    });
  });

  it('re-registers transparently when the server answers unknown worker', async () => {
    const { serverError } = await import('../../src/testing/marbles/index.js');
    const scheduler = testScheduler();
    scheduler.run(({ cold }) => {
      const client = createScriptedClient({
        scheduler,
        emptyFetchMs: 50,
        beat: (i) => (i === 0 ? cold('5ms #', {}, serverError('BEAT', 'unknown worker w1')) : cold('5ms a|', { a: 'ok' as const })),
      });
      const worker = createWorker({ ...base, client, scheduler, handlers: { Echo: () => 1 }, beatIntervalMs: 100, wid: 'w1' });
      const { events } = record(scheduler, worker);
      scheduler.schedule(() => worker.stop().subscribe(), 150);
      scheduler.flush();
      assert.deepEqual(ofType(events, 'reregistered'), [[110, { type: 'reregistered', wid: 'w1' }]]);
      assert.deepEqual(ofType(events, 'heartbeat').map(([at, e]) => [at, e.reply]), [[110, 'ok']]);
      assert.deepEqual(ofType(events, 'heartbeatFailed'), []);
    });
  });
});

describe('worker shutdown', () => {
  it('waits shutdownTimeoutMs for running jobs, then aborts them, FAILs them as WorkerShutdown and closes', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectSubscriptions }) => {
      const slow = cold<never>('-');
      const client = createScriptedClient({ scheduler, jobs: [makeJob('job-0001')] });
      const worker = createWorker({
        ...base, client, scheduler, shutdownTimeoutMs: 300, beatIntervalMs: 10_000,
        handlers: { Echo: () => slow },
      });
      const { events, completedAt } = record(scheduler, worker);
      scheduler.schedule(() => worker.stop().subscribe(), 100);
      // fetched at 1; stop at 100; aborted at 400 (handler torn down), FAIL answered at 401.
      expectSubscriptions(slow.subscriptions).toBe('-^ 398ms !');
      scheduler.flush();
      const fails = client.callsOf('FAIL');
      assert.equal(fails.length, 1);
      assert.equal(fails[0]?.at, 400);
      assert.equal((fails[0]?.error as Error).name, 'WorkerShutdown'); // eslint-disable-line @typescript-eslint/no-unnecessary-condition -- index access
      assert.deepEqual(ofType(events, 'failed').map(([at, e]) => [at, e.reason]), [[401, 'shutdown']]);
      assert.deepEqual(ofType(events, 'stopped'), [[401, { type: 'stopped', forced: false, abortedJobs: 1 }]]);
      assert.equal(completedAt(), 401);
      assert.deepEqual(client.callsOf('CLOSE').map((c) => c.at), [401]);
    });
  });

  it('lets running jobs finish within the shutdown timeout and ACKs them', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold }) => {
      const client = createScriptedClient({ scheduler, jobs: [makeJob('job-0001')] });
      const worker = createWorker({
        ...base, client, scheduler, shutdownTimeoutMs: 300, beatIntervalMs: 10_000,
        handlers: { Echo: () => cold('200ms a|', { a: 1 }) },
      });
      const { events, completedAt } = record(scheduler, worker);
      scheduler.schedule(() => worker.stop().subscribe(), 100);
      scheduler.flush();
      // fetched at 1; the handler completes at 202; ACK answered at 203.
      assert.deepEqual(client.callsOf('ACK').map((c) => [c.at, c.jid]), [[202, 'job-0001']]);
      assert.deepEqual(client.callsOf('FAIL'), []);
      assert.deepEqual(ofType(events, 'succeeded').map(([at, e]) => [at, e.jid, e.durationMs]), [[203, 'job-0001', 201]]);
      assert.equal(completedAt(), 203);
    });
  });

  it('treats unsubscribing as a forceful stop: aborts the handler at once, FAILs the job, destroys the client', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectSubscriptions }) => {
      const slow = cold<never>('-');
      const client = createScriptedClient({ scheduler, jobs: [makeJob('job-0001')] });
      const worker = createWorker({ ...base, client, scheduler, shutdownTimeoutMs: 5_000, beatIntervalMs: 10_000, handlers: { Echo: () => slow } });
      const subscription = worker.subscribe();
      scheduler.schedule(() => {
        subscription.unsubscribe();
      }, 100);
      expectSubscriptions(slow.subscriptions).toBe('-^ 98ms !');
      scheduler.flush();
      const fails = client.callsOf('FAIL');
      assert.deepEqual(fails.map((c) => [c.at, c.jid, (c.error as Error).name]), [[100, 'job-0001', 'WorkerShutdown']]);
      assert.deepEqual(client.callsOf('DESTROY').map((c) => c.at), [101]);
      assert.deepEqual(client.callsOf('CLOSE'), []);
      assert.equal(worker.state, 'stopped');
    });
  });

  it('FAILs a job that a FETCH in flight returns after a forced stop, without running it', () => {
    const scheduler = testScheduler();
    let ran = 0;
    scheduler.run(({ cold }) => {
      const client = createScriptedClient({ scheduler, fetch: (i) => (i === 0 ? cold('200ms a|', { a: makeJob('job-late1') }) : NEVER) });
      const worker = createWorker({ ...base, client, scheduler, concurrency: 1, beatIntervalMs: 10_000, handlers: { Echo: () => { ran++; } } });
      const subscription = worker.subscribe();
      scheduler.schedule(() => {
        subscription.unsubscribe();
      }, 100);
      scheduler.flush();
      assert.deepEqual(client.callsOf('FAIL').map((c) => [c.at, c.jid, (c.error as Error).name]), [[200, 'job-late1', 'WorkerShutdown']]);
      assert.equal(ran, 0);
    });
  });

  it('stop() is idempotent and its Observable completes when the worker has stopped', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const client = createScriptedClient({ scheduler, emptyFetchMs: 50 });
      const worker = createWorker({ ...base, client, scheduler, concurrency: 1, beatIntervalMs: 10_000, handlers: { Echo: () => 1 } });
      worker.subscribe();
      const done: number[] = [];
      scheduler.schedule(() => {
        worker.stop().subscribe({ complete: () => done.push(scheduler.now()) });
        worker.stop().subscribe({ complete: () => done.push(scheduler.now()) });
      }, 20);
      scheduler.flush();
      assert.deepEqual(done, [50, 50]);
      assert.equal(client.callsOf('CLOSE').length, 1);
      assert.ok(isWorkerEvent('stopped')({ type: 'stopped', forced: false, abortedJobs: 0 }));
    });
  });
});

describe('worker stop bounds', () => {
  const lostConnection = (): Error => new ConnectionError('the server is unreachable');

  it('stops an idle worker once its outstanding FETCH comes back empty, having sent no other', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const client = createScriptedClient({ scheduler, emptyFetchMs: 2_000 });
      const worker = createWorker({ ...base, client, scheduler, beatIntervalMs: 100_000, handlers: { Echo: () => 1 } });
      const { completedAt } = record(scheduler, worker);
      scheduler.schedule(() => worker.stop().subscribe(), 2_500); // the second FETCH went out at 2_000
      scheduler.flush();
      assert.equal(completedAt(), 4_000);
      assert.deepEqual(client.callsOf('FETCH').map((c) => c.at), [0, 2_000]);
    });
  });

  it('gives up ACKs it cannot deliver deliveryGraceMs after the shutdown timeout, and lists them before stopped', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold }) => {
      const client = createScriptedClient({
        scheduler,
        jobs: [makeJob('job-0001')],
        emptyFetchMs: 50,
        ack: () => cold('5ms #', {}, lostConnection()),
      });
      const worker = createWorker({ ...base, client, scheduler, beatIntervalMs: 100_000, shutdownTimeoutMs: 1_000, deliveryGraceMs: 2_000, handlers: { Echo: () => 1 } });
      const { events, completedAt } = record(scheduler, worker);
      scheduler.schedule(() => worker.stop().subscribe(), 10);
      scheduler.flush();
      // stop at 10: give up at 10 + 1_000 + 2_000.
      assert.equal(completedAt(), 3_010);
      assert.deepEqual(ofType(events, 'deliveryLost').map(([at, e]) => [at, e.jid, e.reason]), [[3_010, 'job-0001', 'stopped']]);
      assert.deepEqual(ofType(events, 'undelivered'), [[3_010, { type: 'undelivered', commands: [{ command: 'ACK', jid: 'job-0001', jobtype: 'Echo' }] }]]);
      assert.deepEqual(events.slice(-2).map(([, e]) => e.type), ['stateChanged', 'stopped']);
    });
  });

  it('FAILs a job whose handler ignores its signal at the shutdown timeout, and stops once the handler settles', async () => {
    const scheduler = testScheduler();
    let settle!: () => void;
    let stoppedAt: number | undefined;
    scheduler.run(() => {
      const client = createScriptedClient({ scheduler, jobs: [makeJob('job-0001')], emptyFetchMs: 50 });
      const worker = createWorker({
        ...base, client, scheduler, beatIntervalMs: 100_000, shutdownTimeoutMs: 100,
        handlers: { Echo: () => new Promise<void>((resolve) => (settle = resolve)) },
      });
      worker.subscribe({
        complete: () => {
          stoppedAt = scheduler.now();
        },
      });
      scheduler.schedule(() => worker.stop().subscribe(), 10);
      scheduler.maxFrames = 1_000; // the run waits for the handler: flush up to here
      scheduler.flush();
      assert.deepEqual(client.callsOf('FAIL').map((c) => [c.at, (c.error as Error).name]), [[110, 'WorkerShutdown']]);
      assert.equal(worker.inFlight().length, 1, 'the handler still holds its slot');
      assert.equal(stoppedAt, undefined);
    });
    settle();
    await new Promise<void>((resolve) => { setImmediate(resolve); });
    scheduler.maxFrames = Number.POSITIVE_INFINITY;
    scheduler.run(() => {
      scheduler.flush();
    });
    assert.notEqual(stoppedAt, undefined);
  });
});

describe('one run per worker', () => {
  it('shares one run between subscribers: one FETCH stream, the same events, and a forced stop only when the last one leaves', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const client = createScriptedClient({ scheduler, jobs: [makeJob('job-0001'), makeJob('job-0002')], emptyFetchMs: 100 });
      const worker = createWorker({ ...base, client, scheduler, concurrency: 2, fetchers: 1, beatIntervalMs: 100_000, handlers: { Echo: () => 1 } });
      const a: string[] = [];
      const b: string[] = [];
      const first = worker.subscribe((e) => a.push(e.type));
      const second = worker.pipe(map((e) => e.type)).subscribe((t) => b.push(t));
      scheduler.schedule(() => {
        first.unsubscribe();
      }, 50);
      scheduler.schedule(() => {
        assert.equal(worker.state, 'running', 'one subscriber left: the run goes on');
        second.unsubscribe();
      }, 150);
      scheduler.flush();
      assert.deepEqual(client.callsOf('ACK').map((c) => c.jid), ['job-0001', 'job-0002']);
      assert.equal(a.filter((t) => t === 'succeeded').length, 2);
      assert.equal(b.filter((t) => t === 'succeeded').length, 2);
      assert.equal(a[0], 'started'); // the second subscriber sees the run from when it joined
      assert.equal(client.peakOutstanding('FETCH'), 1);
      assert.equal(worker.state, 'stopped');
      assert.deepEqual(client.callsOf('DESTROY').length, 1);
    });
  });

  it('completes at once for a subscription after the run ended, starting nothing', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const client = createScriptedClient({ scheduler, emptyFetchMs: 10 });
      const worker = createWorker({ ...base, client, scheduler, beatIntervalMs: 100_000, handlers: { Echo: () => 1 } });
      record(scheduler, worker);
      scheduler.schedule(() => worker.stop().subscribe(), 5);
      scheduler.flush();
      const fetches = client.callsOf('FETCH').length;
      const late = record(scheduler, worker);
      assert.equal(late.completedAt(), scheduler.now());
      assert.deepEqual(late.events, []);
      scheduler.flush();
      assert.equal(client.callsOf('FETCH').length, fetches);
    });
  });
});
