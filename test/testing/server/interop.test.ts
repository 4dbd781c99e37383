import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Client, Worker } from 'faktory-worker';
import { startServer } from '../../../src/testing/index.js';

// Interop with a client nobody here wrote: the faktory-worker npm package, on the real clock.
describe('in-memory server: interop with faktory-worker', () => {
  it('takes jobs pushed by faktory-worker, lets its worker process them, and puts a failing job in retries', async (t) => {
    // a short FETCH wait: worker.stop() waits for the FETCHes in flight
    const server = await startServer({ fetchWaitMs: 50 });
    const client = new Client({ url: server.url });
    const seen: unknown[] = [];
    const worker = new Worker({
      url: server.url,
      concurrency: 4,
      queues: ['interop'],
      registry: {
        Add: (...args: unknown[]) => {
          seen.push(args);
        },
        Explode: () => {
          throw new Error('kaboom');
        },
      },
    });
    for (let i = 0; i < 20; i++) await client.job('Add', i, i + 1).push().then(() => undefined);
    const bad = client.job('Explode');
    bad.queue = 'interop';
    const good = Array.from({ length: 5 }, (_, i) => {
      const j = client.job('Add', 100 + i);
      j.queue = 'interop';
      return j;
    });
    assert.deepEqual(await client.pushBulk([...good, bad]), {});
    assert.deepEqual(new Set(server.queue('default').map((j) => j.jobtype)), new Set(['Add']));
    await client.send(['QUEUE', 'REMOVE', 'default']);
    await worker.work();
    t.after(async () => {
      await worker.stop();
      await client.close();
      await server.close();
    });
    await server.until.processed(5);
    await server.until.retries(1);
    assert.equal(seen.length, 5);
    const [retry] = server.retries();
    assert.equal(retry?.job.jid, bad.jid);
    assert.equal(retry.job.failure?.message, 'kaboom');
    assert.deepEqual(server.workers().map((w) => w.wid), [worker.wid]);
    const info = await client.info();
    assert.equal((info.faktory as unknown as { total_processed: number }).total_processed, 6, '5 ACKs and 1 FAIL');
  });

  it('authenticates faktory-worker against a password-protected server', async (t) => {
    const server = await startServer({ password: 's3cret:/@' });
    t.after(() => server.close());
    const client = new Client({ url: server.url });
    t.after(() => client.close());
    assert.equal(await client.job('Auth').push().then(() => 'pushed'), 'pushed');
    assert.equal(server.queue('default').length, 1);
    assert.equal(server.stats().totalConnections >= 1, true);
  });
});
