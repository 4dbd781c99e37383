import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidJobError } from '../../src/errors.js';
import { createClient, validateJob, type JobPayload } from '../../src/streams/index.js';
import { first } from './await.js';
import { FakePool } from './fake-pool.js';

const base = { jid: 'abcdefgh1', jobtype: 'Email', args: [] as unknown[] };
class Money {
  amount = 1;
}
const cycle: Record<string, unknown> = {};
cycle['self'] = cycle;
const sparse: unknown[] = [1];
sparse[2] = 3;

// [what, field named in the error, the job]
const invalid: readonly [string, string, unknown][] = [
  ['a non-object', 'job', 'Email'],
  ['a missing jid', 'jid', { jobtype: 'Email', args: [] }],
  ['a jid shorter than 8', 'jid', { ...base, jid: 'short' }],
  ['a non-string jid', 'jid', { ...base, jid: 123456789 }],
  ['an empty jobtype', 'jobtype', { ...base, jobtype: '' }],
  ['a missing jobtype', 'jobtype', { jid: base.jid, args: [] }],
  ['missing args', 'args', { jid: base.jid, jobtype: 'Email' }],
  ['non-array args', 'args', { ...base, args: { a: 1 } }],
  ['a function in args', 'args[1]', { ...base, args: [1, () => 1] }],
  ['undefined in args', 'args[0]', { ...base, args: [undefined] }],
  ['an array hole in args', 'args[1]', { ...base, args: sparse }],
  ['a BigInt in args', 'args[0]', { ...base, args: [10n] }],
  ['NaN in args', 'args[0].x', { ...base, args: [{ x: Number.NaN }] }],
  ['a nested undefined value', 'args[2].x.y', { ...base, args: [1, 2, { x: { y: undefined } }] }],
  ['a cycle in args', 'args[0].self', { ...base, args: [cycle] }],
  ['a Date in args', 'args[0]', { ...base, args: [new Date()] }],
  ['a Map in args', 'args[0]', { ...base, args: [new Map()] }],
  ['a class instance in args', 'args[0]', { ...base, args: [new Money()] }],
  ['a symbol in args', 'args[0]', { ...base, args: [Symbol('s')] }],
  ['a queue with a space', 'queue', { ...base, queue: 'my queue' }],
  ['a queue with a colon, scheduled', 'queue', { ...base, queue: 'a:b', at: '2099-01-01T00:00:00Z' }],
  ['an empty queue', 'queue', { ...base, queue: '' }],
  ['reserve_for below 60', 'reserve_for', { ...base, reserve_for: 59 }],
  ['reserve_for above 86400', 'reserve_for', { ...base, reserve_for: 86_401 }],
  ['a fractional reserve_for', 'reserve_for', { ...base, reserve_for: 90.5 }],
  ['retry below -1', 'retry', { ...base, retry: -2 }],
  ['a fractional retry', 'retry', { ...base, retry: 1.5 }],
  ['a string retry', 'retry', { ...base, retry: '3' }],
  ['a negative backtrace', 'backtrace', { ...base, backtrace: -1 }],
  ['an unparsable at', 'at', { ...base, at: 'tomorrow' }],
  ['an at without offset', 'at', { ...base, at: '2024-05-01T12:00:00' }],
  ['an at on 30 February', 'at', { ...base, at: '2024-02-30T12:00:00Z' }],
  ['an invalid Date at', 'at', { ...base, at: new Date(Number.NaN) }],
  ['a non-object custom', 'custom', { ...base, custom: [1] }],
  ['a reserved custom key', 'custom._bid', { ...base, custom: { _bid: 'x' } }],
  ['a function in custom', 'custom.fn', { ...base, custom: { fn: () => 1 } }],
  ['a bad unique_for', 'custom.unique_for', { ...base, custom: { unique_for: 0 } }],
  ['a bad unique_until', 'custom.unique_until', { ...base, custom: { unique_until: 'finish' } }],
  ['a bad expires_at', 'custom.expires_at', { ...base, custom: { expires_at: 'soon' } }],
  ['a bad expires_in', 'custom.expires_in', { ...base, custom: { expires_in: -5 } }],
  ['a priority', 'priority', { ...base, priority: 5 }],
];

describe('validateJob', () => {
  for (const [what, field, candidate] of invalid) {
    it(`refuses ${what}, naming ${field}, and push sends nothing`, async () => {
      assert.throws(
        () => validateJob(candidate as JobPayload),
        (e: unknown) => e instanceof InvalidJobError && e.field === field,
      );
      const pool = new FakePool();
      const client = createClient({ pool });
      await assert.rejects(first(client.push(candidate as JobPayload)), (e: unknown) => e instanceof InvalidJobError && e.field === field);
      await assert.rejects(first(client.pushBulk([base as JobPayload, candidate as JobPayload])), InvalidJobError);
      assert.deepEqual(pool.lines, []);
    });
  }

  it('accepts a job using every field', () => {
    const full = {
      ...base,
      args: [1, 'a', true, null, [1, [2]], { x: { y: [] } }, Object.create(null) as object],
      queue: 'critical.high-1_x',
      reserve_for: 60,
      retry: -1,
      backtrace: 0,
      at: '2024-05-01T12:00:00.123456+02:00',
      custom: { tenant: 'acme', unique_for: 60, unique_until: 'start', expires_in: 30, expires_at: '2030-01-01T00:00:00Z', track: 1 },
    };
    assert.equal(validateJob(full as JobPayload), full);
  });

  it('refuses a bad queue name right after accepting a good one', () => {
    validateJob({ ...base, queue: 'good' });
    for (const queue of ['', 'bad queue']) {
      assert.throws(
        () => validateJob({ ...base, queue }),
        (e: unknown) => e instanceof InvalidJobError && e.field === 'queue',
      );
    }
    assert.doesNotThrow(() => validateJob({ ...base, queue: 'good' }));
  });

  it('accepts shared references that are not cycles', () => {
    const shared = { a: 1 };
    assert.doesNotThrow(() => validateJob({ ...base, args: [shared, shared, [shared]] }));
  });

  it('converts a Date at to RFC 3339', () => {
    const at = new Date(Date.UTC(2030, 0, 2, 3, 4, 5));
    const result = validateJob({ ...base, at } as unknown as JobPayload);
    assert.equal(result.at, '2030-01-02T03:04:05.000Z');
  });
});
