import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../../../src/testing/index.js';
import { passwordHash } from '../../../src/codec/index.js';
import { RawClient } from './raw-client.js';
import { setup } from './setup.js';

function selfSignedCert(): { key: string; cert: string } | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'faktory-rx-tls-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(dir, 'key.pem'),
      '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=localhost'], { stdio: 'ignore' });
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } catch {
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('in-memory server: handshake, passwords, TLS and limits', () => {
  it('greets with i and s when a password is set, accepts the right pwdhash and puts the password in the url', async (t) => {
    const server = await startServer({ password: 'p@ss word' });
    t.after(() => server.close());
    assert.equal(server.url, `tcp://:p%40ss%20word@127.0.0.1:${server.port}`);
    const raw = await RawClient.open(server.port);
    t.after(() => {
      raw.close();
    });
    const hi = await raw.raw();
    assert.match(hi, /^\+HI \{"v":2,"i":\d+,"s":"[0-9a-f]+"\}\r\n$/);
    const { i, s } = JSON.parse(hi.slice(4)) as { i: number; s: string };
    assert.ok(i >= 4096 && i < 8192);
    assert.equal(await raw.call(`HELLO ${JSON.stringify({ v: 2, pwdhash: passwordHash('p@ss word', s, i) })}`), '+OK\r\n');
    assert.equal(await raw.call('FLUSH'), '+OK\r\n');
  });

  it('answers a wrong pwdhash with -ERR Invalid password and closes the socket', async (t) => {
    const server = await startServer({ password: 'secret' });
    t.after(() => server.close());
    const raw = await RawClient.open(server.port);
    await raw.raw();
    raw.send(`HELLO ${JSON.stringify({ v: 2, pwdhash: 'f'.repeat(64) })}`);
    assert.equal(await raw.closed(), '-ERR Invalid password\r\n');
  });

  it('closes silently when the first line is not HELLO {json}', async (t) => {
    const { server } = await setup(t);
    for (const line of ['INFO', 'HELLO', 'HELLO not-json', 'HELLO {"v":"2"}']) {
      const raw = await RawClient.open(server.port);
      assert.equal(await raw.raw(), '+HI {"v":2}\r\n');
      raw.send(line);
      assert.equal(await raw.closed(), '', line);
    }
  });

  it('serves tcp+tls with the given key and certificate', async (t) => {
    const tls = selfSignedCert();
    if (tls === undefined) {
      t.skip('openssl is not available');
      return;
    }
    const server = await startServer({ tls });
    t.after(() => server.close());
    assert.equal(server.url, `tcp+tls://127.0.0.1:${server.port}`);
    const client = await RawClient.ready(server.port, {}, { tls: true });
    t.after(() => {
      client.close();
    });
    assert.equal(await client.call('FLUSH'), '+OK\r\n');
  });

  it('answers an over-long line with -ERR and closes that socket while serving others', async (t) => {
    const { server, connect } = await setup(t, { maxLineBytes: 1024 });
    const flooder = await connect();
    const other = await connect();
    flooder.write('PUSH ' + 'x'.repeat(600));
    flooder.write('y'.repeat(600));
    assert.equal(await flooder.closed(), '-ERR line too long: the limit is 1024 bytes\r\n');
    const inOneChunk = await connect();
    inOneChunk.write('PUSH ' + 'z'.repeat(2000) + '\r\n');
    assert.equal(await inOneChunk.closed(), '-ERR line too long: the limit is 1024 bytes\r\n');
    assert.equal(await other.call('FLUSH'), '+OK\r\n');
    assert.equal(server.stats().totalConnections, 4);
  });

  it('accepts a line split across many chunks, and bare LF endings', async (t) => {
    const { client } = await setup(t);
    const line = `PUSH ${JSON.stringify({ jid: 'chunked-1', jobtype: 'T', args: ['a'.repeat(5000)] })}\n`;
    for (let i = 0; i < line.length; i += 700) client.write(line.slice(i, i + 700));
    assert.equal(await client.raw(), '+OK\r\n');
  });

  it('answers HELLO past the connection limit with +OK, then -ERR too many connections and closes', async (t) => {
    const { server } = await setup(t, { maxConnections: 1 });
    const raw = await RawClient.open(server.port);
    await raw.raw();
    raw.send('HELLO {"v":2}');
    assert.equal(await raw.closed(), '+OK\r\n-ERR too many connections: 2\r\n');
  });

  it('closes every socket on close() and is idempotent', async () => {
    const server = await startServer();
    const client = await RawClient.ready(server.port);
    const first = server.close();
    assert.equal(server.close(), first);
    await first;
    await client.closed();
  });

  it('refuses bad options with InvalidArgumentError naming the option', async () => {
    await assert.rejects(startServer({ port: -1 }), { name: 'InvalidArgumentError', argument: 'port' });
    await assert.rejects(startServer({ maxLineBytes: 0 }), { name: 'InvalidArgumentError', argument: 'maxLineBytes' });
    await assert.rejects(startServer({ password: '' }), { name: 'InvalidArgumentError', argument: 'password' });
    await assert.rejects(startServer({ fetchWaitMs: -1 }), { name: 'InvalidArgumentError', argument: 'fetchWaitMs' });
  });
});
