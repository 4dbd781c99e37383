import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Frame } from '../../../src/codec/index.js';
import { job, type RawClient } from './raw-client.js';
import { setup } from './setup.js';

const value = (frame: Frame): string => (frame.type === 'bulk' || frame.type === 'simple' ? frame.value : `<${frame.type}>`);
const json = (frame: Frame): Record<string, unknown> => JSON.parse(value(frame)) as Record<string, unknown>;

async function work(client: RawClient, queue: string, outcome: 'ack' | 'fail'): Promise<Record<string, unknown>> {
  const fetched = json(await client.command(`FETCH ${queue}`));
  const reply = outcome === 'ack' ? await client.call(`ACK {"jid":"${String(fetched['jid'])}"}`) : await client.call(`FAIL {"jid":"${String(fetched['jid'])}"}`);
  assert.equal(reply, '+OK\r\n');
  return fetched;
}

describe('in-memory server: Enterprise mode', () => {
  it('runs a batch: callbacks only after COMMIT, complete when all ran, success when all succeeded', async (t) => {
    const { client, server } = await setup(t, { enterprise: true });
    const bid = value(await client.command('BATCH NEW {"description":"d","success":{"jobtype":"Done","args":[],"queue":"cb"},"complete":{"jobtype":"Ran","args":[],"queue":"cb"}}'));
    assert.match(bid, /^b-/);
    await client.call(`PUSH ${JSON.stringify(job({ jid: 'batch-j01', custom: { bid } }))}`);
    await client.call(`PUSH ${JSON.stringify(job({ jid: 'batch-j02', custom: { bid } }))}`);
    await work(client, 'default', 'ack');
    await work(client, 'default', 'fail');
    assert.equal(server.queue('cb').length, 0, 'no callback before commit');
    assert.equal(await client.call(`BATCH COMMIT ${bid}`), '+OK\r\n');
    const status = json(await client.command(`BATCH STATUS ${bid}`));
    assert.deepEqual({ ...status, created_at: undefined }, {
      bid, description: 'd', created_at: undefined, total: 2, pending: 1, failed: 1, complete_st: '1', success_st: '',
    });
    const complete = await work(client, 'cb', 'ack');
    assert.deepEqual([complete['jobtype'], (complete['custom'] as Record<string, unknown>)['_bid']], ['Ran', bid]);
    assert.equal(json(await client.command(`BATCH STATUS ${bid}`))['complete_st'], '2');
    await client.call('MUTATE {"cmd":"requeue","target":"retries"}');
    await work(client, 'default', 'ack');
    const success = await work(client, 'cb', 'ack');
    assert.equal(success['jobtype'], 'Done');
    assert.deepEqual(json(await client.command(`BATCH STATUS ${bid}`))['success_st'], '2');
  });

  it('waits for child batches before the parent succeeds, and marks callbacks with _pbid', async (t) => {
    const { client, server } = await setup(t, { enterprise: true });
    const parent = value(await client.command('BATCH NEW {"success":{"jobtype":"P","args":[],"queue":"cb"}}'));
    const child = value(await client.command(`BATCH NEW {"parent_bid":"${parent}","success":{"jobtype":"C","args":[],"queue":"cb"}}`));
    await client.call(`PUSH ${JSON.stringify(job({ custom: { bid: child } }))}`);
    await client.call(`BATCH COMMIT ${parent}`);
    assert.equal(server.queue('cb').length, 0);
    await client.call(`BATCH COMMIT ${child}`);
    await work(client, 'default', 'ack');
    const callbacks = server.queue('cb').map((j) => [j.jobtype, j.custom?.['_pbid']]);
    assert.deepEqual(callbacks, [['C', parent], ['P', undefined]]);
    assert.equal(json(await client.command(`BATCH STATUS ${child}`))['parent_bid'], parent);
  });

  it('reopens with BATCH OPEN and answers unknown bids with No such batch', async (t) => {
    const { client } = await setup(t, { enterprise: true });
    const bid = value(await client.command('BATCH NEW {"complete":{"jobtype":"X","args":[]}}'));
    assert.equal(value(await client.command(`BATCH OPEN ${bid}`)), bid);
    assert.equal(await client.call('BATCH OPEN b-nope'), '-ERR No such batch b-nope\r\n');
    assert.equal(await client.call('BATCH NEW {}'), '-ERR batch must have a success or complete callback\r\n');
  });

  it('tracks a job with custom.track through its states and extends its reservation with reserve_until', async (t) => {
    const { client, server, clock } = await setup(t, { enterprise: true });
    await client.call(`PUSH ${JSON.stringify(job({ jid: 'track-001', custom: { track: 1 }, reserve_for: 600 }))}`);
    assert.equal(json(await client.command('TRACK GET track-001'))['state'], 'enqueued');
    await client.command('FETCH default');
    const until = new Date(clock.now() + 3_600_000).toISOString();
    assert.equal(await client.call(`TRACK SET {"jid":"track-001","percent":50,"desc":"half","reserve_until":"${until}"}`), '+OK\r\n');
    assert.equal(server.working()[0]?.expiresAtMs, clock.now() + 3_600_000);
    const far = new Date(clock.now() + 48 * 3_600_000).toISOString();
    await client.call(`TRACK SET {"jid":"track-001","reserve_until":"${far}"}`);
    assert.equal(server.working()[0]?.expiresAtMs, clock.now() + 24 * 3_600_000, 'at most 24 h ahead');
    assert.deepEqual(json(await client.command('TRACK GET track-001')), {
      jid: 'track-001', percent: 50, desc: 'half', state: 'working', updated_at: '2030-01-01T00:00:00Z',
    });
    await client.call('ACK {"jid":"track-001"}');
    assert.equal(json(await client.command('TRACK GET track-001'))['state'], 'success');
    assert.equal(json(await client.command('TRACK GET nobody-1'))['state'], 'unknown');
  });

  it('refuses a duplicate unique job with -NOTUNIQUE until it succeeds or the lock expires', async (t) => {
    const { client, clock } = await setup(t, { enterprise: true });
    const unique = (jid: string, extra: Record<string, unknown> = {}): string =>
      `PUSH ${JSON.stringify({ jid, jobtype: 'U', args: [1], custom: { unique_for: 60, ...extra } })}`;
    assert.equal(await client.call(unique('unique-01')), '+OK\r\n');
    assert.equal(await client.call(unique('unique-02')), '-NOTUNIQUE Job not unique\r\n');
    const bulkReply = await client.command(`PUSHB ${JSON.stringify([{ jid: 'unique-03', jobtype: 'U', args: [1], custom: { unique_for: 60 } }])}`);
    assert.deepEqual(json(bulkReply), { 'unique-03': 'NOTUNIQUE Job not unique' });
    await work(client, 'default', 'ack');
    assert.equal(await client.call(unique('unique-04', { unique_until: 'start' })), '+OK\r\n');
    await client.command('FETCH default');
    assert.equal(await client.call(unique('unique-05')), '+OK\r\n', 'released at start');
    clock.advance(61_000);
    assert.equal(await client.call(unique('unique-06')), '+OK\r\n', 'expired');
  });

  it('drops jobs whose expires_at or expires_in has passed when a FETCH reaches them', async (t) => {
    const { client, clock } = await setup(t, { enterprise: true });
    await client.call(`PUSH ${JSON.stringify(job({ jid: 'expires-1', custom: { expires_in: 10 } }))}`);
    await client.call(`PUSH ${JSON.stringify(job({ jid: 'expires-2', custom: { expires_at: new Date(clock.now() + 5_000).toISOString() } }))}`);
    await client.call(`PUSH ${JSON.stringify(job({ jid: 'expires-3' }))}`);
    clock.advance(10_000);
    assert.equal(json(await client.command('FETCH default'))['jid'], 'expires-3');
  });
});
