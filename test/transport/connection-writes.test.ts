import { describe, it, afterEach, beforeEach, mock } from 'node:test';
import assert from 'node:assert/strict';
import { Socket } from 'node:net';
import { Writable } from 'node:stream';
import { lastValueFrom } from 'rxjs';
import { Connection, resolveConfig, type Reply } from '../../src/transport/index.js';
import { firstOf } from './helpers/first-of.js';
import { startScriptedServer, type ScriptedServer } from './helpers/scripted-server.js';

/**
 * How a connection hands commands to its socket, in order: what it asked of the client socket
 * (`write A` with whether the socket was corked then, `cork`, `uncork`) and what the socket then
 * handed to the operating system (`send A` for one chunk, `send A B C` for one gathered write).
 */
const calls: string[] = [];

type WriteCallback = (error?: Error | null) => void;
interface Chunk {
  readonly chunk: Buffer;
}
/** The socket's hooks that reach the OS: one `write` or one `writev` system call each. */
interface SocketInternals {
  _write: (this: Socket, chunk: Buffer, encoding: BufferEncoding, callback: WriteCallback) => void;
  _writev: (this: Socket, chunks: Chunk[], callback: WriteCallback) => void;
}

const line = (chunk: Buffer): string => chunk.toString().trimEnd();

/** Records the calls on the client socket of `server` (sockets inherit `write`, `cork` and `uncork` from `Writable`). */
function spyOnClientSocket(server: ScriptedServer): void {
  const isClient = (socket: Socket): boolean => socket.remotePort === server.port;
  const internals = Socket.prototype as unknown as SocketInternals;
  const { _write: osWrite, _writev: osWritev } = internals;
  mock.method(Socket.prototype, 'write', function (this: Socket, chunk: Buffer, ...rest: unknown[]): boolean {
    if (isClient(this)) calls.push(`write ${line(chunk)}${this.writableCorked > 0 ? ' (corked)' : ''}`);
    return Writable.prototype.write.call(this, chunk, ...(rest as [encoding: BufferEncoding, callback?: WriteCallback]));
  });
  mock.method(Socket.prototype, 'cork', function (this: Socket): void {
    if (isClient(this)) calls.push('cork');
    Writable.prototype.cork.call(this);
  });
  mock.method(Socket.prototype, 'uncork', function (this: Socket): void {
    if (isClient(this)) calls.push('uncork');
    Writable.prototype.uncork.call(this);
  });
  mock.method(internals, '_write', function (this: Socket, chunk: Buffer, encoding: BufferEncoding, callback: WriteCallback): void {
    if (isClient(this)) calls.push(`send ${line(chunk)}`);
    osWrite.call(this, chunk, encoding, callback);
  });
  mock.method(internals, '_writev', function (this: Socket, chunks: Chunk[], callback: WriteCallback): void {
    if (isClient(this)) calls.push(`send ${chunks.map(({ chunk }) => line(chunk)).join(' ')}`);
    osWritev.call(this, chunks, callback);
  });
}

const nextTick = (): Promise<void> =>
  new Promise((resolve) => {
    process.nextTick(resolve);
  });
/** The check phase of this event-loop turn: after the uncork a write scheduled (immediates run in order). */
const endOfTurn = (): Promise<void> =>
  new Promise((resolve) => {
    setImmediate(resolve);
  });
const bulk = (reply: Reply): string => (reply.type === 'bulk' ? reply.value : assert.fail(`expected a bulk reply, got ${reply.type}`));

describe('Connection writes', () => {
  let server: ScriptedServer;
  let connection: Connection;

  beforeEach(async () => {
    server = await startScriptedServer(); // echoes each command line as a bulk string
    connection = await firstOf(Connection.open(resolveConfig({ url: server.url }, {})));
    calls.length = 0;
    spyOnClientSocket(server);
  });

  afterEach(async () => {
    mock.restoreAll();
    await lastValueFrom(connection.close(), { defaultValue: undefined });
    await server.close();
  });

  it('sends a lone command to an idle connection at the end of its event-loop turn, not of its tick, in one write', async () => {
    const reply = firstOf(connection.request('A'));
    assert.deepEqual(calls, ['cork', 'write A (corked)']);
    await nextTick();
    assert.deepEqual(calls, ['cork', 'write A (corked)'], 'still corked after the tick');
    await endOfTurn();
    assert.deepEqual(calls, ['cork', 'write A (corked)', 'uncork', 'send A']);
    assert.equal(bulk(await reply), 'A');
  });

  it('sends every command written in one turn, over several ticks, the first included, in one write, in order', async () => {
    const replies = [firstOf(connection.request('A'))];
    await nextTick();
    replies.push(firstOf(connection.request('B')));
    await Promise.resolve();
    replies.push(firstOf(connection.request('C')));
    assert.deepEqual(calls, ['cork', 'write A (corked)', 'write B (corked)', 'write C (corked)']);
    await endOfTurn();
    assert.deepEqual(calls.slice(4), ['uncork', 'send A B C']);
    assert.deepEqual((await Promise.all(replies)).map(bulk), ['A', 'B', 'C']);
  });

  it('gathers the commands of several callbacks of one turn into one write, as the reads of one poll phase', async () => {
    // Each callback writes a command, as each FETCH reply read in a poll phase brings an ACK;
    // they share the turn's one write instead of a write each.
    const replies: Promise<Reply>[] = [];
    await new Promise<void>((resolve) => {
      setImmediate(() => {
        replies.push(firstOf(connection.request('A')));
      });
      setImmediate(() => {
        replies.push(firstOf(connection.request('B')));
        assert.deepEqual(calls, ['cork', 'write A (corked)', 'write B (corked)'], 'A is still corked in the next callback');
      });
      setImmediate(resolve);
    });
    await endOfTurn();
    assert.deepEqual(calls.slice(3), ['uncork', 'send A B']);
    assert.deepEqual((await Promise.all(replies)).map(bulk), ['A', 'B']);
  });

  it('starts a new batch for the commands of a later turn, with one uncork per batch', async () => {
    const first = ['A', 'B'].map((verb) => firstOf(connection.request(verb)));
    await endOfTurn();
    const second = ['C', 'D'].map((verb) => firstOf(connection.request(verb)));
    await endOfTurn();
    assert.deepEqual(calls, [
      'cork',
      'write A (corked)',
      'write B (corked)',
      'uncork',
      'send A B',
      'cork',
      'write C (corked)',
      'write D (corked)',
      'uncork',
      'send C D',
    ]);
    assert.deepEqual((await Promise.all([...first, ...second])).map(bulk), ['A', 'B', 'C', 'D']);
  });

  it('counts a corked command\'s reply deadline from when it leaves the socket, so a block of the event loop after the write does not time it out', async () => {
    // Written (corked), then the event loop is blocked for longer than the reply timeout before
    // the turn's uncork sends it: its timer is overdue by then, but the server has not had it.
    const reply = firstOf(connection.request('A', [], { timeoutMs: 200 }));
    const until = Date.now() + 400;
    while (Date.now() < until) {
      // A CPU-bound stretch, as a handler that blocks: no I/O, no timers, no immediates.
    }
    assert.equal(bulk(await reply), 'A');
    assert.ok(connection.usable, 'the connection was kept');
  });

  it('writes a command of 16 KiB or more at once, after the commands corked before it in its tick', async () => {
    const big = 'x'.repeat(16 * 1024);
    const replies = [firstOf(connection.request('A')), firstOf(connection.request('BIG', [big])), firstOf(connection.request('C'))];
    const short = (call: string): string => call.replace(big, '<16 KiB>');
    // A leaves before BIG, which is not held for the end of the turn; C starts a new cork.
    assert.deepEqual(calls.filter((call) => !call.startsWith('send')).map(short), ['cork', 'write A (corked)', 'uncork', 'write BIG <16 KiB>', 'cork', 'write C (corked)']);
    assert.ok(calls.map(short).includes('send BIG <16 KiB>'), 'BIG reached the socket at once');
    await endOfTurn();
    const sent = calls.filter((call) => call.startsWith('send')).map((call) => short(call).slice('send '.length));
    assert.equal(sent.join(' '), 'A BIG <16 KiB> C');
    assert.deepEqual((await Promise.all(replies)).map((reply) => bulk(reply).length), [1, 'BIG '.length + big.length, 1]);
  });

  it('still sends a burst corked in the turn the connection is closed, in one write before END', async () => {
    const replies = ['A', 'B'].map((verb) => firstOf(connection.request(verb)));
    const closed = lastValueFrom(connection.close(), { defaultValue: undefined });
    assert.deepEqual((await Promise.all(replies)).map(bulk), ['A', 'B']);
    await closed;
    assert.deepEqual(calls.filter((call) => call.startsWith('send')), ['send A B', 'send END']);
  });
});
