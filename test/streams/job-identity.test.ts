import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { from, retry, toArray } from 'rxjs';
import { InvalidJobError } from '../../src/errors.js';
import { createClient, job, pushJobs, type PushMiddleware } from '../../src/streams/index.js';
import { first } from './await.js';
import { bulk, err, FakePool, okReply } from './fake-pool.js';

/** The payloads of the PUSH and PUSHB lines a pool was asked to send. */
function sentJobs(pool: FakePool): Record<string, unknown>[] {
  return pool.lines.flatMap((line) => {
    const [verb] = line.split(' ', 1);
    const payload: unknown = JSON.parse(line.slice(`${verb ?? ''} `.length));
    return (Array.isArray(payload) ? payload : [payload]) as Record<string, unknown>[];
  });
}

describe('the jid of a pushed job', () => {
  it('is the same each time one push of a builder is subscribed', async () => {
    const pool = new FakePool();
    const client = createClient({ pool });
    const push$ = client.push(job('Email', 'a@b.c'));
    const jids = [await first(push$), await first(push$)];
    assert.equal(jids[0], jids[1]);
    assert.deepEqual(sentJobs(pool).map((j) => j['jid']), jids);
  });

  it('is the same when a push is retried after an error, so the job is not queued twice', async () => {
    let calls = 0;
    const pool = new FakePool(() => (++calls === 1 ? err('ERR', 'busy') : okReply));
    const client = createClient({ pool });
    const jid = await first(client.push(job('Email', 'a@b.c')).pipe(retry(1)));
    const sent = sentJobs(pool).map((j) => j['jid']);
    assert.deepEqual(sent, [jid, jid]);
  });

  it('differs between builders made from one base', async () => {
    const pool = new FakePool();
    const client = createClient({ pool });
    const base = job('Email', 'a@b.c');
    const jids = [await first(client.push(base.queue('a'))), await first(client.push(base.queue('b')))];
    assert.notEqual(jids[0], jids[1]);
  });
});

describe('retry on every pushed job', () => {
  const payload = { jid: 'abcdefgh1', jobtype: 'Email', args: [] };

  it('is sent as the server default 25 when a builder or a payload sets none, by push, pushBulk and pushJobs', async () => {
    const pool = new FakePool((_line, verb) => (verb === 'PUSHB' ? bulk({}) : okReply));
    const client = createClient({ pool });
    await first(client.push(job('Email')));
    await first(client.push(payload));
    await first(client.pushBulk([job('Email'), { ...payload, jid: 'abcdefgh2' }]));
    await first(from([job('Email'), { ...payload, jid: 'abcdefgh3' }]).pipe(pushJobs(client), toArray()));
    const sent = sentJobs(pool);
    assert.equal(sent.length, 6);
    for (const j of sent) assert.equal(j['retry'], 25, JSON.stringify(j));
  });

  it('keeps the retry a job sets, 0 included, also after push middleware', async () => {
    const pool = new FakePool();
    const tag: PushMiddleware = (job$) => job$;
    const client = createClient({ pool, middleware: [tag] });
    await first(client.push(job('Email').retry(0)));
    await first(client.push({ ...payload, retry: -1 }));
    await first(client.push(job('Email')));
    assert.deepEqual(sentJobs(pool).map((j) => j['retry']), [0, -1, 25]);
  });

  it('is filled in on a copy: the caller’s payload is not changed', async () => {
    const client = createClient({ pool: new FakePool() });
    const mine = { ...payload };
    await first(client.push(mine));
    assert.equal('retry' in mine, false);
  });
});

describe('pushBulk validation', () => {
  it('names the index of the bad job, and sends nothing', async () => {
    for (const middleware of [[], [(job$) => job$] satisfies PushMiddleware[]]) {
      const pool = new FakePool();
      const client = createClient({ pool, middleware });
      const error = await first(client.pushBulk([job('A'), job('B'), job('C').queue('bad queue')])).then(
        () => assert.fail('pushBulk accepted a bad job'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof InvalidJobError);
      assert.equal(error.field, 'jobs[2].queue');
      assert.match(error.message, /^invalid job field 'jobs\[2\]\.queue': must match/);
      assert.ok(error.cause instanceof InvalidJobError);
      assert.deepEqual(pool.lines, []);
    }
  });
});
