import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client as FwClient, Worker as FwWorker } from 'faktory-worker';
import { firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import { createClient, job } from '../../src/streams/index.js';
import { startServer, type FaktoryServer } from '../../src/testing/server/index.js';
import { createWorker, type WorkerEvent } from '../../src/worker/index.js';

describe('worker interop with the faktory-worker package', () => {
  let server: FaktoryServer;
  before(async () => {
    server = await startServer({ port: 0 });
  });
  after(async () => {
    await server.close();
  });

  it('processes jobs pushed by faktory-worker, with their args', async () => {
    const queue = `fw-to-rx-${process.pid}`;
    const fw = new FwClient({ url: server.url });
    await fw.job('Add', 2, 3).push();
    const j = fw.job('Add', 10, 20);
    j.queue = queue;
    await j.push();
    await fw.close();
    const sums: number[] = [];
    const worker = createWorker({
      connection: { url: server.url },
      queues: [queue, 'default'],
      concurrency: 2,
      stallWarningMs: false,
      handlers: {
        Add: ([a, b]) => {
          sums.push(Number(a) + Number(b));
        },
      },
    });
    const all = lastValueFrom(worker.pipe(toArray()), { defaultValue: [] as WorkerEvent[] });
    await server.until.processed(2);
    await firstValueFrom(worker.stop(), { defaultValue: undefined });
    await all;
    assert.deepEqual(sums.sort((x, y) => x - y), [5, 30]);
    assert.equal(server.working().length, 0);
  });

  it('pushes follow-up jobs through ctx.client that a faktory-worker Worker runs', async () => {
    const queue = `rx-to-fw-${process.pid}`;
    const producer = createClient({ url: server.url, size: 1 });
    await firstValueFrom(producer.push(job('Start', 7).queue(queue)), { defaultValue: '' });
    await firstValueFrom(producer.close(), { defaultValue: undefined });
    const worker = createWorker({
      connection: { url: server.url },
      queues: [queue],
      concurrency: 1,
      stallWarningMs: false,
      handlers: { Start: ([n], ctx) => ctx.client.push(job('Followup', Number(n) * 2).queue(`${queue}-fw`)) },
    });
    const all = lastValueFrom(worker.pipe(toArray()), { defaultValue: [] as WorkerEvent[] });
    await server.until.processed(3); // 2 from the test before
    await firstValueFrom(worker.stop(), { defaultValue: undefined });
    await all;
    let resolveSeen!: (n: unknown) => void;
    const seen = new Promise<unknown>((resolve) => {
      resolveSeen = resolve;
    });
    const fwWorker = new FwWorker({ url: server.url, queues: [`${queue}-fw`], concurrency: 1 });
    fwWorker.register('Followup', (n: unknown) => {
      resolveSeen(n);
    });
    await fwWorker.work();
    assert.equal(await seen, 14);
    await fwWorker.stop();
  });
});
