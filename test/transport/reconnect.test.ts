import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { defer, mergeMap, NEVER, Observable, of, throwError, timer } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { AuthenticationError, ConnectionError, HandshakeError, ProtocolError, TimeoutError } from '../../src/errors.js';
import type { ConnectionLimits } from '../../src/transport/connection.js';
import { createPool, exponentialBackoff, reconnectDelay, type PoolOptions } from '../../src/transport/index.js';
import type { PoolConnection } from '../../src/transport/pool.js';
import { FakeConnection } from './helpers/fake-connection.js';

const testScheduler = (): TestScheduler => new TestScheduler((actual, expected) => { assert.deepEqual(actual, expected); });

function fakePool(
  scheduler: TestScheduler,
  open: (limits: ConnectionLimits) => Observable<PoolConnection>,
  options: PoolOptions = {},
): ReturnType<typeof createPool> {
  // No acquire timeout here: these tests leave requests waiting on purpose (acquire-timeout.test.ts covers it).
  return createPool({ url: 'tcp://fake:1', scheduler, idleTimeoutMs: 1e9, acquireTimeoutMs: Number.POSITIVE_INFINITY, connect: (_config, limits) => defer(() => open(limits)), ...options });
}

describe('exponentialBackoff', () => {
  it('doubles from baseMs up to maxMs, jittered between half and all of it', () => {
    const low = exponentialBackoff({ random: () => 0 });
    const high = exponentialBackoff({ random: () => 0.999_999 });
    assert.deepEqual([1, 2, 3, 4, 8, 9, 30].map(low), [50, 100, 200, 400, 5_000, 5_000, 5_000]);
    assert.deepEqual([1, 2, 3, 8, 30].map(high), [100, 200, 400, 10_000, 10_000]);
  });

  it('gives up after maxAttempts', () => {
    const strategy = exponentialBackoff({ maxAttempts: 2, random: () => 0 });
    assert.deepEqual([1, 2, 3].map(strategy), [50, 100, false]);
  });
});

describe('reconnectDelay', () => {
  for (const error of [new AuthenticationError('no'), new HandshakeError('no'), new ProtocolError('no')]) {
    it(`never retries ${error.name}, whatever the strategy`, () => {
      assert.equal(reconnectDelay(5, 1, error), false);
      assert.equal(reconnectDelay(() => 5, 1, error), false);
    });
  }

  it('retries retriable errors per the strategy', () => {
    assert.equal(reconnectDelay(7, 3, new ConnectionError('lost')), 7);
    assert.equal(reconnectDelay((attempt) => attempt * 10, 3, new TimeoutError('slow', { timeoutMs: 1 })), 30);
    assert.equal(reconnectDelay(false, 1, new ConnectionError('lost')), false);
    assert.equal(reconnectDelay(() => Number.NaN, 1, new ConnectionError('lost')), false);
  });
});

describe('Pool reconnect schedule (marbles)', () => {
  it('retries a failed connect on the backoff schedule, then fails the waiting request with the cause', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      const refused = new ConnectionError('refused');
      const opens: number[] = [];
      const pool = fakePool(scheduler, () => (opens.push(scheduler.now()), throwError(() => refused)), {
        reconnect: exponentialBackoff({ baseMs: 100, maxAttempts: 3, random: () => 0.999_999 }),
      });
      expectObservable(pool.request('INFO')).toBe('700ms #', undefined, refused);
      scheduler.flush();
      assert.deepEqual(opens, [0, 100, 300, 700]);
    });
  });

  it('reports each retry as a reconnecting event with its attempt and delay', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      const refused = new ConnectionError('refused');
      const pool = fakePool(scheduler, () => throwError(() => refused), { reconnect: (attempt) => (attempt <= 2 ? 10 * attempt : false) });
      expectObservable(pool.events$).toBe('a 9ms b', {
        a: { type: 'reconnecting', attempt: 1, delayMs: 10, error: refused },
        b: { type: 'reconnecting', attempt: 2, delayMs: 20, error: refused },
      });
      // Scheduled so that the expectation has subscribed to the hot events$ first.
      scheduler.schedule(() => pool.request('INFO').subscribe({ error: () => undefined }));
    });
  });

  it('never retries an AuthenticationError: the request fails at once after one attempt', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      const denied = new AuthenticationError('the server refused the password');
      let opens = 0;
      const pool = fakePool(scheduler, () => (opens++, throwError(() => denied)));
      expectObservable(pool.request('INFO')).toBe('#', undefined, denied);
      scheduler.flush();
      assert.equal(opens, 1);
    });
  });

  it('fails the waiting requests when the strategy gives up while another connect is still in flight', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const refused = new ConnectionError('refused');
      let opens = 0;
      // Connects fail after 10 or 20 ms, so one is in flight when the other gives up; NEVER past
      // 50 opens only keeps a regression from spinning forever.
      const pool = fakePool(scheduler, () => (++opens > 50 ? NEVER : timer(opens % 2 === 1 ? 10 : 20).pipe(mergeMap(() => throwError(() => refused)))), {
        reconnect: (attempt) => (attempt <= 1 ? 5 : false),
      });
      const failed: [string, number, unknown][] = [];
      pool.request('ACK').subscribe({ error: (error: unknown) => failed.push(['ACK', scheduler.now(), error]) });
      pool.request('FETCH', ['q'], { blocking: true }).subscribe({ error: (error: unknown) => failed.push(['FETCH', scheduler.now(), error]) });
      scheduler.flush();
      assert.deepEqual(failed, [['ACK', 20, refused], ['FETCH', 20, refused]]);
      assert.ok(opens <= 4, `opened ${opens} times`);
    });
  });

  it('fails the waiting requests, and opens no new socket, when a live connection dies with a ProtocolError', async () => {
    let die!: (cause: Error) => void;
    class DyingConnection extends FakeConnection {
      override readonly closed = new Promise<Error | undefined>((resolve) => {
        die = resolve;
      });
    }
    let opens = 0;
    const pool = createPool({ url: 'tcp://fake:1', size: 1, idleTimeoutMs: 1e9, connect: () => defer(() => (opens++, of(new DyingConnection(true)))) });
    const outcomes: unknown[] = [];
    // The FETCH holds the only connection, so the ACK waits in the pool's queue.
    pool.request('FETCH', ['q'], { blocking: true }).subscribe({ error: () => undefined });
    pool.request('ACK', [{ jid: 'j' }]).subscribe({ next: (reply) => outcomes.push(reply), error: (error: unknown) => outcomes.push(error) });
    const garbage = new ProtocolError('the server sent bytes that are not RESP');
    die(garbage);
    await new Promise(setImmediate);
    assert.deepEqual(outcomes, [garbage]);
    assert.equal(opens, 1);
    pool.destroy();
  });

  it('sends a request that was never written on the next connection after the backoff', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      let opens = 0;
      const pool = fakePool(scheduler, () => (++opens === 1 ? throwError(() => new ConnectionError('refused')) : of(new FakeConnection())), { reconnect: 250 });
      expectObservable(pool.request('INFO')).toBe('250ms (r|)', { r: { type: 'simple', value: 'OK' } });
    });
  });

  it('waits while a connect is in flight instead of opening more sockets', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      let opens = 0;
      const pool = fakePool(scheduler, () => (opens++, NEVER), { size: 5 });
      for (let i = 0; i < 20; i++) pool.request('INFO').subscribe();
      scheduler.flush();
      assert.equal(opens, 1);
    });
  });
});

/** A pool whose connections hold every request, and those connections in the order opened. */
function holdingPool(scheduler: TestScheduler, options: PoolOptions): { pool: ReturnType<typeof createPool>; connections: FakeConnection[] } {
  const connections: FakeConnection[] = [];
  const pool = fakePool(scheduler, () => {
    const connection = new FakeConnection(true);
    connections.push(connection);
    return of(connection);
  }, options);
  return { pool, connections };
}

describe('Pool dispatch', () => {
  it('lets blocking requests hold at most size - 1 connections, keeping one for the rest', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const { pool, connections } = holdingPool(scheduler, { size: 3 });
      for (let i = 0; i < 5; i++) pool.request('FETCH', ['q'], { blocking: true }).subscribe();
      pool.request('ACK', [{ jid: 'j' }]).subscribe();
      pool.request('PUSH', [{ jid: 'k' }]).subscribe();
      scheduler.flush();
      assert.equal(connections.length, 3, 'never more than size sockets');
      const verbs = connections.map((connection) => connection.held.map((request) => request.verb).join(','));
      assert.deepEqual(verbs.sort(), ['ACK,PUSH', 'FETCH', 'FETCH']);
    });
  });

  it('pipelines blocking requests up to maxBlockingPerConnection, filling one connection before opening the next', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const { pool, connections } = holdingPool(scheduler, { size: 4, maxBlockingPerConnection: 3 });
      for (let i = 0; i < 5; i++) pool.request('FETCH', [`q${i}`], { blocking: true }).subscribe();
      pool.request('ACK', [{ jid: 'j' }]).subscribe();
      scheduler.flush();
      const lines = connections.map((connection) => connection.held.map((request) => request.bytes.toString().trim()).join(','));
      // Two connections for five FETCHes (3 + 2), not five; the ACK on a third, never behind a FETCH.
      assert.deepEqual(lines.sort(), ['ACK {"jid":"j"}', 'FETCH q0,FETCH q1,FETCH q2', 'FETCH q3,FETCH q4']);
      for (let i = 5; i < 9; i++) pool.request('FETCH', [`q${i}`], { blocking: true }).subscribe();
      scheduler.flush();
      // The room left on the second connection first, then the fourth and last socket (size 4).
      assert.equal(connections.length, 4);
      assert.deepEqual(connections.map((connection) => connection.held.length).sort(), [1, 3, 3, 3]);
    });
  });

  it('gives each spread request a connection of its own while the pool can open one, then the least busy, and packs the rest first fit', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const { pool, connections } = holdingPool(scheduler, { size: 3 });
      for (let i = 0; i < 5; i++) pool.request('PUSHB', [[{ jid: `b${i}` }]], { spread: true }).subscribe();
      pool.request('PUSH', [{ jid: 'p' }]).subscribe();
      scheduler.flush();
      const lines = connections.map((connection) => connection.held.map((request) => request.bytes.toString().match(/"(\w+)"}/)?.[1]).join(','));
      assert.deepEqual(lines, ['b0,b3,p', 'b1,b4', 'b2']);
    });
  });

  it('rejects a maxBlockingPerConnection that is not a positive integer', () => {
    assert.throws(() => createPool({ maxBlockingPerConnection: 0 }), (error: unknown) => error instanceof Error && /maxBlockingPerConnection/.test(String((error as { argument?: string }).argument)));
  });

  for (const maxBlockingPerConnection of [1, 4]) {
    it(`gives the one connection of a pool of size 1 to one blocking request at a time (maxBlockingPerConnection ${maxBlockingPerConnection}), the others' commands going between them`, () => {
      const scheduler = testScheduler();
      scheduler.run(() => {
        const connection = new FakeConnection(true);
        let limits: ConnectionLimits = {};
        const pool = fakePool(scheduler, (given) => ((limits = given), of(connection)), { size: 1, maxBlockingPerConnection });
        for (let i = 0; i < 3; i++) pool.request('FETCH', ['q'], { blocking: true }).subscribe();
        pool.request('ACK', [{ jid: 'j' }]).subscribe();
        scheduler.flush();
        assert.deepEqual(connection.held.map((request) => request.verb), ['FETCH']);
        connection.answer(limits);
        assert.deepEqual(connection.held.map((request) => request.verb), ['ACK']);
      });
    });
  }

  it('fails fast with ConnectionError when maxQueued requests already wait', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      const pool = fakePool(scheduler, () => NEVER, { maxQueued: 2 });
      pool.request('A').subscribe();
      pool.request('B').subscribe();
      expectObservable(pool.request('C')).toBe('#', undefined, new ConnectionError('too many requests waiting for a connection (maxQueued 2)', { verb: 'C' }));
    });
  });
});

describe('Pool idle timeout (marbles)', () => {
  /** A pool of one holding connection that closes after 10 ms idle; `closes` gets the times it was closed. */
  function idlePool(scheduler: TestScheduler): { pool: ReturnType<typeof createPool>; answer: () => void; closes: number[] } {
    const connection = new FakeConnection(true);
    const closes: number[] = [];
    connection.onClose = () => closes.push(scheduler.now());
    let limits: ConnectionLimits = {};
    const pool = fakePool(scheduler, (given) => ((limits = given), of(connection)), { size: 1, idleTimeoutMs: 10 });
    return { pool, answer: () => { connection.answer(limits); }, closes };
  }

  it('closes a connection idleTimeoutMs after it last went idle, not after it first did', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const { pool, answer, closes } = idlePool(scheduler);
      pool.request('A').subscribe();
      scheduler.schedule(answer, 5); // idle from 5
      scheduler.schedule(() => pool.request('B').subscribe(), 8);
      scheduler.schedule(answer, 12); // idle again from 12
      scheduler.flush();
      assert.deepEqual(closes, [22]);
    });
  });

  it('leaves a connection that is busy when its idle time is up open until idleTimeoutMs after it goes idle again', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const { pool, answer, closes } = idlePool(scheduler);
      pool.request('A').subscribe();
      scheduler.schedule(answer, 5); // idle from 5: due at 15
      scheduler.schedule(() => pool.request('B').subscribe(), 8); // busy from 8 to 40
      scheduler.schedule(answer, 40);
      scheduler.flush();
      assert.deepEqual(closes, [50]);
    });
  });
});
