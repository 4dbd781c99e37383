import { randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { passwordHash } from '../../codec/index.js';
import { decodeField, GoTypeError, isRecord, parseGoJson } from './go-json.js';
import type { WorkerIdentity } from './workers.js';

/** The handshake must be done this long after connecting, or the socket is dropped: 2 s. */
export const HANDSHAKE_TIMEOUT_MS = 2_000;

/** The challenge of a password-protected server: iterations and salt. */
export interface PasswordChallenge {
  readonly i: number;
  readonly s: string;
}

/** A fresh challenge: 4096 to 8191 iterations and a random hex salt, like the real server. */
export function newChallenge(): PasswordChallenge {
  return { i: randomInt(4096, 8192), s: randomBytes(8).toString('hex') };
}

/** The `HI` line: `+HI {"v":2}`, with `i` and `s` when a password is set. */
export function greeting(challenge: PasswordChallenge | undefined): string {
  return challenge === undefined ? '+HI {"v":2}\r\n' : `+HI {"v":2,"i":${challenge.i},"s":"${challenge.s}"}\r\n`;
}


/** What a valid HELLO carried. */
export interface Hello {
  readonly v: number;
  readonly pwdhash: string;
  /** Present for a worker (consumer) connection. */
  readonly identity: WorkerIdentity | undefined;
}

/**
 * Parses the first line of a connection. Anything but `HELLO {json}` with fields of the right
 * types is `undefined`: the caller closes the socket without a word.
 */
export function parseHello(line: string): Hello | undefined {
  if (!line.startsWith('HELLO ')) return undefined;
  const parsed = parseGoJson(line.slice(6));
  if (!parsed.ok || !isRecord(parsed.value)) return undefined;
  const record = parsed.value;
  try {
    const field = (name: string, kind: 'string' | 'int' | 'string[]'): unknown => decodeField(record, name, kind, 'ClientData');
    const v = (field('v', 'int') as number | undefined) ?? 0;
    const pwdhash = (field('pwdhash', 'string') as string | undefined) ?? '';
    const wid = (field('wid', 'string') as string | undefined) ?? '';
    const hostname = (field('hostname', 'string') as string | undefined) ?? '';
    const pid = (field('pid', 'int') as number | undefined) ?? 0;
    const labels = (field('labels', 'string[]') as string[] | undefined) ?? [];
    return { v, pwdhash, identity: wid === '' ? undefined : { wid, hostname, pid, labels, v } };
  } catch (error) {
    if (error instanceof GoTypeError) return undefined;
    throw error;
  }
}

/** Whether a HELLO proves the password (a client without `v: 2` is checked against one hash). */
export function checkPassword(hello: Hello, password: string, challenge: PasswordChallenge): boolean {
  const expected = Buffer.from(passwordHash(password, challenge.s, hello.v < 2 ? 1 : challenge.i), 'utf8');
  const given = Buffer.from(hello.pwdhash, 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
