import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { map, Subject, take, takeWhile, tap, type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { InvalidArgumentError, ConnectionError } from '../../src/errors.js';
import { createClient, pushJobs, type JobPayload, type PushResult } from '../../src/streams/index.js';
import { FakePool } from './fake-pool.js';

const jobs = {
  a: { jid: 'aaaaaaaa1', jobtype: 'A', args: [], retry: 25 },
  b: { jid: 'bbbbbbbb2', jobtype: 'B', args: [], retry: 25 },
  c: { jid: 'cccccccc3', jobtype: 'C', args: [], retry: 25 },
  d: { jid: 'dddddddd4', jobtype: 'D', args: [], retry: 25 },
  e: { jid: 'eeeeeeee5', jobtype: 'E', args: [], retry: 25 },
} satisfies Record<string, JobPayload>;

const pushed = (job: JobPayload): PushResult => ({ status: 'pushed', job });
/** Results with errors reduced to their message, for comparison. */
const plain = (out: Observable<PushResult<JobPayload, unknown>>) =>
  out.pipe(map((r) => ('error' in r ? { ...r, error: r.error instanceof Error ? r.error.message : r.error } : r)));
const results = Object.fromEntries(Object.entries(jobs).map(([k, v]) => [k, pushed(v)]));

function harness(replyMarble = '--r|', reasons: (line: string) => Record<string, string> = () => ({})) {
  const scheduler = new TestScheduler((actual, expected) => {
    assert.deepEqual(actual, expected);
  });
  const sent: [number, string[]][] = [];
  const pool = new FakePool((line) => {
    const batch = JSON.parse(line.slice('PUSHB '.length)) as JobPayload[];
    sent.push([scheduler.now(), batch.map((j) => j.jobtype)]);
    if (line.includes('"Boom"')) return scheduler.createColdObservable('--#', {}, new ConnectionError('socket reset'));
    return scheduler.createColdObservable(replyMarble, { r: { type: 'bulk' as const, value: JSON.stringify(reasons(line)) } });
  });
  return { scheduler, sent, client: createClient({ pool }) };
}

describe('pushJobs', () => {
  it('sends a batch as soon as maxBatch jobs are waiting, and the rest when the window closes', () => {
    const { scheduler, sent, client } = harness();
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold<JobPayload>('-abcde 194ms |', jobs);
      const out = source.pipe(pushJobs(client, { maxBatch: 3, windowMs: 100, scheduler }));
      expectObservable(out).toBe('5ms (abc) 96ms (de) 90ms |', results);
      expectSubscriptions(source.subscriptions).toBe('^ 199ms !');
    });
    assert.deepEqual(sent, [
      [3, ['A', 'B', 'C']],
      [104, ['D', 'E']], // d opened the second batch's window at 4
    ]);
  });

  it('opens a window with the first job of a batch and sends what it collected when it closes', () => {
    const { scheduler, sent, client } = harness();
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold<JobPayload>('-a-b 50ms c 50ms |', jobs);
      expectObservable(source.pipe(pushJobs(client, { windowMs: 10, scheduler }))).toBe('13ms (ab) 49ms c 38ms |', results);
    });
    assert.deepEqual(sent, [
      [11, ['A', 'B']],
      [64, ['C']],
    ]);
  });

  it('sets no timer while no job is waiting', () => {
    const { scheduler, client } = harness();
    scheduler.run(({ cold }) => {
      const source = cold<JobPayload>('-a 100ms -', jobs);
      source.pipe(pushJobs(client, { windowMs: 10, scheduler })).subscribe();
      assert.equal(scheduler.actions.length, 1, 'only the source\'s own a is scheduled');
      scheduler.flush();
      assert.equal(scheduler.actions.length, 0, 'nothing after the batch was sent and answered');
    });
  });

  it('keeps at most concurrency batches awaiting their reply', () => {
    const { scheduler, sent, client } = harness('10ms (r|)');
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold<JobPayload>('abc|', jobs);
      expectObservable(source.pipe(pushJobs(client, { maxBatch: 1, concurrency: 1, windowMs: 1000, scheduler }))).toBe(
        '10ms a 9ms b 9ms (c|)',
        results,
      );
    });
    assert.deepEqual(
      sent.map(([at]) => at),
      [0, 10, 20],
    );
  });

  it('reports the server reasons of a batch as rejected results', () => {
    const { scheduler, client } = harness('--(r|)', () => ({ bbbbbbbb2: 'jobs must have a jobtype parameter' }));
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold<JobPayload>('ab|', jobs);
      const rejected = { status: 'rejected', job: jobs.b, input: jobs.b, reason: 'jobs must have a jobtype parameter' };
      expectObservable(source.pipe(pushJobs(client, { windowMs: 10, scheduler }))).toBe('4ms (ar|)', { a: results['a'], r: rejected });
    });
  });

  it('fails only the jobs of a batch that errors, and the other batches still report', () => {
    const { scheduler, client } = harness();
    const boom = { jid: 'boomboom1', jobtype: 'Boom', args: [], retry: 25 };
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold<JobPayload>('a 10ms x 10ms c|', { ...jobs, x: boom });
      const failed = { status: 'failed', job: boom, error: 'socket reset' };
      expectObservable(plain(source.pipe(pushJobs(client, { maxBatch: 1, scheduler })))).toBe('2ms a 10ms f 10ms c |', { a: results['a'], c: results['c'], f: failed });
    });
  });

  it('turns an invalid job into a rejected result when its batch is sent, without a PUSHB for it', () => {
    const { scheduler, sent, client } = harness();
    const bad = { jid: 'short', jobtype: 'A', args: [] };
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold<JobPayload>('xa 10ms |', { ...jobs, x: bad });
      expectObservable(plain(source.pipe(pushJobs(client, { windowMs: 5, scheduler })))).toBe('5ms x 1ms a 4ms |', {
        a: results['a'],
        x: { status: 'rejected', job: undefined, input: bad, reason: "invalid job field 'jid': must be a string of at least 8 characters", error: "invalid job field 'jid': must be a string of at least 8 characters" },
      });
    });
    assert.deepEqual(sent, [[5, ['A']]]);
  });

  it('takes a synchronous source in at once and prepares each batch only when it is sent', () => {
    const { scheduler, sent, client } = harness('10ms (r|)');
    const bad = { jid: 'short', jobtype: 'A', args: [] };
    scheduler.run(({ cold, expectObservable }) => {
      // One batch out at a time: the third batch (x, e) is built and checked only when the second
      // is answered, so the invalid x is refused at 20 ms, not when it arrived at 0.
      const source = cold<JobPayload>('(abcdxe|)', { ...jobs, x: bad });
      expectObservable(plain(source.pipe(pushJobs(client, { maxBatch: 2, concurrency: 1, scheduler })))).toBe('10ms (ab) 6ms (cdx) 5ms (e|)', {
        ...results,
        x: { status: 'rejected', job: undefined, input: bad, reason: "invalid job field 'jid': must be a string of at least 8 characters", error: "invalid job field 'jid': must be a string of at least 8 characters" },
      });
    });
    assert.deepEqual(sent, [[0, ['A', 'B']], [10, ['C', 'D']], [20, ['E']]]);
  });

  it('sends nothing more once the consumer leaves on a rejected result', () => {
    const { scheduler, sent, client } = harness();
    const bad = { jid: 'short', jobtype: 'A', args: [] };
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold<JobPayload>('(axbc|)', { ...jobs, x: bad });
      const out = source.pipe(pushJobs(client, { maxBatch: 4, scheduler }), takeWhile((r) => r.status !== 'rejected'));
      expectObservable(out).toBe('|');
    });
    assert.deepEqual(sent, []);
  });

  it('keeps to concurrency and maxBatch when a consumer feeds the source from a result', () => {
    const { scheduler, sent, client } = harness('10ms (r|)');
    const bad = { jid: 'short', jobtype: 'X', args: [] };
    scheduler.run(() => {
      const source = new Subject<JobPayload>();
      source
        .pipe(
          pushJobs(client, { maxBatch: 2, concurrency: 1, scheduler }),
          tap((r) => {
            // Reacting to the rejection fills a second batch while the first is being prepared.
            if (r.status === 'rejected') for (const job of [jobs.b, jobs.c]) source.next(job);
          }),
        )
        .subscribe();
      source.next(bad);
      source.next(jobs.a);
      source.complete();
    });
    assert.deepEqual(sent, [[0, ['A']], [10, ['B', 'C']]]);
  });

  it('reports a job whose jid is also an Object.prototype name as pushed when the server rejected another', () => {
    const { scheduler, client } = harness('--(r|)', () => ({ bbbbbbbb2: 'no' }));
    const named = { jid: 'toString', jobtype: 'A', args: [], retry: 25 };
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold<JobPayload>('tb|', { t: named, b: jobs.b });
      const rejected = { status: 'rejected', job: jobs.b, input: jobs.b, reason: 'no' };
      expectObservable(source.pipe(pushJobs(client, { windowMs: 10, scheduler }))).toBe('4ms (tr|)', { t: pushed(named), r: rejected });
    });
  });

  it('sends no further batch once the subscriber has unsubscribed', () => {
    const { scheduler, sent, client } = harness('10ms (r|)');
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold<JobPayload>('abc|', jobs);
      const out = source.pipe(pushJobs(client, { maxBatch: 1, concurrency: 1, windowMs: 1000, scheduler }), take(1));
      expectObservable(out).toBe('10ms (a|)', results);
    });
    assert.deepEqual(
      sent.map(([at]) => at),
      [0],
    );
  });

  it('refuses bad options when the operator is created', () => {
    const { client } = harness();
    for (const options of [{ maxBatch: 0 }, { concurrency: 1.5 }, { windowMs: -1 }, { windowMs: Number.NaN }]) {
      assert.throws(() => pushJobs(client, options), InvalidArgumentError, JSON.stringify(options));
    }
  });
});
