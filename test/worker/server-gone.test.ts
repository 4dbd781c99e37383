import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { filter, firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import { startServer } from '../../src/testing/server/index.js';
import { createWorker, isWorkerEvent, type WorkerEvent } from '../../src/worker/index.js';

describe('a worker whose server is gone', () => {
  it('completes stop() within shutdownTimeoutMs + deliveryGraceMs, listing the ACK it could not deliver', async () => {
    const server = await startServer({ port: 0 });
    const queue = `gone${process.pid}`;
    server.push({ jid: 'gone-job-0001', jobtype: 'Work', args: [], queue });
    let finish!: () => void;
    const worker = createWorker({
      connection: { url: server.url, reconnect: 50 },
      queues: [queue],
      concurrency: 1,
      stallWarningMs: false,
      shutdownTimeoutMs: 200,
      deliveryGraceMs: 300,
      handlers: { Work: () => new Promise<void>((resolve) => (finish = resolve)) },
    });
    const events = lastValueFrom(worker.pipe(toArray()), { defaultValue: [] as WorkerEvent[] });
    await firstValueFrom(worker.pipe(filter(isWorkerEvent('fetched'))), { defaultValue: undefined });
    await server.close();
    finish(); // its ACK has no server to go to
    await firstValueFrom(worker.pipe(filter(isWorkerEvent('ackRetried'))), { defaultValue: undefined });
    await firstValueFrom(worker.stop(), { defaultValue: undefined });
    const all = await events;
    assert.deepEqual(all.filter(isWorkerEvent('undelivered')).map((e) => e.commands), [[{ command: 'ACK', jid: 'gone-job-0001', jobtype: 'Work' }]]);
    assert.deepEqual(all.filter(isWorkerEvent('deliveryLost')).map((e) => e.reason), ['stopped']);
    assert.equal(all.at(-1)?.type, 'stopped');
  });
});
