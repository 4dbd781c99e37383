import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import { useServerFixture } from './server-fixture.js';
import { isWorkerEvent, type WorkerEvent } from '../../src/worker/index.js';

const fx = useServerFixture();
const { uniqueQueue, pushJobs } = fx;

describe('worker against the in-memory server, in volume', () => {
  it('processes 10,000 jobs exactly once each at concurrency 50 over a handful of sockets', async () => {
    const queue = uniqueQueue();
    const jids = pushJobs(queue, 10_000);
    const runs = new Map<string, number>();
    let peakConnections = 0;
    const worker = fx.worker(queue, {
      concurrency: 50,
      handlers: {
        Work: (_args, ctx) => {
          runs.set(ctx.jid, (runs.get(ctx.jid) ?? 0) + 1);
          peakConnections = Math.max(peakConnections, fx.server.stats().connections);
        },
      },
    });
    const done = lastValueFrom(worker.pipe(toArray()), { defaultValue: [] as WorkerEvent[] });
    await fx.server.until.queueEmpty(queue, { timeoutMs: 120_000 });
    await fx.server.until.working(0);
    await firstValueFrom(worker.stop(), { defaultValue: undefined });
    const events = await done;
    assert.equal(runs.size, 10_000);
    assert.ok([...runs.values()].every((n) => n === 1), 'a job ran twice');
    assert.deepEqual(jids.filter((jid) => !runs.has(jid)), []);
    assert.equal(events.filter(isWorkerEvent('succeeded')).length, 10_000);
    assert.equal(fx.server.working().length, 0);
    assert.ok(peakConnections <= 8, `peak connections ${peakConnections}`);
    await fx.server.until.connections(0);
  });

});
