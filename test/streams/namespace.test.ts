import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { from, toArray } from 'rxjs';
import { InvalidArgumentError } from '../../src/errors.js';
import { createClient, job, pushJobs, type FaktoryClient } from '../../src/streams/index.js';
import { startServer, type FaktoryServer } from '../../src/testing/index.js';
import { createPool } from '../../src/transport/index.js';
import { done, first } from './await.js';

describe('a namespace in the URL path', () => {
  let server: FaktoryServer;
  let client: FaktoryClient;
  let plain: FaktoryClient;

  before(async () => {
    server = await startServer();
    client = createClient({ url: `${server.url}/app-` });
    plain = createClient({ url: server.url });
  });
  after(async () => {
    await done(client.close());
    await done(plain.close());
    await server.close();
  });

  it('is prepended to the queue of every pushed job by plain concatenation, default queue included', async () => {
    await first(client.push(job('A').queue('mail')));
    await first(client.push(job('B')));
    await first(client.pushBulk([job('C').queue('mail')]));
    const results = await first(from([job('D').queue('mail')]).pipe(pushJobs(client), toArray()));
    assert.deepEqual(results.map((result) => [result.status, result.job?.queue]), [['pushed', 'mail']], 'results show the queue as given');
    assert.deepEqual(server.queue('app-mail').map((stored) => stored.jobtype).sort(), ['A', 'C', 'D']);
    assert.deepEqual(server.queue('app-default').map((stored) => stored.jobtype), ['B']);
    assert.equal(server.queue('mail').length, 0);
  });

  it('is prepended to the queues a fetch names, and taken off the fetched job', async () => {
    await first(plain.push(job('Outside').queue('jobs')));
    const jid = await first(plain.push(job('Inside').queue('app-jobs')));
    const fetched = await first(client.fetch('jobs'));
    assert.equal(fetched?.jid, jid);
    assert.equal(fetched.queue, 'jobs');
    await done(client.ack(jid));
    assert.equal(server.queue('jobs').length, 1, 'the job outside the namespace stays');
  });

  it('is prepended to the queues of QUEUE commands, but not to the wildcard', async () => {
    await first(plain.push(job('L').queue('app-lat')));
    const latency = await first(client.queues.latency('lat'));
    assert.deepEqual(Object.keys(latency), ['lat']);
    await done(client.queues.remove('lat'));
    assert.equal(server.queue('app-lat').length, 0);
  });
});

describe('createClient and createPool options', () => {
  it('refuse an unknown key, naming it and the right one when it is a common mistake', () => {
    assert.throws(() => createClient({ poolSize: 3 } as never), (error: unknown) =>
      error instanceof InvalidArgumentError && error.argument === 'poolSize' && /not an option of createClient \(did you mean size\?\)/.test(error.message));
    assert.throws(() => createClient({ middelware: [] } as never), (error: unknown) =>
      error instanceof InvalidArgumentError && error.argument === 'middelware' && /not an option of createClient$/.test(error.message));
    assert.throws(() => createPool({ idleTimeout: 5 } as never), (error: unknown) =>
      error instanceof InvalidArgumentError && error.argument === 'idleTimeout' && /did you mean idleTimeoutMs\?/.test(error.message));
  });
});
