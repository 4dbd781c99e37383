import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { from, toArray } from 'rxjs';
import { InvalidJobError, ServerError } from '../../src/errors.js';
import { createClient, job, pushJobs, type FaktoryClient } from '../../src/streams/index.js';
import { startServer, type FaktoryServer } from '../../src/testing/index.js';
import { done, first } from './await.js';

let queueCounter = 0;
const uniqueQueue = (): string => `q-${process.pid}-${++queueCounter}`;

describe('FaktoryClient against the in-memory server', () => {
  let server: FaktoryServer;
  let client: FaktoryClient;
  const wid = 'integration-worker-1';

  before(async () => {
    server = await startServer({ enterprise: true });
    client = createClient({ url: server.url, worker: { wid }, size: 2 });
  });
  after(async () => {
    await done(client.close());
    await server.close();
  });

  it('pushes, fetches and acks a job with its args and custom fields intact', async () => {
    const queue = uniqueQueue();
    const jid = await first(client.push(job('Email', 'a@b.c', 7, { deep: [1, null] }).queue(queue).custom({ tenant: 'acme' })));
    const fetched = await first(client.fetch(queue));
    assert.ok(fetched !== null);
    assert.equal(fetched.jid, jid);
    assert.deepEqual(fetched.args, ['a@b.c', 7, { deep: [1, null] }]);
    assert.deepEqual(fetched.custom, { tenant: 'acme' });
    await done(client.ack(jid));
    await server.until.processed(1);
  });

  it('schedules a job pushed with .in()', async () => {
    const queue = uniqueQueue();
    const jid = await first(client.push(job('Later').queue(queue).in(3_600_000)));
    assert.ok(server.scheduled().some((entry) => entry.job.jid === jid));
  });

  it('fails a fetched job into the retries set with its errtype and message', async () => {
    const queue = uniqueQueue();
    const jid = await first(client.push(job('Flaky').queue(queue)));
    await first(client.fetch(queue));
    await done(client.fail(jid, new RangeError('out of range', { cause: new Error('root') })));
    const retry = server.retries().find((entry) => entry.job.jid === jid);
    assert.ok(retry !== undefined);
    assert.equal(retry.job.failure?.errtype, 'RangeError');
    assert.equal(retry.job.failure.message, 'out of range');
    assert.ok(retry.job.failure.backtrace?.includes('Caused by: Error: root'));
  });

  it('turns the server error for a job that holds no reservation into a ServerError with code ERR', async () => {
    const error = await first(client.fail('neverfetched1', new Error('x'))).catch((e: unknown) => e);
    assert.ok(error instanceof ServerError);
    assert.equal(error.serverCode, 'ERR');
    assert.match(error.serverMessage, /Job not found/);
  });

  it('beats, and reads quiet once the server asks for it', async () => {
    const beater = createClient({ url: server.url, worker: { wid: 'integration-beater' }, size: 1 });
    try {
      assert.equal(await first(beater.beat()), 'ok');
      server.setWorkerState('integration-beater', 'quiet');
      assert.equal(await first(beater.beat({ rssKb: 1000 })), 'quiet');
    } finally {
      await done(beater.close());
    }
  });

  it('reads INFO with typed fields', async () => {
    const queue = uniqueQueue();
    await first(client.push(job('Counted').queue(queue)));
    const info = await first(client.info());
    assert.equal(info.faktory.queues[queue], 1);
    assert.equal(typeof info.server.faktory_version, 'string');
  });

  it('pauses, resumes and measures queues', async () => {
    const queue = uniqueQueue();
    await first(client.push(job('Waiting').queue(queue)));
    await done(client.queues.pause(queue));
    assert.ok(server.isPaused(queue));
    await done(client.queues.resume(queue));
    assert.ok(!server.isPaused(queue));
    const latency = await first(client.queues.latency(queue));
    assert.equal(typeof latency[queue], 'number');
    await done(client.queues.remove(queue));
    assert.equal(server.queue(queue).length, 0);
  });

  it('kills retries of a jobtype with MUTATE', async () => {
    const queue = uniqueQueue();
    const jid = await first(client.push(job('MutateMe').queue(queue)));
    await first(client.fetch(queue));
    await done(client.fail(jid, 'boom'));
    await done(client.mutate('retries').jobtype('MutateMe').kill());
    assert.ok(server.dead().some((entry) => entry.job.jid === jid));
  });

  it('reports a duplicate unique job as a NOTUNIQUE ServerError, and as a rejected job in pushBulk', async () => {
    const queue = uniqueQueue();
    const unique = job('Unique', 1).queue(queue).unique({ forSeconds: 60 });
    await first(client.push(unique));
    const error = await first(client.push(unique)).catch((e: unknown) => e);
    assert.ok(error instanceof ServerError);
    assert.equal(error.serverCode, 'NOTUNIQUE');
    const rejected = await first(client.pushBulk([unique, job('Other').queue(queue)]));
    assert.equal(rejected.length, 1);
    assert.equal(rejected[0]?.job.jobtype, 'Unique');
  });

  it('creates, fills and commits a batch, and reads its status', async () => {
    const queue = uniqueQueue();
    const bid = await first(
      client.batch.run({ description: 'two', success: job('AllDone').queue(queue) }, (b) =>
        client.pushBulk([job('Part', 1).queue(queue).custom({ bid: b }), job('Part', 2).queue(queue).custom({ bid: b })]),
      ),
    );
    const status = await first(client.batch.status(bid));
    assert.equal(status.bid, bid);
    assert.equal(status.total, 2);
  });

  it('tracks a job and extends its reservation', async () => {
    const queue = uniqueQueue();
    const jid = await first(client.push(job('Tracked').queue(queue).custom({ track: 1 })));
    await first(client.fetch(queue));
    await done(client.track.set({ jid, percent: 40, desc: 'working', reserveUntil: new Date(Date.now() + 3_600_000) }));
    const status = await first(client.track.get(jid));
    assert.equal(status.percent, 40);
    assert.equal(status.state, 'working');
  });

  it('pushes 2,000 jobs with pushJobs, every one pushed', async () => {
    const queue = uniqueQueue();
    const results = await first(
      from(Array.from({ length: 2_000 }, (_, i) => job('Bulk', i).queue(queue))).pipe(pushJobs(client, { maxBatch: 300 }), toArray()),
    );
    assert.equal(results.filter((r) => r.status === 'pushed').length, 2_000);
    assert.equal(server.queue(queue).length, 2_000);
  });

  it('refuses an invalid job before it reaches the server', async () => {
    const before = server.stats().commands;
    await assert.rejects(first(client.push(job('Bad').queue('bad queue').in(1000))), InvalidJobError);
    assert.equal(server.stats().commands, before);
  });
});
