import { describe, it, afterEach, beforeEach, mock } from 'node:test';
import assert from 'node:assert/strict';
import { Socket } from 'node:net';
import { Writable } from 'node:stream';
import { lastValueFrom } from 'rxjs';
import { Connection, resolveConfig, type Reply } from '../../src/transport/index.js';
import { firstOf } from './helpers/first-of.js';
import { startScriptedServer, type ScriptedServer } from './helpers/scripted-server.js';

/**
 * How a connection hands commands to its socket: what the client socket was asked to do, in
 * order (`write A` with whether it was corked then, `cork`, `uncork`).
 */
const calls: string[] = [];

/** Records the calls on the client socket of `server` (sockets inherit these from `Writable`). */
function spyOnClientSocket(server: ScriptedServer): void {
  const isClient = (socket: Socket): boolean => socket.remotePort === server.port;
  mock.method(Socket.prototype, 'write', function (this: Socket, chunk: Buffer, ...rest: unknown[]): boolean {
    if (isClient(this)) calls.push(`write ${chunk.toString().trimEnd()}${this.writableCorked > 0 ? ' (corked)' : ''}`);
    return Writable.prototype.write.call(this, chunk, ...(rest as [encoding: BufferEncoding, callback?: (error?: Error | null) => void]));
  });
  mock.method(Socket.prototype, 'cork', function (this: Socket): void {
    if (isClient(this)) calls.push('cork');
    Writable.prototype.cork.call(this);
  });
  mock.method(Socket.prototype, 'uncork', function (this: Socket): void {
    if (isClient(this)) calls.push('uncork');
    Writable.prototype.uncork.call(this);
  });
}

const nextTick = (): Promise<void> => new Promise((resolve) => { process.nextTick(resolve); });
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

  it('writes a command to an idle connection at once, without waiting for a tick', async () => {
    const reply = firstOf(connection.request('A'));
    assert.deepEqual(calls, ['write A']);
    assert.equal(bulk(await reply), 'A');
  });

  it('corks the commands that follow one in flight and sends them together on the next tick, in order', async () => {
    const replies = ['A', 'B', 'C'].map((verb) => firstOf(connection.request(verb)));
    assert.deepEqual(calls, ['write A', 'cork', 'write B (corked)', 'write C (corked)']);
    await nextTick();
    assert.deepEqual(calls.slice(4), ['uncork']);
    assert.deepEqual((await Promise.all(replies)).map(bulk), ['A', 'B', 'C']);
  });
});
