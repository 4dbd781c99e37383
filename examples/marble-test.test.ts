/**
 * A marble test of worker behaviour: the worker runs against a scripted client (no sockets) on
 * RxJS's TestScheduler, so seconds of heartbeats and timeouts run in virtual time, instantly and
 * deterministically. Copy this shape to test your own handlers and middleware.
 *
 *   node --import tsx --test examples/marble-test.test.ts
 *
 * In your code, import from 'faktory-rx' and 'faktory-rx/testing'.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { filter, map, NEVER, throwError, timer } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { createWorker, JobTimeoutError, type WorkerEvent } from '../src/index.js';
import { createScriptedClient, type ScriptedClient } from '../src/testing/index.js';

type Jobs = { Resize: [imageId: number]; Charge: [orderId: number] };

/** One marble letter per event we care about (heartbeats and the like are left out). */
function letter(event: WorkerEvent): string | undefined {
  if (event.type === 'succeeded') return 's';
  if (event.type === 'failed') return event.reason === 'timeout' ? 'T' : 'x';
  if (event.type === 'stateChanged' && event.to === 'terminating') return 't';
  if (event.type === 'stopped') return 'e';
  return undefined;
}

const newScheduler = (): TestScheduler => new TestScheduler((actual, expected) => {
  assert.deepEqual(actual, expected);
});

describe('a worker, in virtual time', () => {
  it('ACKs a job whose handler completes, FAILs one whose handler errors, and stops when a BEAT reply says terminate', () => {
    const scheduler = newScheduler();
    scheduler.run(({ cold, expectObservable, flush }) => {
      const client = createScriptedClient<Jobs>({
        scheduler,
        // The default FETCH script hands these out one per FETCH (1 ms later), then answers null after 2 s.
        jobs: [
          { jid: 'resize-0001', jobtype: 'Resize', args: [1] },
          { jid: 'charge-0002', jobtype: 'Charge', args: [2] },
        ],
        // The first BEAT is answered 'ok', the second (at 200 ms) 'terminate', as the Web UI would.
        beat: (i) => cold('5ms a|', { a: i === 0 ? 'ok' : 'terminate' }),
      });
      const worker = createWorker<Jobs, ScriptedClient<Jobs>>({
        client,
        scheduler,
        concurrency: 1,
        beatIntervalMs: 100,
        stallWarningMs: false,
        handlers: {
          Resize: () => timer(10), // 10 ms of "work"
          Charge: () => throwError(() => new Error('card declined')),
        },
      });
      const letters$ = worker.pipe(
        map(letter),
        filter((l) => l !== undefined),
      );
      // ACKed at 12 (the handler's 10 ms ran from 1 to 11, the ACK is answered 1 ms later), FAILed
      // at 13, told to terminate by the BEAT at 200 (answered at 205); the last FETCH is still
      // answered (a fetched job is never dropped): null at 2012, then the worker has stopped.
      expectObservable(letters$).toBe('12ms s x 191ms t 1806ms (e|)');
      flush();

      assert.deepEqual(client.callsOf('ACK').map((c) => [c.at, c.jid]), [[11, 'resize-0001']]);
      // Concurrency 1: a FETCH goes out only when the slot frees, and none after terminate.
      assert.deepEqual(client.callsOf('FETCH').map((c) => c.at), [0, 11, 12]);
      const [failCall] = client.callsOf('FAIL');
      assert.equal(failCall?.jid, 'charge-0002');
      assert.equal((failCall.error as Error).message, 'card declined');
      assert.deepEqual(client.callsOf('CLOSE').map((c) => c.at), [2012]);
    });
  });

  it('FAILs a job that outlives jobTimeoutMs with reason timeout, aborting its signal', () => {
    const scheduler = newScheduler();
    scheduler.run(({ expectObservable, flush }) => {
      let aborted: unknown;
      const client = createScriptedClient<Jobs>({ scheduler, jobs: [{ jid: 'resize-0003', jobtype: 'Resize', args: [3] }] });
      const worker = createWorker<Jobs, ScriptedClient<Jobs>>({
        client,
        scheduler,
        concurrency: 1,
        jobTimeoutMs: 50,
        stallWarningMs: false,
        handlers: {
          Resize: (_args, { signal }) => {
            signal.addEventListener('abort', () => {
              aborted = signal.reason;
            });
            return NEVER; // never finishes on its own
          },
        },
      });
      const letters$ = worker.pipe(
        map(letter),
        filter((l) => l !== undefined),
      );
      // Fetched at 1, timed out at 51: the FAIL is answered 1 ms later, at 52.
      expectObservable(letters$, '^ 100ms !').toBe('52ms T');
      flush();
      assert.equal(client.callsOf('FAIL')[0]?.at, 51);
      assert.ok(aborted instanceof JobTimeoutError, 'the signal aborted with JobTimeoutError');
    });
  });
});
