import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { job } from './raw-client.js';
import { setup } from './setup.js';

const push = (fields: Record<string, unknown>): string => `PUSH ${JSON.stringify(fields)}`;

describe('in-memory server: job table', () => {
  it('requires a jid of at least 8 characters', async (t) => {
    const { client } = await setup(t);
    assert.equal(await client.call(push(job({ jid: '1234567' }))), '-ERR jobs must have a reasonable jid parameter\r\n');
    assert.equal(await client.call(push({ jobtype: 'T', args: [] })), '-ERR jobs must have a reasonable jid parameter\r\n');
    assert.equal(await client.call(push(job({ jid: '12345678' }))), '+OK\r\n');
  });

  it('requires a non-empty jobtype', async (t) => {
    const { client } = await setup(t);
    assert.equal(await client.call(push(job({ jobtype: '' }))), '-ERR jobs must have a jobtype parameter\r\n');
  });

  it('requires an args array, empty allowed, a non-array being invalid JSON', async (t) => {
    const { client } = await setup(t);
    assert.equal(await client.call(push({ jid: 'args-0001', jobtype: 'T' })), '-ERR jobs must have an args parameter\r\n');
    assert.equal(
      await client.call(push({ jid: 'args-0002', jobtype: 'T', args: 'x' })),
      '-ERR invalid JSON: json: cannot unmarshal string into Go struct field Job.args of type []interface {}\r\n',
    );
    assert.equal(await client.call(push({ jid: 'args-0003', jobtype: 'T', args: [] })), '+OK\r\n');
  });

  it('defaults the queue to default and rejects a bad queue name for an immediate job', async (t) => {
    const { client, server } = await setup(t);
    await client.call(push(job({ jid: 'queue-001' })));
    assert.equal(server.queue('default')[0]?.queue, 'default');
    assert.equal(
      await client.call(push(job({ queue: 'bad/name' }))),
      '-ERR cannot get "bad/name" queue: queue names must match \\A[a-zA-Z0-9._-]+\\z\r\n',
    );
  });

  it('accepts a scheduled job with a bad queue name and loses it silently when it comes due', async (t) => {
    const { client, server, clock } = await setup(t);
    const at = new Date(clock.now() + 10_000).toISOString();
    assert.equal(await client.call(push(job({ queue: 'bad name', at }))), '+OK\r\n');
    clock.advance(15_000);
    assert.equal(server.scheduled().length, 0);
    assert.deepEqual(server.queues(), {});
  });

  it('defaults retry to 25 (absent or null) and keeps 0 and -1', async (t) => {
    const { client, server } = await setup(t);
    await client.call(push(job({ jid: 'retry-abs' })));
    await client.call(push(job({ jid: 'retry-nul', retry: null })));
    await client.call(push(job({ jid: 'retry-zer', retry: 0 })));
    await client.call(push(job({ jid: 'retry-neg', retry: -1 })));
    assert.deepEqual(server.queue('default').map((j) => j.retry), [25, 25, 0, -1]);
  });

  it('rejects reserve_for above 86400 and reserves for 1800 s by default and at least 60 s', async (t) => {
    const { client, server, clock } = await setup(t);
    assert.equal(await client.call(push(job({ reserve_for: 86_401 }))), '-ERR jobs cannot be reserved for more than one day\r\n');
    for (const [jid, reserveFor] of [['rf-default', undefined], ['rf-small01', 10], ['rf-large01', 7200]] as const) {
      await client.call(push(job({ jid, reserve_for: reserveFor })));
      await client.call('FETCH default');
    }
    const expiry = Object.fromEntries(server.working().map((w) => [w.job.jid, (w.expiresAtMs - clock.now()) / 1000]));
    assert.deepEqual(expiry, { 'rf-default': 1800, 'rf-small01': 60, 'rf-large01': 7200 });
  });

  it('schedules a job whose at is in the future (any offset) and enqueues one in the past', async (t) => {
    const { client, server, clock } = await setup(t);
    await client.call(push(job({ jid: 'future-01', at: '2030-01-01T02:00:00.123456789+01:00' })));
    await client.call(push(job({ jid: 'past-0001', at: '2029-12-31T23:59:59Z' })));
    assert.deepEqual(server.scheduled().map((s) => [s.job.jid, s.atMs - clock.now()]), [['future-01', 3_600_123]]);
    assert.deepEqual(server.queue('default').map((j) => j.jid), ['past-0001']);
  });

  it('rejects an unparsable at', async (t) => {
    const { client } = await setup(t);
    assert.equal(
      await client.call(push(job({ at: 'tomorrow' }))),
      `-ERR invalid timestamp for 'at': "tomorrow": parsing time "tomorrow" as "2006-01-02T15:04:05.999999999Z07:00": cannot parse "tomorrow" as "2006"\r\n`,
    );
  });

  it('sets created_at when absent, keeps it when given, and stamps enqueued_at at every enqueue', async (t) => {
    const { client, server, clock } = await setup(t);
    await client.call(push(job({ jid: 'created-1' })));
    await client.call(push(job({ jid: 'created-2', created_at: '2001-01-01T00:00:00Z', enqueued_at: '1999-01-01T00:00:00Z' })));
    clock.advance(1_000);
    const [a, b] = server.queue('default');
    assert.equal(a?.created_at, '2030-01-01T00:00:00Z');
    assert.equal(b?.created_at, '2001-01-01T00:00:00Z');
    assert.equal(b.enqueued_at, '2030-01-01T00:00:00Z');
  });

  it('keeps custom and backtrace and drops unknown fields such as priority', async (t) => {
    const { client } = await setup(t);
    await client.call(push(job({ jid: 'custom-01', custom: { k: 'v' }, backtrace: 5, priority: 9 })));
    const reply = await client.command('FETCH default');
    const fetched = JSON.parse(reply.type === 'bulk' ? reply.value : '{}') as Record<string, unknown>;
    assert.deepEqual(fetched['custom'], { k: 'v' });
    assert.equal(fetched['backtrace'], 5);
    assert.equal('priority' in fetched, false);
  });

  it('escapes <, > and & in job JSON as Go does', async (t) => {
    const { client } = await setup(t);
    await client.call(push(job({ jid: 'escape-01', args: ['<a&b>'] })));
    const { raw } = await (client.send('FETCH default'), client.frame());
    assert.ok(raw.includes('"args":["\\u003ca\\u0026b\\u003e"]'), raw);
  });
});
