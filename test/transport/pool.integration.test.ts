import { describe, it, after, before } from 'node:test';
import { firstOf } from './helpers/first-of.js';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, toArray, VirtualTimeScheduler } from 'rxjs';
import { AuthenticationError, ClosedError, ConnectionError, HandshakeError } from '../../src/errors.js';
import { startServer, type FaktoryServer } from '../../src/testing/server/index.js';
import { Connection, createPool, resolveConfig, type Pool, type PoolOptions, type Reply } from '../../src/transport/index.js';

const cleanups: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function server(options: Parameters<typeof startServer>[0] = {}): Promise<FaktoryServer> {
  const started = await startServer(options);
  cleanups.push(() => started.close());
  return started;
}

function pool(options: PoolOptions): Pool {
  const created = createPool(options);
  cleanups.push(() => lastValueFrom(created.close(), { defaultValue: undefined }));
  return created;
}

const closed = (p: Pool): Promise<void> => lastValueFrom(p.close(), { defaultValue: undefined });
const bulk = (reply: Reply): string => (reply.type === 'bulk' ? reply.value : assert.fail(`expected a bulk reply, got ${reply.type}`));
let unique = 0;
const queueName = (): string => `q-${process.pid}-${++unique}`;

describe('Pool against the in-memory server', () => {
  it('gives each of 10,000 interleaved requests from many subscribers on a pool of 2 its own reply', async () => {
    const faktory = await server();
    const p = pool({ url: faktory.url, size: 2, maxQueued: 10_000 });
    const names = Array.from({ length: 10_000 }, (_, i) => `lat-${i}`);
    const replies = await Promise.all(names.map((name) => firstOf(p.request('QUEUE', ['LATENCY', name]))));
    replies.forEach((reply, i) => { assert.deepEqual(Object.keys(JSON.parse(bulk(reply)) as object), [names[i]]); });
    assert.ok(faktory.stats().totalConnections <= 2, `opened ${faktory.stats().totalConnections} sockets`);
    await closed(p);
  });

  it('keeps the stream in step when many requests are cancelled before and after they are written', async () => {
    const faktory = await server();
    const p = pool({ url: faktory.url, size: 2, maxInFlightPerConnection: 8 });
    const kept: Promise<Reply>[] = [];
    for (let i = 0; i < 400; i++) {
      const name = `c-${i}`;
      if (i % 3 === 0) {
        const sub = p.request('QUEUE', ['LATENCY', name]).subscribe();
        if (i % 2 === 0) sub.unsubscribe(); // before it is written
        else queueMicrotask(() => { sub.unsubscribe(); }); // after
      } else {
        kept.push(firstOf(p.request('QUEUE', ['LATENCY', name])).then((reply) => {
          assert.deepEqual(Object.keys(JSON.parse(bulk(reply)) as object), [name]);
          return reply;
        }));
      }
    }
    await Promise.all(kept);
    await closed(p);
  });

  it('gives a blocking FETCH a connection to itself so a PUSH is answered while it waits', async () => {
    const faktory = await server();
    const p = pool({ url: faktory.url, size: 2 });
    const queue = queueName();
    const fetched = firstOf(p.request('FETCH', [queue], { blocking: true }));
    await faktory.until.connections(1);
    await firstOf(p.request('PUSH', [{ jid: 'job-000001', jobtype: 'T', args: [], queue }]));
    const job = JSON.parse(bulk(await fetched)) as { jid: string };
    assert.equal(job.jid, 'job-000001');
    assert.equal(faktory.stats().totalConnections, 2);
    await closed(p);
  });

  it('authenticates with the password from the URL', async () => {
    const faktory = await server({ password: 'sw0rd fish' });
    const p = pool({ url: `tcp://:${encodeURIComponent('sw0rd fish')}@127.0.0.1:${faktory.port}` });
    assert.equal((await firstOf(p.request('FLUSH'))).type, 'simple');
    await closed(p);
  });

  it('fails with AuthenticationError on a wrong password and never retries it', async () => {
    const faktory = await server({ password: 'right' });
    const p = pool({ url: `tcp://:wrong@127.0.0.1:${faktory.port}`, reconnect: 0 });
    await assert.rejects(firstOf(p.request('INFO')), AuthenticationError);
    assert.equal(faktory.stats().totalConnections, 1);
    await closed(p);
  });

  it('refuses new requests with ClosedError once closing, finishes the pending ones and leaves no socket open', async () => {
    const faktory = await server();
    const p = pool({ url: faktory.url, size: 3 });
    const pending = Promise.all(Array.from({ length: 50 }, (_, i) => firstOf(p.request('QUEUE', ['LATENCY', `x${i}`]))));
    const closing = closed(p);
    await assert.rejects(firstOf(p.request('INFO')), ClosedError);
    assert.equal((await pending).length, 50);
    await closing;
    await faktory.until.connections(0);
    assert.equal(p.connections, 0);
  });

  it('closes a connection that stayed idle for idleTimeoutMs', async () => {
    const faktory = await server();
    const scheduler = new VirtualTimeScheduler();
    const p = pool({ url: faktory.url, idleTimeoutMs: 1_000, scheduler });
    await firstOf(p.request('INFO'));
    assert.equal(p.connections, 1);
    scheduler.flush();
    await faktory.until.connections(0);
    assert.equal(p.connections, 0);
    await firstOf(p.request('INFO'));
    assert.equal(faktory.stats().totalConnections, 2, 'opens again lazily');
    await closed(p);
  });

  it('emits connected and closed events', async () => {
    const faktory = await server();
    const p = pool({ url: faktory.url });
    const events: string[] = [];
    p.events$.subscribe((event) => events.push(event.type));
    await firstOf(p.request('INFO'));
    await closed(p);
    assert.deepEqual(events, ['connected', 'closed']);
  });

  it('emits undefined once from close(), then completes, so firstValueFrom resolves', async () => {
    const faktory = await server();
    const p = pool({ url: faktory.url });
    await firstOf(p.request('INFO'));
    assert.deepEqual(await firstOf(p.close().pipe(toArray())), [undefined]);
    await firstOf(p.close()); // again, once closed: firstOf rejects if it completes without a value
  });

  it('returns the same completion from close() and destroy(), failing pending work on destroy', async () => {
    const faktory = await server();
    const p = pool({ url: faktory.url });
    const fetch = firstOf(p.request('FETCH', [queueName()], { blocking: true }));
    await faktory.until.connections(1);
    const closing = closed(p);
    p.destroy();
    p.destroy();
    await assert.rejects(fetch, ClosedError);
    await closing;
    await closed(p);
    await faktory.until.connections(0);
  });
});

describe('TLS', () => {
  let dir = '';
  let key = '';
  let cert = '';
  const haveOpenssl = (() => {
    try {
      execFileSync('openssl', ['version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();
  before(() => {
    if (!haveOpenssl) return;
    dir = mkdtempSync(join(tmpdir(), 'faktory-rx-tls-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    key = readFileSync(join(dir, 'key.pem'), 'utf8');
    cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
  });
  after(() => {
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  it('connects over tcp+tls:// to a self-signed server trusted through the tls options', { skip: !haveOpenssl && 'no openssl' }, async () => {
    const faktory = await server({ tls: { key, cert }, password: 'tls-pass' });
    const p = pool({ url: `tcp+tls://:tls-pass@localhost:${faktory.port}`, tls: { ca: cert } });
    assert.equal((await firstOf(p.request('FLUSH'))).type, 'simple');
    await closed(p);
  });

  it('reports tcp+tls:// to a plain server as a HandshakeError that says to use tcp://, and never retries it', async () => {
    const faktory = await server();
    const p = pool({ url: `tcp+tls://127.0.0.1:${faktory.port}` });
    const events: string[] = [];
    p.events$.subscribe((event) => events.push(event.type));
    await assert.rejects(firstOf(p.request('INFO')), (error: unknown) => {
      assert.ok(error instanceof HandshakeError, `got ${String(error)}`);
      assert.equal(error.retriable, false);
      assert.match(error.message, new RegExp(`not TLS.*connect with tcp://127\\.0\\.0\\.1:${faktory.port}`));
      return true;
    });
    assert.deepEqual(events, [], 'no reconnecting event');
  });

  it('reports tcp:// to a TLS server as a HandshakeError that says to use tcp+tls://, and never retries it', { skip: !haveOpenssl && 'no openssl' }, async () => {
    const faktory = await server({ tls: { key, cert } });
    // Neither side speaks first, so the plain connection fails at its connect timeout; then a TLS probe tells why.
    const p = pool({ url: `tcp://127.0.0.1:${faktory.port}`, connectTimeoutMs: 300 });
    const events: string[] = [];
    p.events$.subscribe((event) => events.push(event.type));
    await assert.rejects(firstOf(p.request('INFO')), (error: unknown) => {
      assert.ok(error instanceof HandshakeError, `got ${String(error)}`);
      assert.equal(error.retriable, false);
      assert.match(error.message, new RegExp(`speaks TLS.*connect with tcp\\+tls://127\\.0\\.0\\.1:${faktory.port}`));
      return true;
    });
    assert.deepEqual(events, [], 'no reconnecting event');
  });

  it('keeps a plain connection that timed out against a plain server a retriable ConnectionError', async () => {
    // A server that accepts, reads and never greets: the TLS probe finds no TLS there.
    const silent = createServer((socket) => { socket.on('error', () => undefined).resume(); });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => { silent.close(resolve); }));
    const { port } = silent.address() as AddressInfo;
    await assert.rejects(
      firstOf(Connection.open(resolveConfig({ url: `tcp://127.0.0.1:${port}`, connectTimeoutMs: 200 }, {}))),
      (error: unknown) => error instanceof ConnectionError && /took over 200ms/.test(error.message),
    );
  });

  it('rejects an untrusted certificate with HandshakeError, not a retriable error', { skip: !haveOpenssl && 'no openssl' }, async () => {
    const faktory = await server({ tls: { key, cert } });
    await assert.rejects(
      firstOf(Connection.open(resolveConfig({ url: `tcp+tls://localhost:${faktory.port}` }, {}))),
      (error: unknown) => error instanceof HandshakeError && !error.retriable,
    );
  });
});
