import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { job, RawClient } from './raw-client.js';
import { setup } from './setup.js';

const push = (fields: Record<string, unknown>): string => `PUSH ${JSON.stringify(fields)}`;
const jidOf = (frame: { type: string; value?: string }): string | undefined =>
  frame.type === 'bulk' && frame.value !== undefined ? (JSON.parse(frame.value) as { jid: string }).jid : undefined;

async function failOnce(client: RawClient, jid: string, report: Record<string, unknown> = {}): Promise<void> {
  const fetched = await client.command('FETCH default');
  assert.equal(jidOf(fetched), jid);
  assert.equal(await client.call(`FAIL ${JSON.stringify({ jid, errtype: 'E', message: 'boom', ...report })}`), '+OK\r\n');
}

describe('in-memory server: lifecycle on the injected clock', () => {
  it('makes a job scheduled one hour ahead fetchable after the hour and the 5 s tick', async (t) => {
    const { client, server, clock } = await setup(t);
    await client.call(push(job({ jid: 'sched-001', at: new Date(clock.now() + 3_600_000).toISOString() })));
    clock.advance(3_600_000 - 1);
    assert.equal(server.queue('default').length, 0);
    clock.advance(5_001);
    assert.equal(jidOf(await client.command('FETCH default')), 'sched-001');
  });

  it('retries a failed job after count^4 + 15 + rand(0..29) * (count + 1) seconds', async (t) => {
    for (const [random, extra] of [[0, 0], [0.9999, 29]] as const) {
      const { client, server, clock } = await setup(t, { random: () => random });
      await client.call(push(job({ jid: 'backoff-1' })));
      for (let count = 0; count < 3; count++) {
        await failOnce(client, 'backoff-1');
        const [entry] = server.retries();
        const delay = count ** 4 + 15 + extra * (count + 1);
        assert.equal(entry?.atMs, clock.now() + delay * 1000, `retry ${count}`);
        assert.equal(entry.job.failure?.retry_count, count);
        assert.equal(entry.job.failure.next_at, new Date(entry.atMs).toISOString().replace('.000Z', 'Z'));
        clock.advance(delay * 1000 + 5_000);
        assert.equal(server.queue('default').length, 1);
      }
    }
  });

  it('records failed_at at the first failure and counts remaining retries', async (t) => {
    const { client, server, clock } = await setup(t, { random: () => 0 });
    await client.call(push(job({ jid: 'failure-1', retry: 3 })));
    await failOnce(client, 'failure-1');
    const first = server.retries()[0]?.job.failure;
    assert.deepEqual({ ...first, next_at: undefined }, { retry_count: 0, remaining: 3, failed_at: '2030-01-01T00:00:00Z', next_at: undefined, message: 'boom', errtype: 'E' });
    clock.advance(25_000);
    await failOnce(client, 'failure-1');
    assert.equal(server.retries()[0]?.job.failure?.failed_at, '2030-01-01T00:00:00Z');
    assert.equal(server.retries()[0]?.job.failure?.remaining, 2);
  });

  it('sends a job to the dead set after retry N allowed N + 1 runs', async (t) => {
    const { client, server, clock } = await setup(t, { random: () => 0 });
    await client.call(push(job({ jid: 'dies-0001', retry: 2 })));
    for (let run = 0; run < 3; run++) {
      await failOnce(client, 'dies-0001');
      clock.advance(200_000);
    }
    assert.equal(server.retries().length, 0);
    assert.deepEqual(server.dead().map((d) => d.job.jid), ['dies-0001']);
  });

  it('discards a job with retry 0 and sends one with retry -1 straight to dead', async (t) => {
    const { client, server } = await setup(t);
    await client.call(push(job({ jid: 'retry-000', retry: 0 })));
    await failOnce(client, 'retry-000');
    assert.equal(server.retries().length + server.dead().length, 0);
    await client.call(push(job({ jid: 'retry-neg', retry: -1 })));
    await failOnce(client, 'retry-neg');
    assert.deepEqual(server.dead().map((d) => d.job.jid), ['retry-neg']);
  });

  it('keeps dead jobs for 180 days', async (t) => {
    const { client, server, clock } = await setup(t);
    await client.call(push(job({ jid: 'dead-0001', retry: -1 })));
    await failOnce(client, 'dead-0001');
    clock.advance(180 * 86_400_000 - 10_000);
    assert.equal(server.dead().length, 1);
    clock.advance(15_000);
    assert.equal(server.dead().length, 0);
  });

  it('trims errtype to 100, message to 1000 and backtrace to 50 lines, filling unknown', async (t) => {
    const { client, server } = await setup(t);
    await client.call(push(job({ jid: 'trim-0001' })));
    await failOnce(client, 'trim-0001', { errtype: 'e'.repeat(150), message: 'm'.repeat(1500), backtrace: Array.from({ length: 80 }, (_, i) => `l${i}`) });
    const failure = server.retries()[0]?.job.failure;
    assert.equal(failure?.errtype?.length, 100);
    assert.equal(failure.message?.length, 1000);
    assert.equal(failure.backtrace?.length, 50);
    await client.call(push(job({ jid: 'trim-0002' })));
    await client.command('FETCH default');
    await client.call('FAIL {"jid":"trim-0002"}');
    const unknown = server.retries().find((r) => r.job.jid === 'trim-0002')?.job.failure;
    assert.deepEqual([unknown?.errtype, unknown?.message], ['unknown', 'unknown']);
  });

  it('fails an expired reservation as ReservationExpired on the 15 s sweep; a later FAIL is Job not found', async (t) => {
    const { client, server, clock } = await setup(t);
    clock.advance(5_000);
    await client.call(push(job({ jid: 'expire-01', reserve_for: 60 })));
    await client.command('FETCH default');
    clock.advance(60_000);
    assert.equal(server.working().length, 1, 'expired at 65 s, but the next sweep is at 75 s');
    clock.advance(10_000);
    assert.equal(server.working().length, 0);
    assert.equal(server.retries()[0]?.job.failure?.errtype, 'ReservationExpired');
    assert.equal(await client.call('FAIL {"jid":"expire-01"}'), '-ERR Job not found expire-01\r\n');
    assert.equal(await client.call('ACK {"jid":"expire-01"}'), '+OK\r\n');
  });

  it('forgets a worker silent for 60 s on the next sweep and closes its connections', async (t) => {
    const { server, clock, connect } = await setup(t);
    const worker = await connect({ wid: 'silent-1' });
    const other = await connect({ wid: 'alive-1' });
    clock.advance(45_000);
    assert.equal(await other.call('BEAT {"wid":"alive-1"}'), '+OK\r\n');
    clock.advance(15_000);
    await worker.closed();
    assert.deepEqual(server.workers().map((w) => w.wid), ['alive-1']);
    assert.equal(await other.call('BEAT {"wid":"silent-1"}'), '-ERR unknown worker silent-1\r\n');
    const again = await connect({ wid: 'silent-1' });
    assert.equal(await again.call('BEAT {"wid":"silent-1"}'), '+OK\r\n');
  });

  it('gives a quiet worker a null bulk after 2 s even when jobs wait', async (t) => {
    const { client, server, clock, connect } = await setup(t);
    const worker = await connect({ wid: 'quiet-1' });
    await client.call(push(job()));
    server.setWorkerState('quiet-1', 'quiet');
    worker.send('FETCH default');
    await server.waitFor((s) => s.stats().commands >= 2);
    clock.advance(2_000);
    assert.equal(await worker.raw(), '$-1\r\n');
    assert.equal(server.queue('default').length, 1);
  });

  it('skips paused queues and serves a waiting FETCH on RESUME', async (t) => {
    const { client, server, connect } = await setup(t);
    const worker = await connect({ wid: 'pause-1' });
    await client.call(push(job({ jid: 'paused-01', queue: 'p' })));
    assert.equal(await client.call('QUEUE PAUSE p'), '+OK\r\n');
    worker.send('FETCH p');
    await server.waitFor((s) => s.stats().commands >= 3);
    assert.equal(await client.call('QUEUE RESUME p'), '+OK\r\n');
    assert.equal(jidOf((await worker.frame()).frame), 'paused-01');
  });

  it('drops a connection that has not completed the handshake within 2 s, silently', async (t) => {
    const { server, clock } = await setup(t);
    const raw = await RawClient.open(server.port);
    assert.equal(await raw.raw(), '+HI {"v":2}\r\n');
    await server.until.connections(2);
    clock.advance(1_999);
    assert.equal(server.stats().connections, 2);
    clock.advance(1);
    assert.equal(await raw.closed(), '');
  });
});
