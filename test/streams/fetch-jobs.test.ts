import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import debug from 'debug';
import { take, toArray } from 'rxjs';
import { createClient, fetchJobs, job, validateJob } from '../../src/streams/index.js';
import { first } from './await.js';
import { bulk, FakePool } from './fake-pool.js';

describe('fetchJobs', () => {
  it('fetches again and again, skipping empty replies, until unsubscribed', async () => {
    const replies = [{ type: 'null' } as const, bulk({ jid: 'aaaaaaaa1', jobtype: 'A', args: [] }), { type: 'null' } as const, bulk({ jid: 'bbbbbbbb2', jobtype: 'B', args: [] })];
    const pool = new FakePool(() => replies.shift() ?? { type: 'null' });
    const client = createClient({ pool });
    const jobs = await first(fetchJobs(client, ['critical', 'default']).pipe(take(2), toArray()));
    assert.deepEqual(
      jobs.map((j) => j.jid),
      ['aaaaaaaa1', 'bbbbbbbb2'],
    );
    assert.deepEqual(pool.lines, ['FETCH critical default', 'FETCH critical default', 'FETCH critical default', 'FETCH critical default']);
  });
});

describe('large jobs', () => {
  it('log a debug warning above 64 KiB', () => {
    const lines: string[] = [];
    const originalLog = debug.log;
    const previous = debug.disable();
    debug.enable('faktory-rx:client');
    debug.log = (...args: unknown[]) => {
      lines.push(args.map(String).join(' '));
    };
    try {
      validateJob(job('Small', 'x').jid('abcdefgh1').build());
      assert.equal(lines.length, 0);
      validateJob(job('Big', 'x'.repeat(70_000)).jid('abcdefgh2').build());
      assert.equal(lines.length, 1);
      assert.match(lines[0]!, /abcdefgh2/);
    } finally {
      debug.log = originalLog;
      debug.enable(previous);
    }
  });
});
