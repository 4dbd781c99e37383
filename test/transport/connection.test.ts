import { describe, it, after } from 'node:test';
import { firstOf } from './helpers/first-of.js';
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { lastValueFrom, toArray, VirtualTimeScheduler, type Observable } from 'rxjs';
import { encodeFrame } from '../../src/codec/index.js';
import {
  AuthenticationError,
  ClosedError,
  ConnectionError,
  HandshakeError,
  InvalidArgumentError,
  ProtocolError,
  ServerError,
  TimeoutError,
} from '../../src/errors.js';
import { Connection, resolveConfig, type ConnectionLimits, type Reply } from '../../src/transport/index.js';
import { startScriptedServer, type ScriptedServer, type ScriptedServerOptions } from './helpers/scripted-server.js';

const servers: ScriptedServer[] = [];
after(async () => {
  await Promise.all(servers.map((server) => server.close()));
});

async function serve(options: ScriptedServerOptions = {}): Promise<ScriptedServer> {
  const server = await startScriptedServer(options);
  servers.push(server);
  return server;
}

function open(url: string, limits: ConnectionLimits = {}, extra: Parameters<typeof resolveConfig>[0] = {}): Promise<Connection> {
  return firstOf(Connection.open(resolveConfig({ url, ...extra }, {}), limits));
}

/** Subscribes now; resolves with the outcome. */
function settle(reply$: Observable<Reply>): Promise<{ reply?: Reply; error?: unknown }> {
  return new Promise((resolve) => {
    reply$.subscribe({ next: (reply) => { resolve({ reply }); }, error: (error: unknown) => { resolve({ error }); } });
  });
}

/** A server that holds every `HOLD n` command until the test releases it. */
async function holdingServer(): Promise<{ server: ScriptedServer; held: string[]; socket: () => Socket }> {
  const held: string[] = [];
  let last: Socket | undefined;
  const server = await serve({
    onCommand: (line, socket) => {
      last = socket;
      if (line.startsWith('HOLD')) {
        held.push(line);
        return undefined;
      }
      return { type: 'bulk', value: line };
    },
  });
  return { server, held, socket: () => last! };
}

describe('Connection', () => {
  it('completes the handshake with HELLO v2 only for a producer, then answers a request', async () => {
    const server = await serve();
    const connection = await open(server.url);
    assert.deepEqual(await firstOf(connection.request('INFO')), { type: 'bulk', value: 'INFO' });
    assert.deepEqual(server.hellos, [{ v: 2 }]);
    await lastValueFrom(connection.close(), { defaultValue: undefined });
  });

  it('sends the worker identity with defaults in HELLO', async () => {
    const server = await serve();
    const connection = await open(server.url, {}, { worker: { wid: 'w-1' } });
    const hello = server.hellos[0]!;
    assert.equal(hello['wid'], 'w-1');
    assert.equal(hello['pid'], process.pid);
    assert.deepEqual(hello['labels'], ['node']);
    assert.equal(typeof hello['hostname'], 'string');
    connection.destroy();
  });

  it('answers a password challenge with the iterated sha256 pwdhash', async () => {
    const server = await serve({ password: 'p@ss:word', iterations: 5 });
    const connection = await open(`tcp://:${encodeURIComponent('p@ss:word')}@127.0.0.1:${server.port}`);
    assert.deepEqual(await firstOf(connection.request('PING')), { type: 'bulk', value: 'PING' });
    connection.destroy();
  });

  it('fails with AuthenticationError when the server refuses the password', async () => {
    const server = await serve({ password: 'right' });
    await assert.rejects(open(`tcp://:wrong@127.0.0.1:${server.port}`), AuthenticationError);
  });

  it('fails with AuthenticationError at once when the server asks for a password and none is configured', async () => {
    const server = await serve({ password: 'right' });
    await assert.rejects(open(server.url), (error: unknown) => error instanceof AuthenticationError && /requires a password/.test(error.message));
    assert.equal(server.hellos.length, 0, 'no HELLO was sent');
  });

  it('refuses a server speaking a protocol version above 2 with HandshakeError', async () => {
    const server = await serve({ greeting: '+HI {"v":3}' });
    await assert.rejects(open(server.url), (error: unknown) => error instanceof HandshakeError && /version 3/.test(error.message));
  });

  it('fails with ConnectionError (retriable) when nothing listens', async () => {
    const server = await serve();
    const { port } = server;
    await server.close();
    await assert.rejects(open(`tcp://127.0.0.1:${port}`), (error: unknown) => error instanceof ConnectionError && error.retriable);
  });

  it('fails an error reply with ServerError keeping the code word and message apart', async () => {
    const server = await serve({ onCommand: () => ({ type: 'error', code: 'NOTUNIQUE', message: 'Job not unique' }) });
    const connection = await open(server.url);
    const { error } = await settle(connection.request('PUSH', [{ jid: 'x' }]));
    assert.ok(error instanceof ServerError);
    assert.equal(error.serverCode, 'NOTUNIQUE');
    assert.equal(error.serverMessage, 'Job not unique');
    assert.equal(error.verb, 'PUSH');
    assert.equal(connection.usable, true, 'an error reply keeps the connection');
    connection.destroy();
  });

  it('matches 2,000 pipelined replies to their own requests', async () => {
    const server = await serve();
    const connection = await open(server.url, { maxInFlight: 50, maxQueued: 2_000 });
    const results = await Promise.all(Array.from({ length: 2_000 }, (_, i) => firstOf(connection.request('ECHO', [`n${i}`]))));
    results.forEach((reply, i) => { assert.deepEqual(reply, { type: 'bulk', value: `ECHO n${i}` }); });
    connection.destroy();
  });

  it('removes a request unsubscribed before it was written, keeping the stream in step', async () => {
    const { server, held, socket } = await holdingServer();
    const connection = await open(server.url, { maxInFlight: 1 });
    const first = settle(connection.request('HOLD', ['1']));
    const dropped = connection.request('ECHO', ['dropped']).subscribe();
    const third = settle(connection.request('ECHO', ['kept']));
    dropped.unsubscribe();
    await until(() => held.length === 1);
    socket().write(encodeFrame({ type: 'simple', value: 'first' }));
    assert.deepEqual((await first).reply, { type: 'simple', value: 'first' });
    assert.deepEqual((await third).reply, { type: 'bulk', value: 'ECHO kept' });
    assert.deepEqual(server.lines, ['HOLD 1', 'ECHO kept']);
    connection.destroy();
  });

  it('reads and drops the reply of a request unsubscribed after it was written', async () => {
    const { server, held, socket } = await holdingServer();
    const connection = await open(server.url);
    const abandoned = connection.request('HOLD', ['1']).subscribe();
    await until(() => held.length === 1);
    abandoned.unsubscribe();
    const next = settle(connection.request('HOLD', ['2']));
    await until(() => held.length === 2);
    socket().write(Buffer.concat([encodeFrame({ type: 'simple', value: 'reply to 1' }), encodeFrame({ type: 'simple', value: 'reply to 2' })]));
    assert.deepEqual((await next).reply, { type: 'simple', value: 'reply to 2' });
    connection.destroy();
  });

  it('kills the connection with ProtocolError on a reply nobody asked for', async () => {
    const server = await serve({ onHello: () => [{ type: 'simple', value: 'OK' }, { type: 'error', code: 'ERR', message: 'surprise' }] });
    const connection = await open(server.url);
    const cause = await connection.closed;
    assert.ok(cause instanceof ProtocolError);
    const { error } = await settle(connection.request('INFO'));
    assert.ok(error instanceof ConnectionError);
  });

  it("does not take the server's unsolicited 'too many connections' for a reply", async () => {
    const { server, held, socket } = await holdingServer();
    const connection = await open(server.url);
    const pending = settle(connection.request('HOLD', ['1']));
    await until(() => held.length === 1);
    socket().write(encodeFrame({ type: 'error', code: 'ERR', message: 'too many connections: 2001' }));
    const { error } = await pending;
    assert.ok(error instanceof ConnectionError, `got ${String(error)}`);
  });

  it('fails a late request with TimeoutError and the others with ConnectionError, and discards the connection', async () => {
    const scheduler = new VirtualTimeScheduler();
    const server = await serve();
    const connection = await open(server.url, { scheduler });
    const late = settle(connection.request('SILENT', [], { timeoutMs: 50 }));
    const other = settle(connection.request('SILENT', ['2'], { timeoutMs: 1_000 }));
    await until(() => server.lines.length === 2); // sent: time limits count from here
    scheduler.flush();
    const lateError = (await late).error;
    assert.ok(lateError instanceof TimeoutError && lateError.timeoutMs === 50 && lateError.verb === 'SILENT');
    const otherError = (await other).error;
    assert.ok(otherError instanceof ConnectionError && otherError.cause instanceof TimeoutError);
    assert.equal(connection.usable, false);
    assert.ok((await connection.closed) instanceof TimeoutError);
  });

  it('counts a pipelined command\'s time limit from the reply before it, not from its write', async () => {
    const scheduler = new VirtualTimeScheduler();
    const { server, held, socket } = await holdingServer();
    const connection = await open(server.url, { scheduler });
    const patient = settle(connection.request('HOLD', ['1'], { timeoutMs: 5_000 }));
    const hasty: { error?: unknown } = {};
    void settle(connection.request('HOLD', ['2'], { timeoutMs: 50 })).then((outcome) => {
      hasty.error = outcome.error;
    });
    await until(() => held.length === 2);
    scheduler.schedule(() => undefined, 900);
    scheduler.maxFrames = 900;
    scheduler.flush(); // 900 ms pass: far beyond the 50 ms of HOLD 2, still behind HOLD 1
    assert.equal(hasty.error, undefined);
    socket().write(encodeFrame({ type: 'simple', value: 'OK' }));
    assert.deepEqual((await patient).reply, { type: 'simple', value: 'OK' });
    scheduler.maxFrames = Number.POSITIVE_INFINITY;
    scheduler.flush(); // HOLD 2 heads the pipeline since 900 ms: overdue at 950 ms
    await until(() => hasty.error !== undefined);
    const error = hasty.error as unknown;
    assert.ok(error instanceof TimeoutError && error.timeoutMs === 50);
    assert.equal(scheduler.frame, 950);
    assert.equal(connection.usable, false);
  });

  it('fails every pending request with a retriable ConnectionError carrying the cause when the socket dies', async () => {
    const { server, held, socket } = await holdingServer();
    const connection = await open(server.url);
    const pending = [settle(connection.request('HOLD', ['1'])), settle(connection.request('HOLD', ['2']))];
    await until(() => held.length === 2);
    socket().destroy();
    for (const outcome of await Promise.all(pending)) {
      assert.ok(outcome.error instanceof ConnectionError && outcome.error.retriable);
    }
  });

  it('fails the request whose reply is garbage with ProtocolError', async () => {
    const server = await serve({ onCommand: () => Buffer.from('%%% not resp\r\n') });
    const connection = await open(server.url);
    const { error } = await settle(connection.request('INFO'));
    assert.ok(error instanceof ProtocolError, `got ${String(error)}`);
  });

  it('finishes pending requests, then sends END and closes on close()', async () => {
    const { server, held, socket } = await holdingServer();
    const connection = await open(server.url);
    const pending = settle(connection.request('HOLD', ['1']));
    await until(() => held.length === 1);
    const closing = firstOf(connection.close().pipe(toArray()));
    assert.ok((await settle(connection.request('INFO'))).error instanceof ClosedError, 'refuses new work while closing');
    socket().write(encodeFrame({ type: 'simple', value: 'OK' }));
    assert.deepEqual((await pending).reply, { type: 'simple', value: 'OK' });
    assert.deepEqual(await closing, [undefined], 'emits undefined once, then completes');
    assert.equal(await connection.closed, undefined);
    assert.deepEqual(server.lines, ['HOLD 1', 'END']);
    assert.deepEqual(await firstOf(connection.close().pipe(toArray())), [undefined], 'closing again emits at once');
  });

  it('refuses an argument that would break the line with InvalidArgumentError, sending nothing', async () => {
    const server = await serve();
    const connection = await open(server.url);
    assert.ok((await settle(connection.request('FETCH', ['a b']))).error instanceof InvalidArgumentError);
    assert.deepEqual(server.lines, []);
    connection.destroy();
  });
});

/** Resolves when `condition` holds, polling on the event loop (no fixed delay). */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}
