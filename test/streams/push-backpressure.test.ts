import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { from, ignoreElements, lastValueFrom, mergeMap, range, toArray } from 'rxjs';
import { ConnectionError } from '../../src/errors.js';
import { createClient, job, pushJobs, type FaktoryClient } from '../../src/streams/index.js';
import { startServer, type FaktoryServer } from '../../src/testing/index.js';
import { startFaultProxy } from '../helpers/fault-proxy.js';
import { done, first } from './await.js';

let queueCounter = 0;
const uniqueQueue = (): string => `bp-${process.pid}-${++queueCounter}`;
/** 25 times the 1,000 requests the pool used to queue before it failed the next one. */
const MANY = 25_000;

describe('pushing more jobs at once than the pool has room for', () => {
  let server: FaktoryServer;
  let client: FaktoryClient;

  before(async () => {
    server = await startServer();
    client = createClient({ url: server.url });
  });
  after(async () => {
    await done(client.close());
    await server.close();
  });

  it(`pushes ${MANY.toLocaleString('en')} jobs from an unbounded mergeMap, every one stored`, async () => {
    const queue = uniqueQueue();
    const push$ = range(0, MANY).pipe(mergeMap((i) => client.push(job('Many', i).queue(queue))));
    await lastValueFrom(push$.pipe(ignoreElements()), { defaultValue: undefined });
    assert.equal(server.queue(queue).length, MANY);
  });

  it(`pushes ${MANY.toLocaleString('en')} jobs with Promise.all over firstValueFrom, each promise resolving with its jid`, async () => {
    const queue = uniqueQueue();
    const jobs = Array.from({ length: MANY }, (_, i) => job('Many', i).queue(queue));
    const jids = await Promise.all(jobs.map((j) => first(client.push(j))));
    assert.equal(new Set(jids).size, MANY);
    assert.deepEqual(new Set(server.queue(queue).map((stored) => stored.jid)), new Set(jids));
  });
});

describe('pushJobs over a pool of several connections', () => {
  it('sends its batches in flight on connections of their own, so a cut connection fails only its own batch', { timeout: 30_000 }, async (t) => {
    const server = await startServer();
    const proxy = await startFaultProxy({ port: server.port });
    const client = createClient({ url: proxy.url(), size: 4 });
    t.after(async () => {
      client.destroy();
      await proxy.close();
      await server.close();
    });
    // Four PUSHBs at once open the four connections.
    const warmUp = uniqueQueue();
    await Promise.all(Array.from({ length: 4 }, (_, i) => first(client.pushBulk([job('Warm', i).queue(warmUp)]))));
    assert.equal(proxy.open, 4);

    proxy.setFaults({ hold: true });
    const queue = uniqueQueue();
    const jobs = Array.from({ length: 400 }, (_, i) => job('Batched', i).queue(queue));
    const results = first(from(jobs).pipe(pushJobs(client, { maxBatch: 100, concurrency: 4 }), toArray()));
    // Each of the four batches is written on a connection of its own (on one socket this never resolves).
    await proxy.waitForHolding(4);
    proxy.cutHolding();
    proxy.setFaults({});

    const settled = await results;
    const failed = settled.filter((result) => result.status === 'failed');
    assert.equal(failed.length, 100, 'one batch failed');
    assert.ok(failed.every((result) => result.error instanceof ConnectionError));
    assert.equal(settled.filter((result) => result.status === 'pushed').length, 300);
    assert.equal(server.queue(queue).length, 300, 'the cut batch never reached the server; the others did');
  });
});
