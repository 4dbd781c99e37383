import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { job, RawClient } from './raw-client.js';
import { setup } from './setup.js';

describe('in-memory server: control and inspection API', () => {
  it('drops every client socket on dropConnections and keeps accepting new ones', async (t) => {
    const { server, client, connect } = await setup(t);
    const second = await connect({ wid: 'drop-1' });
    server.dropConnections();
    await Promise.all([client.closed(), second.closed()]);
    await server.until.connections(0);
    const fresh = await RawClient.ready(server.port);
    t.after(() => {
      fresh.close();
    });
    assert.equal(await fresh.call('FLUSH'), '+OK\r\n');
  });

  it('resolves until.queueEmpty when the queue drains and until.processed after ACKs', async (t) => {
    const { server, client } = await setup(t);
    server.push(job({ jid: 'control-01' }));
    let drained = false;
    const empty = server.until.queueEmpty('default').then(() => (drained = true));
    assert.equal(drained, false);
    await client.command('FETCH default');
    await empty;
    const processed = server.until.processed(1);
    await client.call('ACK {"jid":"control-01"}');
    await processed;
    assert.deepEqual(server.stats().commands, 2);
  });

  it('refuses an invalid job pushed directly with the reply PUSH would give', async (t) => {
    const { server } = await setup(t);
    assert.throws(() => {
      server.push({ jid: 'short', jobtype: 'T', args: [] });
    }, { name: 'ServerError', serverMessage: 'jobs must have a reasonable jid parameter' });
  });

  it('rejects a wait with TimeoutError after timeoutMs and pending waits with ClosedError on close', async (t) => {
    const { server } = await setup(t);
    await assert.rejects(server.until.processed(1, { timeoutMs: 20 }), { name: 'TimeoutError', timeoutMs: 20 });
    const pending = server.waitFor(() => false);
    await server.close();
    await assert.rejects(pending, { name: 'ClosedError' });
  });

  it('lists workers with their identity and reports working jobs with their wid and expiry', async (t) => {
    const { server, clock, connect } = await setup(t);
    const worker = await connect({ wid: 'list-1', hostname: 'box', pid: 7, labels: ['x'] });
    server.push(job({ jid: 'listed-01' }));
    await worker.command('FETCH default');
    assert.deepEqual(
      server.workers().map(({ wid, hostname, pid, labels, state, connections }) => ({ wid, hostname, pid, labels, state, connections })),
      [{ wid: 'list-1', hostname: 'box', pid: 7, labels: ['x'], state: 'running', connections: 1 }],
    );
    assert.deepEqual(server.working().map((w) => [w.job.jid, w.wid, w.expiresAtMs - clock.now()]), [['listed-01', 'list-1', 1_800_000]]);
    assert.throws(() => {
      server.setWorkerState('nobody', 'quiet');
    }, { name: 'InvalidArgumentError' });
  });
});
