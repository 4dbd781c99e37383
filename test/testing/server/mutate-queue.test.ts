import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { job } from './raw-client.js';
import { setup, type Setup } from './setup.js';

async function seedRetries(s: Setup): Promise<void> {
  const specs = [
    { jid: 'mut-alpha-1', jobtype: 'Alpha', args: ['needle'] },
    { jid: 'mut-alpha-2', jobtype: 'Alpha', args: ['hay'] },
    { jid: 'mut-beta-01', jobtype: 'Beta', args: ['needle'] },
  ];
  for (const spec of specs) {
    await s.client.call(`PUSH ${JSON.stringify(spec)}`);
    await s.client.command('FETCH default');
    await s.client.call(`FAIL {"jid":"${spec.jid}"}`);
  }
  assert.equal(s.server.retries().length, 3);
}

const jids = (entries: readonly { job: { jid: string } }[]): string[] => entries.map((e) => e.job.jid).sort();

describe('in-memory server: MUTATE', () => {
  it('clear empties the whole target set and ignores the filter', async (t) => {
    const s = await setup(t);
    await seedRetries(s);
    assert.equal(await s.client.call('MUTATE {"cmd":"clear","target":"retries","filter":{"jids":["mut-alpha-1"]}}'), '+OK\r\n');
    assert.equal(s.server.retries().length, 0);
  });

  it('kill moves the jobs matching jids to dead, jids winning over the other filters', async (t) => {
    const s = await setup(t);
    await seedRetries(s);
    assert.equal(await s.client.call('MUTATE {"cmd":"kill","target":"retries","filter":{"jids":["mut-alpha-2"],"jobtype":"Beta"}}'), '+OK\r\n');
    assert.deepEqual(jids(s.server.dead()), ['mut-alpha-2']);
    assert.deepEqual(jids(s.server.retries()), ['mut-alpha-1', 'mut-beta-01']);
  });

  it('discard deletes the jobs matching jobtype and a Redis glob regexp', async (t) => {
    const s = await setup(t);
    await seedRetries(s);
    assert.equal(await s.client.call('MUTATE {"cmd":"discard","target":"retries","filter":{"jobtype":"Alpha","regexp":"*needle*"}}'), '+OK\r\n');
    assert.deepEqual(jids(s.server.retries()), ['mut-alpha-2', 'mut-beta-01']);
    assert.equal(s.server.dead().length, 0);
  });

  it('requeue puts the matching jobs back on their queue', async (t) => {
    const s = await setup(t);
    await seedRetries(s);
    assert.equal(await s.client.call('MUTATE {"cmd":"requeue","target":"retries","filter":{"regexp":"*\\"Beta\\"*"}}'), '+OK\r\n');
    assert.deepEqual(s.server.queue('default').map((j) => j.jid), ['mut-beta-01']);
  });

  it('works on the scheduled and dead sets too', async (t) => {
    const s = await setup(t);
    await s.client.call(`PUSH ${JSON.stringify(job({ jid: 'sched-mut1', at: new Date(s.clock.now() + 60_000).toISOString() }))}`);
    assert.equal(await s.client.call('MUTATE {"cmd":"kill","target":"scheduled"}'), '+OK\r\n');
    assert.deepEqual(jids(s.server.dead()), ['sched-mut1']);
    assert.equal(await s.client.call('MUTATE {"cmd":"requeue","target":"dead","filter":{"jids":["sched-mut1"]}}'), '+OK\r\n');
    assert.deepEqual(s.server.queue('default').map((j) => j.jid), ['sched-mut1']);
  });

  it('answers a line with more than one space with -ERR invalid format', async (t) => {
    const { client } = await setup(t);
    assert.equal(await client.call('MUTATE {"cmd": "clear","target":"dead"}'), '-ERR invalid format\r\n');
    assert.equal(await client.call('MUTATE'), '-ERR invalid format\r\n');
  });

  it('answers an unknown cmd and a bad target with their errors', async (t) => {
    const { client } = await setup(t);
    assert.equal(await client.call('MUTATE {"cmd":"explode","target":"dead"}'), '-ERR unknown mutate operation\r\n');
    assert.equal(await client.call('MUTATE {"cmd":"clear","target":"default"}'), '-ERR invalid target for mutation command\r\n');
  });
});

describe('in-memory server: QUEUE', () => {
  it('PAUSE and RESUME accept names and *, ignoring unknown names', async (t) => {
    const { client, server } = await setup(t);
    await client.call(`PUSH ${JSON.stringify(job({ queue: 'q1' }))}`);
    await client.call(`PUSH ${JSON.stringify(job({ queue: 'q2' }))}`);
    assert.equal(await client.call('QUEUE pause q1 nope'), '+OK\r\n');
    assert.deepEqual([server.isPaused('q1'), server.isPaused('q2')], [true, false]);
    assert.equal(await client.call('QUEUE PAUSE *'), '+OK\r\n');
    assert.equal(server.isPaused('q2'), true);
    assert.equal(await client.call('QUEUE RESUME *'), '+OK\r\n');
    assert.deepEqual([server.isPaused('q1'), server.isPaused('q2')], [false, false]);
  });

  it('REMOVE deletes the queue and its jobs; * removes every queue', async (t) => {
    const { client, server } = await setup(t);
    await client.call(`PUSH ${JSON.stringify(job({ queue: 'q1' }))}`);
    await client.call(`PUSH ${JSON.stringify(job({ queue: 'q2' }))}`);
    assert.equal(await client.call('QUEUE REMOVE q1'), '+OK\r\n');
    assert.deepEqual(server.queues(), { q2: 1 });
    assert.equal(await client.call('QUEUE REMOVE *'), '+OK\r\n');
    assert.deepEqual(server.queues(), {});
  });

  it('LATENCY gives the age of the oldest job in seconds, 0 for empty or unknown, and refuses *', async (t) => {
    const { client, clock } = await setup(t);
    await client.call(`PUSH ${JSON.stringify(job({ queue: 'q1' }))}`);
    clock.advance(1_500);
    assert.equal(await client.call('QUEUE LATENCY q1 nope'), '$19\r\n{"nope":0,"q1":1.5}\r\n');
    assert.equal(await client.call('QUEUE LATENCY *'), '-ERR QUEUE LATENCY does not support wildcards\r\n');
  });

  it('answers another sub-command with -ERR no such QUEUE subcommand: <OTHER>', async (t) => {
    const { client } = await setup(t);
    assert.equal(await client.call('QUEUE drain q1'), '-ERR no such QUEUE subcommand: DRAIN\r\n');
  });
});
