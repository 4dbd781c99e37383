import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Subject, type Observable } from 'rxjs';
import type { JobOf } from '../../src/streams/types.js';
import { QueueLimits } from '../../src/worker/queue-limits.js';

/** A fetch whose calls are recorded and answered by hand. */
function scriptedFetch() {
  const calls: { queues: readonly string[]; reply: Subject<JobOf | null> }[] = [];
  return {
    calls,
    client: {
      fetch: (...queues: readonly string[]): Observable<JobOf | null> => {
        const reply = new Subject<JobOf | null>();
        calls.push({ queues, reply });
        return reply;
      },
    },
  };
}

function answer(reply: Subject<JobOf | null>, job: JobOf | null): void {
  reply.next(job);
  reply.complete();
}

describe('QueueLimits', () => {
  it('leaves a queue out of a FETCH while its running jobs and the FETCHes naming it reach its limit', () => {
    const { calls, client } = scriptedFetch();
    const limits = new QueueLimits(new Map([['images', 1]]));
    const limited = limits.limit(client, new Subject());
    const got: (JobOf | null)[] = [];
    limited.fetch('images', 'mail').subscribe((job) => got.push(job));
    limited.fetch('images', 'mail').subscribe((job) => got.push(job));
    assert.deepEqual(calls.map((c) => c.queues), [['images', 'mail'], ['mail']]);
    answer(calls[0]!.reply, { jid: 'i1', jobtype: 'Resize', args: [], queue: 'images' });
    // One images job runs: the next FETCH still leaves images out.
    limited.fetch('images', 'mail').subscribe((job) => got.push(job));
    assert.deepEqual(calls[2]!.queues, ['mail']);
    limits.released('images');
    limited.fetch('images', 'mail').subscribe((job) => got.push(job));
    assert.deepEqual(calls[3]!.queues, ['images', 'mail']);
    assert.equal(got.length, 1);
  });

  it('holds a FETCH whose queues are all full, sending nothing, until a job of one of them is released', () => {
    const { calls, client } = scriptedFetch();
    const limits = new QueueLimits(new Map([['images', 1]]));
    const limited = limits.limit(client, new Subject());
    limited.fetch('images').subscribe();
    answer(calls[0]!.reply, { jid: 'i1', jobtype: 'Resize', args: [], queue: 'images' });
    limited.fetch('images').subscribe();
    assert.equal(calls.length, 1, 'no FETCH while the queue is full');
    limits.released('images');
    assert.equal(calls.length, 2);
  });

  it('frees what an empty or failed FETCH held for the FETCHes waiting on it', () => {
    const { calls, client } = scriptedFetch();
    const limits = new QueueLimits(new Map([['images', 1]]));
    const limited = limits.limit(client, new Subject());
    limited.fetch('images').subscribe();
    limited.fetch('images').subscribe({ error: () => undefined });
    assert.equal(calls.length, 1);
    answer(calls[0]!.reply, null);
    assert.equal(calls.length, 2);
    calls[1]!.reply.error(new Error('cut'));
    limited.fetch('images').subscribe({ error: () => undefined });
    assert.equal(calls.length, 3);
  });

  it('answers a held FETCH with null once the worker stops fetching, without sending it', () => {
    const { calls, client } = scriptedFetch();
    const limits = new QueueLimits(new Map([['images', 1]]));
    const closed$ = new Subject<void>();
    const limited = limits.limit(client, closed$);
    limited.fetch('images').subscribe();
    answer(calls[0]!.reply, { jid: 'i1', jobtype: 'Resize', args: [], queue: 'images' });
    const got: (JobOf | null)[] = [];
    limited.fetch('images').subscribe((job) => got.push(job));
    closed$.next();
    assert.deepEqual(got, [null]);
    limits.released('images');
    assert.equal(calls.length, 1);
  });
});
