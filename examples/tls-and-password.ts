/**
 * TLS and a password: the in-memory server with a self-signed certificate (made here with
 * `openssl`) and a password; a client on `tcp+tls://:password@host:port` that trusts the
 * certificate through its `tls` options; and the errors you get when something does not match.
 *
 *   npx tsx examples/tls-and-password.ts        (needs the `openssl` command)
 *
 * It always starts its own TLS server (FAKTORY_URL is not used): the point is the setup. Against
 * a real Faktory 1.9+ with TLS the client side is the same. In your code, import from 'faktory-rx'.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, map } from 'rxjs';
import { createClient, FaktoryError, type ClientOptions } from '../src/index.js';
import { startServer } from '../src/testing/index.js';

// A throw-away self-signed certificate for localhost, valid for one day.
const dir = mkdtempSync(join(tmpdir(), 'faktory-rx-tls-'));
let key: Buffer;
let cert: Buffer;
try {
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
  ], { stdio: 'ignore' });
  key = readFileSync(join(dir, 'key.pem'));
  cert = readFileSync(join(dir, 'cert.pem'));
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const password = 's3cret pass/word';
const server = await startServer({ tls: { key, cert }, password });
const url = `tcp+tls://:${encodeURIComponent(password)}@localhost:${server.port}`; // the password is percent-encoded in URLs
console.log(`TLS server with a password on port ${server.port}`);

/** Connects with `options` and runs INFO: the server's version, or the error's class and message. */
async function tryInfo(label: string, options: ClientOptions): Promise<void> {
  // reconnect: false makes a failed connection fail the command at once instead of retrying.
  const client = createClient({ connectTimeoutMs: 3_000, reconnect: false, ...options });
  try {
    const version = await lastValueFrom(client.info().pipe(map((info) => info.server.faktory_version)), { defaultValue: '?' });
    console.log(`${label}: connected, Faktory ${version}`);
  } catch (error) {
    const name = error instanceof FaktoryError ? `${error.name} (${error.code})` : String(error);
    console.log(`${label}: ${name}: ${error instanceof Error ? error.message : ''}`);
  } finally {
    client.destroy();
  }
}

// The right way: tcp+tls:// URL with the password, and the self-signed CA trusted via `tls`.
await tryInfo('trusted CA, right password', { url, tls: { ca: cert } });
// What users actually hit:
await tryInfo('wrong password          ', { url: `tcp+tls://:wrong@localhost:${server.port}`, tls: { ca: cert } });
await tryInfo('certificate not trusted ', { url });
await tryInfo('tcp:// to a TLS server  ', { url: `tcp://:${encodeURIComponent(password)}@localhost:${server.port}`, connectTimeoutMs: 1_000 });

await server.close();
