import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toArray } from 'rxjs';
import { ClosedError, InvalidArgumentError, ProtocolError, ServerError } from '../../src/errors.js';
import { createClient, job } from '../../src/streams/index.js';
import { first, done } from './await.js';
import { bulk, err, FakePool, okReply } from './fake-pool.js';

const worker = { wid: 'w-1234' };

function setup(respond?: ConstructorParameters<typeof FakePool>[0]) {
  const pool = new FakePool(respond);
  const client = createClient({ pool, worker });
  return { pool, client };
}

describe('FaktoryClient commands', () => {
  it('sends nothing until a command is subscribed, and once per subscription', async () => {
    const { pool, client } = setup();
    const push$ = client.push(job('Email', 1).jid('abcdefgh1'));
    assert.deepEqual(pool.lines, []);
    await first(push$);
    await first(push$);
    assert.equal(pool.lines.length, 2);
  });

  it('pushes a job as one compact JSON line and emits its jid', async () => {
    const { pool, client } = setup();
    const jid = await first(client.push(job('Email', 'a@b.c', 7).jid('abcdefgh1').queue('critical').retry(3)));
    assert.equal(jid, 'abcdefgh1');
    assert.deepEqual(pool.lines, ['PUSH {"jid":"abcdefgh1","jobtype":"Email","args":["a@b.c",7],"queue":"critical","retry":3}']);
  });

  it('turns an error reply into a ServerError that keeps the server code word', async () => {
    const { client } = setup(() => err('NOTUNIQUE', 'Job not unique'));
    const error = await first(client.push(job('Email').jid('abcdefgh1'))).catch((e: unknown) => e);
    assert.ok(error instanceof ServerError);
    assert.equal(error.serverCode, 'NOTUNIQUE');
    assert.equal(error.serverMessage, 'Job not unique');
  });

  it('pushes in bulk and emits the rejected jobs with their reasons', async () => {
    const { pool, client } = setup(() => bulk({ bbbbbbbb2: 'jobs must have a jobtype parameter' }));
    const rejected = await first(client.pushBulk([job('A').jid('aaaaaaaa1'), job('B').jid('bbbbbbbb2')]));
    assert.deepEqual(pool.lines, ['PUSHB [{"jid":"aaaaaaaa1","jobtype":"A","args":[],"retry":25},{"jid":"bbbbbbbb2","jobtype":"B","args":[],"retry":25}]']);
    assert.deepEqual(rejected, [{ job: { jid: 'bbbbbbbb2', jobtype: 'B', args: [], retry: 25 }, reason: 'jobs must have a jobtype parameter' }]);
  });

  it('sends no PUSHB for an empty list', async () => {
    const { pool, client } = setup();
    assert.deepEqual(await first(client.pushBulk([])), []);
    assert.deepEqual(pool.lines, []);
  });

  it('fetches as a blocking command and emits the job, or null for a null reply', async () => {
    const stored = { jid: 'abcdefgh1', jobtype: 'A', args: [1], queue: 'q1' };
    let reply = bulk(stored);
    const { pool, client } = setup(() => reply);
    assert.deepEqual(await first(client.fetch('q1', 'q2')), stored);
    reply = { type: 'null' };
    assert.equal(await first(client.fetch('q1')), null);
    assert.deepEqual(pool.lines, ['FETCH q1 q2', 'FETCH q1']);
    assert.deepEqual(pool.options, [{ blocking: true }, { blocking: true }]);
  });

  it('refuses a FETCH without queues or with a bad queue name before sending', async () => {
    const { pool, client } = setup();
    await assert.rejects(first(client.fetch()), InvalidArgumentError);
    await assert.rejects(first(client.fetch('ok', 'not ok')), InvalidArgumentError);
    assert.deepEqual(pool.lines, []);
  });

  it('acks with a JSON payload', async () => {
    const { pool, client } = setup();
    await done(client.ack('abcdefgh1'));
    assert.deepEqual(pool.lines, ['ACK {"jid":"abcdefgh1"}']);
  });

  it('fails with errtype, message and a backtrace from the stack', async () => {
    const { pool, client } = setup();
    const error = new TypeError('bad input');
    await done(client.fail('abcdefgh1', error, { backtrace: 2 }));
    const payload = JSON.parse(pool.lines[0]!.slice('FAIL '.length)) as { jid: string; errtype: string; message: string; backtrace: string[] };
    assert.equal(payload.jid, 'abcdefgh1');
    assert.equal(payload.errtype, 'TypeError');
    assert.equal(payload.message, 'bad input');
    assert.equal(payload.backtrace.length, 2);
    assert.match(payload.backtrace[0]!, /^at /);
  });

  it('beats with the worker id and maps the replies to ok, quiet and terminate', async () => {
    const replies = [okReply, bulk({ state: 'quiet' }), { type: 'simple', value: '{"state":"terminate"}' } as const];
    const { pool, client } = setup(() => replies.shift()!);
    assert.equal(await first(client.beat()), 'ok');
    assert.equal(await first(client.beat({ currentState: 'quiet', rssKb: 1024 })), 'quiet');
    assert.equal(await first(client.beat()), 'terminate');
    assert.deepEqual(pool.lines, ['BEAT {"wid":"w-1234"}', 'BEAT {"wid":"w-1234","current_state":"quiet","rss_kb":1024}', 'BEAT {"wid":"w-1234"}']);
  });

  it('refuses BEAT without a worker identity', async () => {
    const pool = new FakePool();
    const client = createClient({ pool });
    const error = await first(client.beat()).catch((e: unknown) => e);
    assert.ok(error instanceof InvalidArgumentError);
    assert.equal(error.argument, 'worker');
    assert.deepEqual(pool.lines, []);
  });

  it('reads INFO as JSON and sends FLUSH', async () => {
    const info = { now: 'x', server_utc_time: 'y', faktory: { queues: { default: 2 } }, server: { faktory_version: '1.9.0' } };
    const { pool, client } = setup((line) => (line === 'INFO' ? bulk(info) : okReply));
    assert.deepEqual(await first(client.info()), info);
    await done(client.flush());
    assert.deepEqual(pool.lines, ['INFO', 'FLUSH']);
  });

  it('turns a reply of the wrong shape into a ProtocolError', async () => {
    const { client } = setup(() => bulk('not json'));
    await assert.rejects(first(client.info()), ProtocolError);
    await assert.rejects(done(client.flush()), ProtocolError);
  });

  it('sends the QUEUE commands and reads latencies', async () => {
    const { pool, client } = setup((line) => (line.startsWith('QUEUE LATENCY') ? bulk({ a: 1.5, b: 0 }) : okReply));
    await done(client.queues.pause('a', 'b'));
    await done(client.queues.resume('*'));
    await done(client.queues.remove('a'));
    assert.deepEqual(await first(client.queues.latency('a', 'b')), { a: 1.5, b: 0 });
    assert.deepEqual(pool.lines, ['QUEUE PAUSE a b', 'QUEUE RESUME *', 'QUEUE REMOVE a', 'QUEUE LATENCY a b']);
  });

  it('refuses QUEUE without names and LATENCY with the wildcard', async () => {
    const { pool, client } = setup();
    await assert.rejects(done(client.queues.pause()), InvalidArgumentError);
    await assert.rejects(done(client.queues.latency('*')), InvalidArgumentError);
    assert.deepEqual(pool.lines, []);
  });

  it('builds MUTATE commands as compact JSON', async () => {
    const { pool, client } = setup();
    await done(client.mutate('retries').jobtype('Email').matching('*acme*').requeue());
    await done(client.mutate('dead').jids('aaaaaaaa1', 'bbbbbbbb2').discard());
    await done(client.mutate('scheduled').jobtype('X').kill());
    await done(client.mutate('retries').jobtype('X').clear());
    assert.deepEqual(pool.lines, [
      'MUTATE {"cmd":"requeue","target":"retries","filter":{"jobtype":"Email","regexp":"*acme*"}}',
      'MUTATE {"cmd":"discard","target":"dead","filter":{"jids":["aaaaaaaa1","bbbbbbbb2"]}}',
      'MUTATE {"cmd":"kill","target":"scheduled","filter":{"jobtype":"X"}}',
      'MUTATE {"cmd":"clear","target":"retries"}',
    ]);
  });

  it('refuses a MUTATE filter value containing a space, which the server cannot parse', () => {
    const { client } = setup();
    assert.throws(() => client.mutate('retries').matching('*a b*'), (e: unknown) => e instanceof InvalidArgumentError && e.argument === 'filter.regexp');
    assert.throws(() => client.mutate('dead').jobtype('Send Email'), InvalidArgumentError);
    assert.throws(() => client.mutate('queues' as 'dead'), InvalidArgumentError);
  });

  it('sends the BATCH commands', async () => {
    const { pool, client } = setup((line) => {
      if (line.startsWith('BATCH NEW') || line.startsWith('BATCH OPEN')) return bulk('b-1');
      if (line.startsWith('BATCH STATUS')) return bulk({ bid: 'b-1', total: 2, pending: 1 });
      return okReply;
    });
    const bid = await first(
      client.batch.new({ description: 'nightly', parentBid: 'b-0', success: job('Done').jid('cccccccc3'), complete: job('Report').jid('dddddddd4') }),
    );
    assert.equal(bid, 'b-1');
    assert.equal(await first(client.batch.open('b-1')), 'b-1');
    await done(client.batch.commit('b-1'));
    assert.deepEqual(await first(client.batch.status('b-1')), { bid: 'b-1', total: 2, pending: 1 });
    assert.deepEqual(pool.lines, [
      'BATCH NEW {"description":"nightly","parent_bid":"b-0","success":{"jid":"cccccccc3","jobtype":"Done","args":[],"retry":25},"complete":{"jid":"dddddddd4","jobtype":"Report","args":[],"retry":25}}',
      'BATCH OPEN b-1',
      'BATCH COMMIT b-1',
      'BATCH STATUS b-1',
    ]);
  });

  it('refuses a batch without a callback before sending', async () => {
    const { pool, client } = setup();
    await assert.rejects(first(client.batch.new({ description: 'x' })), InvalidArgumentError);
    assert.deepEqual(pool.lines, []);
  });

  it('runs a batch: creates it, runs the work with its bid, then commits', async () => {
    const { pool, client } = setup((line) => (line.startsWith('BATCH NEW') ? bulk('b-9') : okReply));
    const bid = await first(
      client.batch.run({ success: job('Done').jid('cccccccc3') }, (b) => client.push(job('Part').jid('pppppppp1').custom({ bid: b }))),
    );
    assert.equal(bid, 'b-9');
    assert.deepEqual(pool.lines.slice(1), ['PUSH {"jid":"pppppppp1","jobtype":"Part","args":[],"custom":{"bid":"b-9"},"retry":25}', 'BATCH COMMIT b-9']);
  });

  it('does not commit a batch whose work fails', async () => {
    const { pool, client } = setup((line) => (line.startsWith('BATCH NEW') ? bulk('b-9') : okReply));
    const work = () => Promise.reject(new Error('boom'));
    await assert.rejects(first(client.batch.run({ complete: job('Done') }, work)), /boom/);
    assert.equal(pool.lines.length, 1);
  });

  it('sends TRACK GET and TRACK SET with reserve_until', async () => {
    const status = { jid: 'abcdefgh1', percent: 50, desc: 'half', state: 'working', updated_at: 't' };
    const { pool, client } = setup((line) => (line.startsWith('TRACK GET') ? bulk(status) : okReply));
    assert.deepEqual(await first(client.track.get('abcdefgh1')), status);
    await done(client.track.set({ jid: 'abcdefgh1', percent: 60, desc: 'more', reserveUntil: new Date(Date.UTC(2030, 0, 1)) }));
    assert.deepEqual(pool.lines, [
      'TRACK GET abcdefgh1',
      'TRACK SET {"jid":"abcdefgh1","percent":60,"desc":"more","reserve_until":"2030-01-01T00:00:00.000Z"}',
    ]);
  });

  it('sends raw commands, as blocking for FETCH, and refuses the shapes that break a server', async () => {
    const { pool, client } = setup();
    assert.deepEqual(await first(client.raw('QUEUE', 'PAUSE', 'q')), okReply);
    await first(client.raw('FETCH', 'q'));
    assert.deepEqual(pool.options[1], { blocking: true });
    for (const [verb, ...args] of [['push'], ['PUSH'], ['QUEUE', 'PAUSE'], ['END'], ['INFO', 'a b'], ['BEAT']] as const) {
      await assert.rejects(first(client.raw(verb, ...args)), InvalidArgumentError, `${verb} ${args.join(' ')}`);
    }
    assert.deepEqual(pool.lines, ['QUEUE PAUSE q', 'FETCH q']);
  });

  it('emits undefined once from close(), then completes, even when its pool emits nothing', async () => {
    const { pool, client } = setup();
    assert.deepEqual(await first(client.close().pipe(toArray())), [undefined]);
    assert.ok(pool.closed);
  });

  it('refuses commands after close and closes or destroys its pool', async () => {
    const { pool, client } = setup();
    await done(client.close());
    assert.ok(pool.closed);
    await assert.rejects(first(client.info()), ClosedError);
    client.destroy();
    assert.ok(pool.destroyed);
    assert.deepEqual(pool.lines, []);
  });
});
