import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { job } from './raw-client.js';
import { setup } from './setup.js';

describe('in-memory server: lines a client sent before it closed', () => {
  it('still runs a waiting FETCH: a job pushed within the wait is reserved for the gone client', async (t) => {
    const { server, clock, connect } = await setup(t);
    const gone = await connect({ wid: 'gone-1' });
    gone.send('FETCH default');
    await server.waitFor((s) => s.stats().commands >= 1);
    gone.close();
    await server.until.connections(1);
    clock.advance(1_999);
    server.push(job({ jid: 'stranded-1' }));
    assert.deepEqual(server.working().map((r) => [r.job.jid, r.wid]), [['stranded-1', 'gone-1']]);
    assert.equal(server.queue('default').length, 0);
  });

  it('runs every pipelined FETCH in turn, each reserving the next job that arrives', async (t) => {
    const { server, connect } = await setup(t);
    const gone = await connect();
    gone.write('FETCH default\r\n'.repeat(4));
    await server.waitFor((s) => s.stats().commands >= 1);
    gone.close();
    await server.until.connections(1);
    for (let n = 1; n <= 4; n++) {
      server.push(job({ jid: `stranded-${n}` }));
      await server.until.working(n);
    }
    server.push(job({ jid: 'left-over' }));
    assert.deepEqual(server.queue('default').map((j) => j.jid), ['left-over']);
  });

  it('lets a FETCH that got nothing answer null to nobody after the wait, then runs the next line', async (t) => {
    const { server, clock, connect } = await setup(t);
    const gone = await connect();
    gone.write('FETCH default\r\nPUSH {"jid":"after-the-wait","jobtype":"T","args":[]}\r\n');
    await server.waitFor((s) => s.stats().commands >= 1);
    gone.close();
    await server.until.connections(1);
    clock.advance(2_000);
    await server.until.queueSize('default', 1);
    assert.equal(server.working().length, 0);
    assert.deepEqual(server.queue('default').map((j) => j.jid), ['after-the-wait']);
  });

  it('cancels what is still running when the server drops the connection', async (t) => {
    const { server, connect } = await setup(t);
    const dropped = await connect();
    dropped.send('FETCH default');
    await server.waitFor((s) => s.stats().commands >= 1);
    server.dropConnections();
    await dropped.closed();
    server.push(job({ jid: 'not-taken' }));
    assert.equal(server.working().length, 0);
    assert.equal(server.queue('default').length, 1);
  });
});
