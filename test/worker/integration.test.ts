import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { filter, firstValueFrom, lastValueFrom, tap, toArray } from 'rxjs';
import { useServerFixture } from './server-fixture.js';
import { isWorkerEvent, type WorkerEvent } from '../../src/worker/index.js';

const fx = useServerFixture();
const { uniqueQueue, pushJobs } = fx;

describe('worker against the in-memory server', () => {
  it('FAILs a throwing handler so its job lands in retries with errtype, message and backtrace', async () => {
    const queue = uniqueQueue();
    const [jid] = pushJobs(queue, 1, 'Boom');
    class PaymentDeclined extends Error {
      override name = 'PaymentDeclined';
    }
    const worker = fx.worker(queue, { concurrency: 2, handlers: { Boom: () => { throw new PaymentDeclined('card expired'); } } });
    const failed = firstValueFrom(worker.pipe(filter(isWorkerEvent('failed'))), { defaultValue: undefined });
    const event = await failed; // unsubscribing here is a forced stop; the FAIL was already accepted
    assert.equal(event?.jid, jid);
    await fx.server.until.retries(1);
    const retry = fx.server.retries().find((r) => r.job.jid === jid);
    assert.equal(retry?.job.failure?.errtype, 'PaymentDeclined');
    assert.equal(retry.job.failure.message, 'card expired');
    assert.ok((retry.job.failure.backtrace?.length ?? 0) > 0);
    await fx.server.until.connections(0);
  });

  it('goes quiet, then stops, when the server sets the worker quiet and then terminate', async () => {
    const queue = uniqueQueue();
    const worker = fx.worker(queue, { wid: `quiet-${process.pid}`, concurrency: 2, beatIntervalMs: 50 });
    let quiet!: () => void;
    const wentQuiet = new Promise<void>((resolve) => {
      quiet = resolve;
    });
    const all = lastValueFrom(
      worker.pipe(
        tap((e) => {
          if (e.type === 'stateChanged' && e.to === 'quiet') quiet();
        }),
        toArray(),
      ),
      { defaultValue: [] as WorkerEvent[] },
    );
    await fx.server.waitFor((s) => s.workers().some((w) => w.wid === worker.wid));
    fx.server.setWorkerState(worker.wid, 'quiet');
    await wentQuiet;
    pushJobs(queue, 3);
    fx.server.setWorkerState(worker.wid, 'terminate');
    const events = await all;
    const changes = events.filter(isWorkerEvent('stateChanged')).map((e) => `${e.to}:${e.cause}`);
    assert.deepEqual(changes, ['quiet:beat', 'terminating:beat', 'stopped:stop']);
    assert.equal(fx.server.queue(queue).length, 3, 'a quiet worker fetched');
    await fx.server.until.connections(0);
  });

  it('leaves every job acked or failed, none reserved, when connections are killed mid-run', async () => {
    const queue = uniqueQueue();
    pushJobs(queue, 2_000);
    let ran = 0;
    const worker = fx.worker(queue, {
      concurrency: 20,
      handlers: {
        Work: () => {
          ran++;
          if (ran === 300 || ran === 1_200) fx.server.dropConnections();
        },
      },
    });
    const done = lastValueFrom(worker.pipe(toArray()), { defaultValue: [] as WorkerEvent[] });
    await fx.server.until.queueEmpty(queue, { timeoutMs: 120_000 });
    await fx.server.until.working(0, { timeoutMs: 120_000 });
    await firstValueFrom(worker.stop(), { defaultValue: undefined });
    const events = await done;
    assert.ok(events.some(isWorkerEvent('connectionLost')));
    assert.equal(fx.server.working().length, 0);
    assert.equal(events.filter(isWorkerEvent('deliveryLost')).length, 0);
    await fx.server.until.connections(0);
  });

  it('leaves no job reserved after a forced stop with slow handlers', async () => {
    const queue = uniqueQueue();
    pushJobs(queue, 30, 'Slow');
    let started = 0;
    const worker = fx.worker(queue, {
      concurrency: 10,
      handlers: {
        Slow: (_args, ctx) =>
          new Promise<void>((resolve) => {
            started++;
            ctx.signal.addEventListener('abort', () => {
              resolve();
            });
          }),
      },
    });
    const subscription = worker.subscribe();
    await fx.server.until.working(10);
    await fx.server.waitFor(() => started === 10);
    subscription.unsubscribe();
    await fx.server.until.working(0);
    await fx.server.until.connections(0);
    const retried = fx.server.retries().filter((r) => r.job.queue === queue);
    assert.equal(retried.length, 10);
    assert.ok(retried.every((r) => r.job.failure?.errtype === 'WorkerShutdown'));
    assert.equal(fx.server.queue(queue).length, 20);
  });

  it('FAILs the jobs of pipelined FETCHes still outstanding at a forced stop, leaving none reserved', async () => {
    const queue = uniqueQueue();
    const jids = pushJobs(queue, 300, 'Quick');
    const ran = new Set<string>();
    const worker = fx.worker(queue, { concurrency: 20, fetchers: 2, fetchDepth: 4, handlers: { Quick: (_args, ctx) => { ran.add(ctx.job.jid); } } });
    let succeeded = 0;
    const subscription = worker.subscribe((event) => {
      // Unsubscribing mid-stream, while up to 8 FETCHes are pipelined on a busy queue.
      if (event.type === 'succeeded' && ++succeeded === 50) subscription.unsubscribe();
    });
    await fx.server.waitFor(() => succeeded >= 50);
    await fx.server.until.connections(0);
    assert.deepEqual(fx.server.working(), []);
    const retried = fx.server.retries().filter((r) => r.job.queue === queue);
    assert.ok(retried.every((r) => r.job.failure?.errtype === 'WorkerShutdown'));
    const queued = fx.server.queue(queue).map((job) => job.jid);
    // Every job was run and ACKed, FAILed unrun, or never fetched: exactly one of the three.
    const accounted = [...ran, ...retried.map((r) => r.job.jid), ...queued];
    assert.deepEqual(accounted.sort(), [...jids].sort());
  });
});
