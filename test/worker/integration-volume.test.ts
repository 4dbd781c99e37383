import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import { startServer, type FaktoryServer } from '../../src/testing/server/index.js';
import { createWorker, isWorkerEvent, type WorkerEvent, type WorkerOptions } from '../../src/worker/index.js';

let server: FaktoryServer;
let queueSeq = 100;

before(async () => {
  server = await startServer({ port: 0 });
});
after(async () => {
  await server.close();
});

function uniqueQueue(): string {
  return `q${process.pid}-${queueSeq++}`;
}

function pushJobs(queue: string, count: number, jobtype = 'Work', extra: object = {}): string[] {
  const jids: string[] = [];
  for (let i = 0; i < count; i++) {
    const jid = `${queue}-${String(i).padStart(6, '0')}`;
    server.push({ jid, jobtype, args: [i], queue, ...extra });
    jids.push(jid);
  }
  return jids;
}

function options(queue: string, extra: Partial<WorkerOptions>): WorkerOptions {
  return { connection: { url: server.url }, queues: [queue], stallWarningMs: false, handlers: {}, ...extra };
}

describe('worker against the in-memory server, in volume', () => {
  it('processes 10,000 jobs exactly once each at concurrency 50 over a handful of sockets', async () => {
    const queue = uniqueQueue();
    const jids = pushJobs(queue, 10_000);
    const runs = new Map<string, number>();
    let peakConnections = 0;
    const worker = createWorker(options(queue, {
      concurrency: 50,
      handlers: {
        Work: (_args, ctx) => {
          runs.set(ctx.jid, (runs.get(ctx.jid) ?? 0) + 1);
          peakConnections = Math.max(peakConnections, server.stats().connections);
        },
      },
    }));
    const done = lastValueFrom(worker.pipe(toArray()), { defaultValue: [] as WorkerEvent[] });
    await server.until.queueEmpty(queue, { timeoutMs: 120_000 });
    await server.until.working(0);
    await firstValueFrom(worker.stop(), { defaultValue: undefined });
    const events = await done;
    assert.equal(runs.size, 10_000);
    assert.ok([...runs.values()].every((n) => n === 1), 'a job ran twice');
    assert.deepEqual(jids.filter((jid) => !runs.has(jid)), []);
    assert.equal(events.filter(isWorkerEvent('succeeded')).length, 10_000);
    assert.equal(server.working().length, 0);
    assert.ok(peakConnections <= 6, `peak connections ${peakConnections}`);
    await server.until.connections(0);
  });

});
