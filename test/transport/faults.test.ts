import { describe, it, after } from 'node:test';
import { firstOf } from './helpers/first-of.js';
import assert from 'node:assert/strict';
import { filter, lastValueFrom } from 'rxjs';
import { ConnectionError, ProtocolError, TimeoutError } from '../../src/errors.js';
import { startServer, type FaktoryServer } from '../../src/testing/server/index.js';
import { Connection, createPool, resolveConfig, type Pool, type PoolEvent, type PoolOptions } from '../../src/transport/index.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';

const cleanups: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function rig(): Promise<{ faktory: FaktoryServer; proxy: FaultProxy }> {
  const faktory = await startServer();
  const proxy = await startFaultProxy({ port: faktory.port });
  cleanups.push(() => faktory.close(), () => proxy.close());
  return { faktory, proxy };
}

function pool(options: PoolOptions): Pool {
  const created = createPool(options);
  cleanups.push(() => lastValueFrom(created.close(), { defaultValue: undefined }));
  return created;
}

describe('Transport faults through a TCP proxy', () => {
  it('fails with ConnectionError (never hangs, never mismatches) wherever the server-to-client stream is cut', async () => {
    const { proxy } = await rig();
    // `+HI {"v":2}\r\n` (13) + `+OK\r\n` (5) + `$15\r\n{"cut-q":0}...` : cut at every byte up to past the reply.
    let succeeded = 0;
    for (let bytes = 0; bytes <= 40; bytes++) {
      proxy.setFaults({ cutToClientAfterBytes: bytes });
      try {
        const connection = await firstOf(Connection.open(resolveConfig({ url: proxy.url() }, {})));
        const reply = await firstOf(connection.request('QUEUE', ['LATENCY', 'cut-q']));
        assert.deepEqual(reply, { type: 'bulk', value: '{"cut-q":0}' });
        succeeded++;
        connection.destroy();
      } catch (error) {
        assert.ok(error instanceof ConnectionError, `cut at ${bytes}: ${String(error)}`);
      }
    }
    assert.ok(succeeded > 0 && succeeded < 41, `some cuts fall after the reply (${succeeded})`);
    proxy.setFaults({});
    await proxy.waitForNoConnections();
  });

  it('still answers when every chunk is delayed', async () => {
    const { proxy } = await rig();
    proxy.setFaults({ delayMs: 30 });
    const p = pool({ url: proxy.url() });
    assert.equal((await firstOf(p.request('QUEUE', ['LATENCY', 'slow']))).type, 'bulk');
  });

  it('fails a request on a half-open connection with TimeoutError and discards the connection', async () => {
    const { proxy } = await rig();
    const p = pool({ url: proxy.url(), reconnect: false });
    await firstOf(p.request('INFO'));
    proxy.setFaults({ blackhole: true });
    await assert.rejects(firstOf(p.request('INFO', [], { timeoutMs: 150 })), TimeoutError);
    await proxy.waitForNoConnections();
    assert.equal(p.connections, 0);
  });

  it('fails a handshake that never completes with a retriable ConnectionError after connectTimeoutMs', async () => {
    const { proxy } = await rig();
    proxy.setFaults({ blackhole: true });
    await assert.rejects(
      firstOf(Connection.open(resolveConfig({ url: proxy.url(), connectTimeoutMs: 150 }, {}))),
      (error: unknown) => error instanceof ConnectionError && error.cause instanceof TimeoutError,
    );
  });

  it('fails the pending request with ProtocolError when the server sends garbage', async () => {
    const { proxy } = await rig();
    const p = pool({ url: proxy.url(), reconnect: false });
    await firstOf(p.request('INFO'));
    proxy.setFaults({ blackhole: true });
    const pending = firstOf(p.request('INFO'));
    proxy.injectGarbage('%%% not RESP\r\n');
    await assert.rejects(pending, ProtocolError);
  });

  it('reconnects after the connection is reset, reporting disconnected, reconnecting and connected', async () => {
    const { proxy } = await rig();
    const p = pool({ url: proxy.url(), reconnect: 5 });
    const events: PoolEvent['type'][] = [];
    p.events$.subscribe((event) => events.push(event.type));
    await firstOf(p.request('INFO'));
    const disconnected = firstOf(p.events$.pipe(filter((event) => event.type === 'disconnected')));
    proxy.cutAll();
    await disconnected;
    await firstOf(p.request('QUEUE', ['LATENCY', 'after-reset']));
    assert.equal(proxy.accepted, 2);
    assert.deepEqual(events, ['connected', 'disconnected', 'reconnecting', 'connected']);
  });

  it('retries a request that was never written per the strategy, then fails it with the cause, leaving nothing open', async () => {
    const { proxy } = await rig();
    proxy.setFaults({ refuse: true });
    const attempts: number[] = [];
    const p = pool({ url: proxy.url(), reconnect: (attempt) => (attempts.push(attempt), attempt <= 3 ? 1 : false) });
    await assert.rejects(firstOf(p.request('INFO')), (error: unknown) => error instanceof ConnectionError);
    assert.deepEqual(attempts, [1, 2, 3, 4]);
    // Each attempt, and its TLS probe: a plain connection closed before a byte of greeting might
    // be a TLS server dropping it (the probe finds none here, so the error stays retriable).
    assert.equal(proxy.accepted, 8);
    await lastValueFrom(p.close(), { defaultValue: undefined });
    assert.equal(p.connections, 0);
  });

  it('recovers a waiting request once the server accepts again', async () => {
    const { proxy } = await rig();
    proxy.setFaults({ refuse: true });
    const p = pool({ url: proxy.url(), reconnect: 2 });
    const reply = firstOf(p.request('QUEUE', ['LATENCY', 'later']));
    await proxy.waitForConnections(3);
    proxy.setFaults({});
    assert.deepEqual(await reply, { type: 'bulk', value: '{"later":0}' });
  });
});
