import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { from, map, toArray, EMPTY } from 'rxjs';
import { InvalidJobError } from '../../src/errors.js';
import { createClient, job, pushJobs, type PushMiddleware } from '../../src/streams/index.js';
import { first } from './await.js';
import { bulk, FakePool, okReply } from './fake-pool.js';

const addTenant: PushMiddleware = (job$) => job$.pipe(map((j) => ({ ...j, custom: { ...j.custom, tenant: 'acme' } })));
const refuseBad: PushMiddleware = (job$) =>
  job$.pipe(
    map((j) => {
      if (j.jobtype === 'Bad') throw new Error('refused by policy');
      return j;
    }),
  );

function setup(middleware: readonly PushMiddleware[]) {
  const pool = new FakePool((line) => (line.startsWith('PUSHB') ? bulk({}) : okReply));
  return { pool, client: createClient({ pool, middleware }) };
}

describe('push middleware', () => {
  it('changes every job sent by push, pushBulk and pushJobs, in order', async () => {
    const suffix: PushMiddleware = (job$) =>
      job$.pipe(
        map((j) => {
          const tenant = j.custom?.['tenant'];
          return { ...j, custom: { ...j.custom, tenant: `${typeof tenant === 'string' ? tenant : '?'}-eu` } };
        }),
      );
    const { pool, client } = setup([addTenant, suffix]);
    await first(client.push(job('A').jid('aaaaaaaa1')));
    await first(client.pushBulk([job('B').jid('bbbbbbbb2')]));
    await first(from([job('C').jid('cccccccc3')]).pipe(pushJobs(client, { windowMs: 0 }), toArray()));
    assert.deepEqual(pool.lines, [
      'PUSH {"jid":"aaaaaaaa1","jobtype":"A","args":[],"custom":{"tenant":"acme-eu"},"retry":25}',
      'PUSHB [{"jid":"bbbbbbbb2","jobtype":"B","args":[],"custom":{"tenant":"acme-eu"},"retry":25}]',
      'PUSHB [{"jid":"cccccccc3","jobtype":"C","args":[],"custom":{"tenant":"acme-eu"},"retry":25}]',
    ]);
  });

  it('rejects a job when a middleware errors, and nothing is sent', async () => {
    const { pool, client } = setup([refuseBad]);
    await assert.rejects(first(client.push(job('Bad').jid('aaaaaaaa1'))), /refused by policy/);
    await assert.rejects(first(client.pushBulk([job('Good').jid('aaaaaaaa1'), job('Bad').jid('bbbbbbbb2')])), /refused by policy/);
    assert.deepEqual(pool.lines, []);
  });

  it('rejects a job when a middleware emits none', async () => {
    const { pool, client } = setup([() => EMPTY]);
    await assert.rejects(first(client.push(job('A').jid('aaaaaaaa1'))), InvalidJobError);
    assert.deepEqual(pool.lines, []);
  });

  it('validates the job a middleware returns', async () => {
    const breakQueue: PushMiddleware = (job$) => job$.pipe(map((j) => ({ ...j, queue: 'bad queue' })));
    const { pool, client } = setup([breakQueue]);
    await assert.rejects(first(client.push(job('A').jid('aaaaaaaa1'))), (e: unknown) => e instanceof InvalidJobError && e.field === 'queue');
    assert.deepEqual(pool.lines, []);
  });

  it('reports a job a middleware rejects as a rejected pushJobs result while the others are pushed', async () => {
    const { pool, client } = setup([refuseBad]);
    const results = await first(
      from([job('Good').jid('aaaaaaaa1'), job('Bad').jid('bbbbbbbb2')]).pipe(pushJobs(client, { windowMs: 0 }), toArray()),
    );
    assert.deepEqual(
      results.map((r) => [r.status, r.status === 'rejected' ? r.reason : r.job.jid]),
      [
        ['rejected', 'refused by policy'],
        ['pushed', 'aaaaaaaa1'],
      ],
    );
    assert.deepEqual(pool.lines, ['PUSHB [{"jid":"aaaaaaaa1","jobtype":"Good","args":[],"retry":25}]']);
  });
});
