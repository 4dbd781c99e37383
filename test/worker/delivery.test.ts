import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { throwError } from 'rxjs';
import { ConnectionError } from '../../src/errors.js';
import { createScriptedClient, serverError } from '../../src/testing/marbles/index.js';
import { createWorker } from '../../src/worker/index.js';
import { makeJob, ofType, record, testScheduler } from './helpers.js';

const base = { stallWarningMs: false as const, concurrency: 1, beatIntervalMs: 100_000 };
const lost = new ConnectionError('socket closed');

describe('worker ACK/FAIL delivery', () => {
  it('retries an ACK that hit a lost connection with exponential backoff (100, 200, 400 ms) until accepted', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold }) => {
      const client = createScriptedClient({
        scheduler,
        jobs: [makeJob('job-0001')],
        ack: (i) => (i < 3 ? cold('2ms #', {}, lost) : cold('2ms a|', { a: undefined })),
      });
      const worker = createWorker({ ...base, client, scheduler, handlers: { Echo: () => 'done' } });
      const { events } = record(scheduler, worker);
      scheduler.schedule(() => worker.stop().subscribe(), 1_000);
      scheduler.flush();
      // handler done at 1; ACK at 1 fails at 3; +100 -> 103 fails 105; +200 -> 305 fails 307; +400 -> 707 accepted at 709.
      assert.deepEqual(client.callsOf('ACK').map((c) => c.at), [1, 103, 305, 707]);
      assert.deepEqual(ofType(events, 'ackRetried').map(([at, e]): number[] => [at, e.attempt, e.delayMs]), [[3, 1, 100], [105, 2, 200], [307, 3, 400]]);
      assert.deepEqual(ofType(events, 'succeeded').map(([at, e]) => [at, e.jid]), [[709, 'job-0001']]);
    });
  });

  it('gives up retrying when the next attempt would come after the reservation expired', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold }) => {
      const client = createScriptedClient({
        scheduler,
        jobs: [makeJob('job-0001', 'Echo', { reserve_for: 60 })],
        ack: () => cold('2ms #', {}, lost),
      });
      const worker = createWorker({ ...base, client, scheduler, retryDelayMs: () => 20_000, deliveryGraceMs: 100_000, handlers: { Echo: () => 'done' } });
      const { events } = record(scheduler, worker);
      scheduler.schedule(() => worker.stop().subscribe(), 100);
      scheduler.flush();
      // reservation: 1 + 60 s = 60_001. Attempts at 1, 20_003, 40_005; the next would start at 60_007.
      assert.deepEqual(client.callsOf('ACK').map((c) => c.at), [1, 20_003, 40_005]);
      assert.deepEqual(ofType(events, 'deliveryLost').map(([at, e]) => [at, e.command, e.reason]), [[40_007, 'ACK', 'expired']]);
      assert.deepEqual(ofType(events, 'succeeded'), []);
    });
  });

  it('reports a FAIL answered with Job not found as deliveryLost and does not retry it', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold }) => {
      const client = createScriptedClient({
        scheduler,
        jobs: [makeJob('job-0001')],
        fail: (_i, jid) => cold('1ms #', {}, serverError('FAIL', `Job not found ${jid}`)),
      });
      const worker = createWorker({ ...base, client, scheduler, handlers: { Echo: () => { throw new Error('boom'); } } });
      const { events } = record(scheduler, worker);
      scheduler.schedule(() => worker.stop().subscribe(), 100);
      scheduler.flush();
      assert.equal(client.callsOf('FAIL').length, 1);
      assert.deepEqual(ofType(events, 'deliveryLost').map(([, e]) => [e.command, e.jid, e.reason]), [['FAIL', 'job-0001', 'jobNotFound']]);
      assert.deepEqual(ofType(events, 'failRetried'), []);
      assert.deepEqual(ofType(events, 'failed'), []);
    });
  });

  it('retries a FAIL after a lost connection', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold }) => {
      const client = createScriptedClient({
        scheduler,
        jobs: [makeJob('job-0001')],
        fail: (i) => (i === 0 ? cold('1ms #', {}, lost) : cold('1ms a|', { a: undefined })),
      });
      const worker = createWorker({ ...base, client, scheduler, handlers: { Echo: () => throwError(() => new RangeError('bad')) } });
      const { events } = record(scheduler, worker);
      scheduler.schedule(() => worker.stop().subscribe(), 500);
      scheduler.flush();
      assert.equal(client.callsOf('FAIL').length, 2);
      assert.deepEqual(ofType(events, 'failRetried').map(([, e]) => [e.attempt, e.delayMs]), [[1, 100]]);
      assert.deepEqual(ofType(events, 'failed').map(([, e]) => [e.jid, (e.error as Error).name, e.reason]), [['job-0001', 'RangeError', 'error']]);
    });
  });
});

describe('worker FETCH retries', () => {
  it('backs off after failed FETCHes (100, 200 ms) and resets after a success', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold }) => {
      const client = createScriptedClient({
        scheduler,
        fetch: (i) => (i < 2 || i === 3 ? cold<null>('1ms #', {}, lost) : cold(i === 2 ? '1ms a|' : '1000ms a|', { a: null })),
      });
      const worker = createWorker({ ...base, client, scheduler, handlers: { Echo: () => 1 } });
      const { events } = record(scheduler, worker);
      scheduler.schedule(() => worker.stop().subscribe(), 500);
      scheduler.flush();
      // The empty reply at 303 completes at 304: the next FETCH follows it.
      assert.deepEqual(client.callsOf('FETCH').map((c) => c.at), [0, 101, 302, 304, 405]);
      assert.deepEqual(ofType(events, 'fetchRetried').map(([at, e]): number[] => [at, e.attempt, e.delayMs]), [[1, 1, 100], [102, 2, 200], [305, 1, 100]]);
    });
  });
});
