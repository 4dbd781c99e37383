import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createScriptedClient } from '../../src/testing/marbles/index.js';
import { createWorker } from '../../src/worker/index.js';
import { JobDeadlines } from '../../src/worker/job-deadlines.js';
import { makeJob, ofType, record, testScheduler } from './helpers.js';

const base = { stallWarningMs: false as const, beatIntervalMs: 100_000, concurrency: 1 };

describe('worker ACK pipelining', () => {
  it("fetches a slot's next job while the previous job's ACK is still outstanding", () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold }) => {
      const client = createScriptedClient({
        scheduler,
        jobs: [makeJob('job-0001'), makeJob('job-0002')],
        emptyFetchMs: 1_000,
        ack: () => cold('50ms a|', { a: undefined }),
      });
      const worker = createWorker({ ...base, client, scheduler, handlers: { Echo: () => 'done' } });
      const { events } = record(scheduler, worker);
      scheduler.schedule(() => worker.stop().subscribe(), 60);
      scheduler.flush();
      // job 1 runs at 1 and its ACK leaves at 1; the next FETCH goes out at 1 too, not when the
      // ACK is accepted at 52. With two ACKs outstanding (from 2) the slot waits for job 1's.
      assert.deepEqual(client.callsOf('FETCH').map((c) => c.at), [0, 1, 52]);
      assert.deepEqual(client.callsOf('ACK').map((c) => [c.at, c.jid]), [[1, 'job-0001'], [2, 'job-0002']]);
      // succeeded is still reported only once the server took the ACK.
      assert.deepEqual(ofType(events, 'succeeded').map(([at, e]) => [at, e.jid]), [[52, 'job-0001'], [53, 'job-0002']]);
    });
  });

  it('stops a slot fetching while two of its ACKs are outstanding, and resumes when one is accepted', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold }) => {
      const client = createScriptedClient({
        scheduler,
        jobs: [makeJob('job-0001'), makeJob('job-0002'), makeJob('job-0003')],
        emptyFetchMs: 1_000,
        ack: () => cold('100ms a|', { a: undefined }),
      });
      const worker = createWorker({ ...base, client, scheduler, handlers: { Echo: () => 'done' } });
      record(scheduler, worker);
      scheduler.schedule(() => worker.stop().subscribe(), 150);
      scheduler.flush();
      // ACKs of jobs 1 and 2 are outstanding from 2: no FETCH until job 1's ACK is accepted at 102.
      assert.deepEqual(client.callsOf('FETCH').map((c) => c.at).slice(0, 3), [0, 1, 102]);
      assert.equal(client.peakOutstanding('ACK'), 2);
      assert.equal(client.callsOf('ACK').length, 3);
    });
  });
});

describe('JobDeadlines', () => {
  it('expires each deadline on time on one timer, and never one that was removed', () => {
    const scheduler = testScheduler();
    const expired: [string, number][] = [];
    let timers = 0;
    scheduler.run(() => {
      const counting = {
        now: () => scheduler.now(),
        schedule: (...args: Parameters<typeof scheduler.schedule>) => {
          timers++;
          return scheduler.schedule(...args);
        },
      };
      const deadlines = new JobDeadlines(counting);
      const make = (name: string, atMs: number) => ({ atMs, onExpire: () => expired.push([name, scheduler.now()]) });
      const a = make('a', 100);
      const jobs = [a, make('b', 200), make('c', 300)];
      for (const d of jobs) deadlines.add(d);
      deadlines.remove(a);
      scheduler.flush();
      deadlines.close();
    });
    assert.deepEqual(expired, [['b', 200], ['c', 300]]);
    // One timer armed at the first add, re-armed when it fired (at 100, then 200): three in all, not one per add and remove.
    assert.equal(timers, 3);
  });
});
