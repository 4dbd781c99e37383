import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { job } from './raw-client.js';
import { setup } from './setup.js';

const WORKER = { wid: 'worker-1', hostname: 'host', pid: 42, labels: ['a'] };

describe('in-memory server: command table transcripts', () => {
  it('answers PUSH with +OK and puts the job on its queue', async (t) => {
    const { client, server } = await setup(t);
    assert.equal(await client.call(`PUSH ${JSON.stringify(job({ jid: 'push-0001' }))}`), '+OK\r\n');
    assert.deepEqual(server.queue('default').map((j) => j.jid), ['push-0001']);
  });

  it('answers PUSHB with {} when every job is accepted and a sorted jid->reason map otherwise', async (t) => {
    const { client, server } = await setup(t);
    const ok = [job(), job()];
    assert.equal(await client.call(`PUSHB ${JSON.stringify(ok)}`), '$2\r\n{}\r\n');
    const bad = [job({ jid: 'zz-bad-jobtype', jobtype: '' }), job({ jid: 'aa-bad-queue', queue: 'no spaces' }), job({ jid: 'mm-good-one' })];
    const reply = await client.command(`PUSHB ${JSON.stringify(bad)}`);
    assert.equal(
      reply.type === 'bulk' ? reply.value : `not bulk: ${reply.type}`,
      '{"aa-bad-queue":"cannot get \\"no spaces\\" queue: queue names must match \\\\A[a-zA-Z0-9._-]+\\\\z","zz-bad-jobtype":"jobs must have a jobtype parameter"}',
    );
    assert.equal(server.queue('default').length, 3);
  });

  it('answers PUSHB with -ERR invalid JSON when the array itself is bad', async (t) => {
    const { client } = await setup(t);
    assert.equal(await client.call('PUSHB {"jid":"x"}'), '-ERR invalid JSON: json: cannot unmarshal object into Go value of type []client.Job\r\n');
    assert.equal(await client.call('PUSHB [1'), '-ERR invalid JSON: unexpected end of JSON input\r\n');
  });

  it('answers FETCH with the job as a bulk string, taking queues in the order given', async (t) => {
    const { client, connect } = await setup(t);
    const worker = await connect(WORKER);
    await client.call(`PUSH ${JSON.stringify(job({ jid: 'low-00001', queue: 'low' }))}`);
    await client.call(`PUSH ${JSON.stringify(job({ jid: 'high-0001', queue: 'high' }))}`);
    const first = await worker.command('FETCH high low');
    assert.equal(first.type === 'bulk' && (JSON.parse(first.value) as { jid: string }).jid, 'high-0001');
    const second = await worker.command('FETCH high low');
    assert.equal(second.type === 'bulk' && (JSON.parse(second.value) as { jid: string }).jid, 'low-00001');
  });

  it('writes a fetched job with the server field order, created_at, enqueued_at and retry 25', async (t) => {
    const { client } = await setup(t);
    await client.call('PUSH {"args":[1],"jobtype":"T","jid":"order-001","priority":9}');
    const { raw } = await (client.send('FETCH default'), client.frame());
    assert.match(raw, /^\$\d+\r\n\{"retry":25,"jid":"order-001","queue":"default","jobtype":"T","created_at":"2030-01-01T00:00:00Z","enqueued_at":"2030-01-01T00:00:00Z","args":\[1\]\}\r\n$/);
  });

  it('answers a bare FETCH with -ERR must call fetch with at least one queue', async (t) => {
    const { client } = await setup(t);
    assert.equal(await client.call('FETCH'), '-ERR must call fetch with at least one queue\r\n');
  });

  it('answers FETCH with a null bulk after 2 s with nothing to give', async (t) => {
    const { client, clock, server } = await setup(t);
    client.send('FETCH default');
    const reply = client.raw();
    await server.waitFor((s) => s.stats().commands >= 1);
    clock.advance(1_999);
    assert.equal(clock.pendingTimers(), 3, 'the FETCH is still waiting (with the tick and the sweep)');
    clock.advance(1);
    assert.equal(clock.pendingTimers(), 2);
    assert.equal(await reply, '$-1\r\n');
  });

  it('hands a job pushed during a blocking FETCH to the waiting fetcher', async (t) => {
    const { client, connect, server } = await setup(t);
    const worker = await connect(WORKER);
    worker.send('FETCH a b');
    await server.waitFor(() => server.stats().commands >= 1);
    await client.call(`PUSH ${JSON.stringify(job({ jid: 'late-0001', queue: 'b' }))}`);
    const reply = await worker.frame();
    assert.equal(reply.frame.type === 'bulk' && (JSON.parse(reply.frame.value) as { jid: string }).jid, 'late-0001');
    assert.equal(server.working().length, 1);
  });

  it('answers pipelined commands in order, including ones queued behind a blocking FETCH', async (t) => {
    const { client, clock, server } = await setup(t);
    client.write(`FETCH empty\r\nPUSH ${JSON.stringify(job({ jid: 'pipe-0001' }))}\r\nFETCH nothing\r\nBAD\r\n`);
    await server.waitFor((s) => s.stats().commands >= 1);
    clock.advance(2_000);
    assert.equal(await client.raw(), '$-1\r\n');
    assert.equal(await client.raw(), '+OK\r\n');
    await server.waitFor((s) => s.stats().commands >= 3);
    clock.advance(2_000);
    assert.equal(await client.raw(), '$-1\r\n');
    assert.equal(await client.raw(), '-ERR unknown command BAD\r\n');
  });

  it('waits fetchWaitMs before a null bulk: 2000 by default, 0 answers at once', async (t) => {
    for (const [fetchWaitMs, expected] of [[undefined, 2_000], [150, 150]] as const) {
      const { client, clock, server } = await setup(t, fetchWaitMs === undefined ? {} : { fetchWaitMs });
      client.send('FETCH empty');
      await server.waitFor((s) => s.stats().commands >= 1);
      const waiting = clock.pendingTimers();
      clock.advance(expected - 1);
      assert.equal(clock.pendingTimers(), waiting, `still waiting at ${expected - 1} ms`);
      clock.advance(1);
      assert.equal(clock.pendingTimers(), waiting - 1);
      assert.equal(await client.raw(), '$-1\r\n');
    }
    const { client } = await setup(t, { fetchWaitMs: 0 });
    assert.equal(await client.call('FETCH empty'), '$-1\r\n');
  });

  it('answers ACK with +OK, also for an unknown jid, and deletes the reservation', async (t) => {
    const { client, server } = await setup(t);
    await client.call(`PUSH ${JSON.stringify(job({ jid: 'ack-00001' }))}`);
    await client.call('FETCH default');
    assert.equal(await client.call('ACK {"jid":"ack-00001"}'), '+OK\r\n');
    assert.equal(server.working().length, 0);
    assert.equal(server.info()['faktory'] !== undefined && (server.info()['faktory'] as { total_processed: number }).total_processed, 1);
    assert.equal(await client.call('ACK {"jid":"never-seen"}'), '+OK\r\n');
  });

  it('answers a malformed ACK with -ERR invalid ACK <payload>', async (t) => {
    const { client } = await setup(t);
    assert.equal(await client.call('ACK {"nojid":"x"}'), '-ERR invalid ACK {"nojid":"x"}\r\n');
    assert.equal(await client.call('ACK {"jid":"abcdefgh","n":1}'), '-ERR invalid ACK {"jid":"abcdefgh","n":1}\r\n');
    assert.equal(await client.call('ACK'), '-ERR invalid ACK \r\n');
  });

  it('answers FAIL with +OK for a reserved job and puts it in retries', async (t) => {
    const { client, server } = await setup(t);
    await client.call(`PUSH ${JSON.stringify(job({ jid: 'fail-0001' }))}`);
    await client.call('FETCH default');
    assert.equal(await client.call('FAIL {"jid":"fail-0001","errtype":"E","message":"boom","backtrace":["a"]}'), '+OK\r\n');
    assert.deepEqual(server.retries().map((r) => r.job.failure?.message), ['boom']);
  });

  it('answers FAIL for a job without reservation with -ERR Job not found <jid>, and without jid with -ERR missing JID', async (t) => {
    const { client } = await setup(t);
    assert.equal(await client.call('FAIL {"jid":"unknown-1"}'), '-ERR Job not found unknown-1\r\n');
    assert.equal(await client.call('FAIL {"message":"x"}'), '-ERR missing JID\r\n');
  });

  it('answers BEAT with +OK, a bulk {"state":...} once quiet/terminate, and -ERR unknown worker', async (t) => {
    const { client, server } = await setup(t, {}, WORKER);
    assert.equal(await client.call('BEAT {"wid":"worker-1","rss_kb":1000}'), '+OK\r\n');
    server.setWorkerState('worker-1', 'quiet');
    assert.equal(await client.call('BEAT {"wid":"worker-1"}'), '$17\r\n{"state":"quiet"}\r\n');
    server.setWorkerState('worker-1', 'terminate');
    assert.equal(await client.call('BEAT {"wid":"worker-1"}'), '$21\r\n{"state":"terminate"}\r\n');
    assert.equal(await client.call('BEAT {"wid":"nobody"}'), '-ERR unknown worker nobody\r\n');
  });

  it('moves a worker state forward only, from BEAT current_state', async (t) => {
    const { client, server } = await setup(t, {}, WORKER);
    assert.equal(await client.call('BEAT {"wid":"worker-1","current_state":"terminate"}'), '$21\r\n{"state":"terminate"}\r\n');
    assert.equal(await client.call('BEAT {"wid":"worker-1","current_state":"quiet"}'), '$21\r\n{"state":"terminate"}\r\n');
    assert.equal(server.workers()[0]?.state, 'terminate');
  });

  it('answers INFO with a bulk JSON of the real shape, in the Go structs key order', async (t) => {
    const { client } = await setup(t);
    await client.call(`PUSH ${JSON.stringify(job({ queue: 'q1' }))}`);
    const reply = await client.command('INFO');
    const info = JSON.parse(reply.type === 'bulk' ? reply.value : '"not bulk"') as Record<string, Record<string, unknown>>;
    assert.deepEqual(Object.keys(info), ['now', 'server_utc_time', 'faktory', 'server']);
    assert.deepEqual(Object.keys(info['faktory'] ?? {}), ['queues', 'sets', 'tasks', 'total_failures', 'total_processed', 'total_enqueued', 'total_queues']);
    assert.deepEqual(info['faktory']?.['queues'], { q1: 1 });
    assert.deepEqual(info['faktory']['sets'], { dead: 0, retries: 0, scheduled: 0, working: 0 });
    const scheduler = { cycles: 0, enqueued: 0, size: 0, wall_time_sec: 0 };
    assert.deepEqual(info['faktory']['tasks'], {
      Busy: { reaped: 0, size: 0 },
      Dead: scheduler,
      Retries: scheduler,
      Scheduled: scheduler,
      Workers: { reaped: 0, size: 0 },
    });
    assert.deepEqual(Object.keys(info['server'] ?? {}), ['description', 'faktory_version', 'uptime', 'connections', 'command_count', 'used_memory_mb']);
    assert.equal(info['server']?.['faktory_version'], '1.9.4');
    const top = info as Record<string, unknown>;
    assert.equal(top['now'], '2030-01-01T00:00:00Z');
    assert.equal(top['server_utc_time'], '00:00:00 UTC');
  });

  it('answers FLUSH with +OK and wipes every queue and set', async (t) => {
    const { client, server, clock } = await setup(t);
    await client.call(`PUSH ${JSON.stringify(job())}`);
    await client.call(`PUSH ${JSON.stringify(job({ at: new Date(clock.now() + 60_000).toISOString() }))}`);
    assert.equal(await client.call('FLUSH'), '+OK\r\n');
    assert.deepEqual(server.queues(), {});
    assert.equal(server.scheduled().length, 0);
  });

  it('closes the socket on END without a reply', async (t) => {
    const { client } = await setup(t);
    client.send('END');
    assert.equal(await client.closed(), '');
  });

  it('answers an unknown or lower-case verb with -ERR unknown command <VERB>', async (t) => {
    const { client } = await setup(t);
    assert.equal(await client.call('push {}'), '-ERR unknown command push\r\n');
    assert.equal(await client.call('NOPE a b'), '-ERR unknown command NOPE\r\n');
  });

  it('answers BATCH and TRACK with the Enterprise-only errors when Enterprise is off', async (t) => {
    const { client } = await setup(t);
    assert.equal(await client.call('BATCH NEW {}'), '-ERR batch subsystem is only available in Faktory Enterprise\r\n');
    assert.equal(await client.call('TRACK GET abc'), '-ERR tracking subsystem is only available in Faktory Enterprise\r\n');
  });

  it('answers the payload-less shapes that crash the real 1.9.4 with -ERR and keeps serving', async (t) => {
    const { client } = await setup(t);
    assert.equal(await client.call('PUSH'), '-ERR invalid JSON: unexpected end of JSON input\r\n');
    assert.equal(await client.call('PUSHB'), '-ERR invalid JSON: unexpected end of JSON input\r\n');
    assert.equal(await client.call('FAIL'), '-ERR invalid FAIL \r\n');
    assert.equal(await client.call('BEAT'), '-ERR invalid BEAT \r\n');
    assert.equal(await client.call('QUEUE'), '-ERR no such QUEUE subcommand: \r\n');
    assert.equal(await client.call('QUEUE PAUSE'), '-ERR QUEUE PAUSE needs at least one queue name\r\n');
    assert.equal(await client.call('QUEUE RESUME'), '-ERR QUEUE RESUME needs at least one queue name\r\n');
    assert.equal(await client.call('QUEUE REMOVE'), '-ERR QUEUE REMOVE needs at least one queue name\r\n');
    assert.equal(await client.call('INFO').then((r) => r.startsWith('$')), true);
  });
});
