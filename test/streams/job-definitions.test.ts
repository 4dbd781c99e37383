import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidArgumentError } from '../../src/errors.js';
import { createClient, job } from '../../src/streams/index.js';
import { defineJobs, jobDefaults } from '../../src/streams/job-definitions.js';
import { first } from './await.js';
import { FakePool, okReply } from './fake-pool.js';

type Jobs = { Resize: [url: string]; Email: [to: string]; Other: [] };

const definitions = defineJobs<Jobs>({
  Resize: { queue: 'images', retry: 3, reserveForSeconds: 600, backtrace: 10, concurrency: 2 },
  Email: { queue: 'mail' },
});

describe('job definitions on the producer side', () => {
  it('fill the fields a job leaves out, keep the ones it sets, and leave undefined jobtypes alone', async () => {
    const pool = new FakePool(() => okReply);
    const client = createClient<Jobs>({ pool, middleware: [jobDefaults(definitions)] });
    await first(client.push(job('Resize', 'u').jid('rrrrrrrr1')));
    await first(client.push(job('Resize', 'u').jid('rrrrrrrr2').queue('urgent').retry(0)));
    await first(client.push(job('Other').jid('oooooooo1')));
    assert.deepEqual(pool.lines, [
      'PUSH {"jid":"rrrrrrrr1","jobtype":"Resize","args":["u"],"queue":"images","retry":3,"reserve_for":600,"backtrace":10}',
      'PUSH {"jid":"rrrrrrrr2","jobtype":"Resize","args":["u"],"queue":"urgent","retry":0,"reserve_for":600,"backtrace":10}',
      'PUSH {"jid":"oooooooo1","jobtype":"Other","args":[],"retry":25}',
    ]);
  });

  it('are checked where they are declared, naming the jobtype and the field', () => {
    const bad = (defs: object, argument: string) => {
      assert.throws(() => defineJobs(defs as never), (e: unknown) => e instanceof InvalidArgumentError && e.argument === argument);
    };
    bad({ Resize: { queue: 'no spaces' } }, 'jobs.Resize.queue');
    bad({ Resize: { reserveForSeconds: 30 } }, 'jobs.Resize.reserveForSeconds');
    bad({ Resize: { retry: -2 } }, 'jobs.Resize.retry');
    bad({ Resize: { concurrency: 0 } }, 'jobs.Resize.concurrency');
    bad({ Resize: { timeoutMs: 1.5 } }, 'jobs.Resize.timeoutMs');
    bad({ Resize: { reserve_for: 600 } }, 'jobs.Resize.reserve_for');
    bad(null as never, 'jobs');
  });

  it('are frozen once declared', () => {
    assert.ok(Object.isFrozen(definitions));
    assert.ok(Object.isFrozen(definitions.Resize));
  });
});
