import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { defer, lastValueFrom, map, NEVER, of, throwError, timer, type Observable, type SchedulerLike } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { ConnectionError, InvalidArgumentError } from '../../src/errors.js';
import { createPool, exponentialBackoff, POOL_DEFAULTS, type Pool, type PoolOptions, type Reply } from '../../src/transport/index.js';
import type { ConnectionLimits } from '../../src/transport/connection.js';
import type { PoolConnection } from '../../src/transport/pool.js';
import { FakeConnection } from './helpers/fake-connection.js';
import { firstOf } from './helpers/first-of.js';

const testScheduler = (): TestScheduler => new TestScheduler((actual, expected) => { assert.deepEqual(actual, expected); });

function fakePool(scheduler: SchedulerLike, open: () => Observable<PoolConnection>, options: PoolOptions = {}): Pool {
  return createPool({ url: 'tcp://fake:1', scheduler, idleTimeoutMs: 1e9, connect: () => defer(open), ...options });
}

/** How a request ended, and when on the scheduler's clock. */
interface Outcome {
  at: number;
  reply?: Reply;
  error?: unknown;
}

/** Subscribes to `source` now and records how and when it settles. */
function track(scheduler: SchedulerLike, source: Observable<Reply>): Outcome[] {
  const outcomes: Outcome[] = [];
  source.subscribe({
    next: (reply) => outcomes.push({ at: scheduler.now(), reply }),
    error: (error: unknown) => outcomes.push({ at: scheduler.now(), error }),
  });
  return outcomes;
}

function connectionError(outcome: Outcome | undefined): ConnectionError {
  const error = outcome?.error;
  assert.ok(error instanceof ConnectionError, `expected a ConnectionError, got ${String(error)}`);
  return error;
}

describe('Pool acquireTimeoutMs (marbles)', () => {
  it('fails a request that waited acquireTimeoutMs with a retriable ConnectionError whose cause is the last connect error', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const refused = new ConnectionError('connect ECONNREFUSED');
      const pool = fakePool(scheduler, () => throwError(() => refused), {
        acquireTimeoutMs: 100,
        reconnect: (attempt) => (attempt <= 20 ? 40 : false), // bounded, so a broken timeout fails rather than spins
      });
      const outcomes = track(scheduler, pool.request('PUSH', [{ jid: 'a' }]));
      scheduler.flush();
      assert.equal(outcomes.length, 1);
      assert.equal(outcomes[0]?.at, 100);
      const error = connectionError(outcomes[0]);
      assert.equal(error.retriable, true);
      assert.equal(error.cause, refused);
      assert.equal(error.verb, 'PUSH');
      assert.match(error.message, /waited 100ms for a connection/);
    });
  });

  it('removes the expired request from the queue, and gives a later request a fresh wait', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      let opens = 0;
      const pool = fakePool(scheduler, () => (++opens <= 3 ? throwError(() => new ConnectionError('refused')) : of(new FakeConnection())), {
        acquireTimeoutMs: 100,
        maxQueued: 1,
        reconnect: 40,
      });
      const first = track(scheduler, pool.request('A'));
      let second: Outcome[] = [];
      scheduler.schedule(() => { second = track(scheduler, pool.request('B')); }, 150);
      scheduler.flush();
      assert.equal(first[0]?.at, 100);
      // Attempts at 0, 40, 80 fail; nothing waits after 100, so the next attempt is for B at 150.
      assert.deepEqual(second, [{ at: 150, reply: { type: 'simple', value: 'OK' } }]);
    });
  });

  it('writes requests whose connection arrives before acquireTimeoutMs, and the timer left behind fails nothing', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      let opens = 0;
      const pool = fakePool(scheduler, () => (++opens === 1 ? throwError(() => new ConnectionError('refused')) : of(new FakeConnection())), {
        acquireTimeoutMs: 100,
        reconnect: 99,
      });
      expectObservable(pool.request('A')).toBe('99ms (r|)', { r: { type: 'simple', value: 'OK' } });
      expectObservable(pool.request('B')).toBe('99ms (r|)', { r: { type: 'simple', value: 'OK' } });
    });
  });

  it('waits as long as it takes when acquireTimeoutMs is Infinity', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      let opens = 0;
      const pool = fakePool(scheduler, () => (++opens === 1 ? throwError(() => new ConnectionError('refused')) : NEVER), {
        acquireTimeoutMs: Number.POSITIVE_INFINITY,
        reconnect: 10,
      });
      const oneDay = 24 * 3_600_000;
      expectObservable(pool.request('A'), `^ ${oneDay}ms !`).toBe('-');
      expectObservable(pool.request('FETCH', ['q'], { blocking: true }), `^ ${oneDay}ms !`).toBe('-');
    });
  });

  it('defaults acquireTimeoutMs to 10 s', () => {
    assert.equal(POOL_DEFAULTS.acquireTimeoutMs, 10_000);
    const scheduler = testScheduler();
    scheduler.run(() => {
      const pool = fakePool(scheduler, () => NEVER);
      const outcomes = track(scheduler, pool.request('A'));
      scheduler.flush();
      assert.equal(outcomes[0]?.at, 10_000);
      assert.equal(connectionError(outcomes[0]).cause, undefined, 'no connect failed, so no cause');
    });
  });

  it('fails a blocking FETCH that waited acquireTimeoutMs too', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const pool = fakePool(scheduler, () => NEVER, { acquireTimeoutMs: 50 });
      const outcomes = track(scheduler, pool.request('FETCH', ['q'], { blocking: true }));
      scheduler.flush();
      assert.equal(outcomes[0]?.at, 50);
      assert.equal(connectionError(outcomes[0]).verb, 'FETCH');
    });
  });

  it('fails each waiter exactly acquireTimeoutMs after it began to wait and sends the rest in order', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const connection = new FakeConnection(true);
      // The only connect takes 150 ms.
      const pool = fakePool(scheduler, () => timer(150).pipe(map(() => connection)), { acquireTimeoutMs: 100, size: 1 });
      const outcomes = new Map<string, Outcome[]>();
      const at = (verb: string, time: number): void => {
        scheduler.schedule(() => outcomes.set(verb, track(scheduler, pool.request(verb))), time);
      };
      at('A', 0);
      at('B', 30);
      at('C', 60);
      at('D', 130);
      at('E', 140);
      scheduler.flush();
      assert.equal(outcomes.get('A')?.[0]?.at, 100);
      assert.equal(outcomes.get('B')?.[0]?.at, 130);
      connectionError(outcomes.get('A')?.[0]);
      connectionError(outcomes.get('B')?.[0]);
      assert.deepEqual(outcomes.get('C'), [], 'C is written at 150, 10 ms before its limit');
      assert.deepEqual(connection.held.map((request) => request.verb), ['C', 'D', 'E']);
    });
  });

  it('fails no request of a long queue that keeps moving, and fails the rest acquireTimeoutMs after it stops', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const connection = new FakeConnection(true);
      let limits: ConnectionLimits = {};
      const pool = createPool({
        url: 'tcp://fake:1',
        scheduler,
        idleTimeoutMs: 1e9,
        size: 1,
        maxInFlightPerConnection: 1,
        acquireTimeoutMs: 100,
        connect: (_config, given) => ((limits = given), of(connection)),
      });
      // A is written at once; B..E wait behind it, one written every 60 ms as its turn comes:
      // E waits 240 ms in all, well over acquireTimeoutMs, but the queue never stood still for 100.
      const outcomes = ['A', 'B', 'C', 'D', 'E'].map((verb) => track(scheduler, pool.request(verb)));
      for (const at of [60, 120, 180, 240]) scheduler.schedule(() => { connection.answer(limits); }, at);
      let late: Outcome[] = [];
      scheduler.schedule(() => { late = track(scheduler, pool.request('F')); }, 250);
      scheduler.flush();
      assert.deepEqual(outcomes.map((outcome) => outcome[0]?.at), [60, 120, 180, 240, undefined]);
      assert.ok(outcomes.slice(0, 4).every((outcome) => outcome[0]?.reply !== undefined));
      assert.deepEqual(connection.held.map((request) => request.verb), ['E']);
      // E is never answered: F, waiting since 250, fails 100 ms after the last write (E's, at 240).
      assert.equal(late[0]?.at, 350);
      connectionError(late[0]);
    });
  });

  it('lets a graceful close finish once the requests waiting for a connection have expired', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      const pool = fakePool(scheduler, () => NEVER, { acquireTimeoutMs: 70 });
      expectObservable(pool.events$).toBe('70ms (c|)', { c: { type: 'closed' } });
      // Scheduled so that the expectation has subscribed to the hot events$ first.
      scheduler.schedule(() => {
        pool.request('A').subscribe({ error: () => undefined });
        pool.close().subscribe();
      });
    });
  });

  it('creates no timer for requests written at once', () => {
    const inner = testScheduler();
    inner.run(() => {
      let timers = 0;
      const scheduler: SchedulerLike = {
        now: () => inner.now(),
        schedule: (...args: Parameters<SchedulerLike['schedule']>) => (timers++, inner.schedule(...args)),
      };
      const pool = fakePool(scheduler, () => of(new FakeConnection()), { acquireTimeoutMs: 100 });
      for (let i = 0; i < 1_000; i++) pool.request('PUSH', [{ jid: `j${i}` }]).subscribe();
      assert.equal(timers, 0);
    });
  });

  for (const value of [0, -1, Number.NaN]) {
    it(`rejects acquireTimeoutMs ${value} with InvalidArgumentError naming it`, () => {
      assert.throws(
        () => createPool({ url: 'tcp://fake:1', acquireTimeoutMs: value }),
        (error: unknown) => error instanceof InvalidArgumentError && error.argument === 'acquireTimeoutMs',
      );
    });
  }
});

describe('Pool acquireTimeoutMs against a port nobody listens on', () => {
  const pools: Pool[] = [];
  after(async () => {
    for (const pool of pools) await lastValueFrom(pool.close(), { defaultValue: undefined });
  });

  /** The codes along an error's `cause` chain. */
  function causeCodes(error: unknown): unknown[] {
    const codes: unknown[] = [];
    for (let current = error; current instanceof Error; current = current.cause) codes.push((current as { code?: unknown }).code);
    return codes;
  }

  it('fails push-like and blocking requests with ConnectionError (cause ECONNREFUSED) instead of hanging', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const address = probe.address();
    assert.ok(address !== null && typeof address === 'object');
    await new Promise<void>((resolve, reject) => { probe.close((error) => { if (error) reject(error); else resolve(); }); });

    const pool = createPool({
      url: `tcp://127.0.0.1:${address.port}`,
      size: 2,
      acquireTimeoutMs: 300,
      // Gives up after some seconds, so a broken timeout fails the test rather than hanging it.
      reconnect: exponentialBackoff({ baseMs: 10, maxMs: 50, maxAttempts: 60 }),
    });
    pools.push(pool);
    const started = Date.now();
    const results = await Promise.allSettled([
      firstOf(pool.request('PUSH', [{ jid: 'a', jobtype: 't', args: [] }])),
      firstOf(pool.request('PUSHB', [[{ jid: 'b', jobtype: 't', args: [] }]])),
      firstOf(pool.request('FETCH', ['default'], { blocking: true })),
    ]);
    const waitedMs = Date.now() - started;
    for (const result of results) {
      assert.equal(result.status, 'rejected');
      const error: unknown = result.reason;
      assert.ok(error instanceof ConnectionError, `expected a ConnectionError, got ${String(error)}`);
      assert.equal(error.retriable, true);
      assert.match(error.message, /waited \d+ms for a connection/);
      assert.ok(causeCodes(error).includes('ECONNREFUSED'), `cause chain: ${causeCodes(error).join(', ')}`);
    }
    assert.ok(waitedMs >= 290, `failed after ${waitedMs}ms, before acquireTimeoutMs`);
  });
});
