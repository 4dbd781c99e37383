import { randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { passwordHash } from '../../codec/index.js';
import { goUnmarshal } from './go-json.js';
import { GO_CLIENT_DATA } from './go-types.js';
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
 * Parses the first line of a connection: `HELLO {json}` (exactly one space) decoded into Go's
 * `ClientData` (keys matched case-insensitively, `v` a `uint8`, `pid` an `int`, `labels` strings).
 * Anything else is `undefined`: the caller closes the socket without a word.
 */
export function parseHello(line: string): Hello | undefined {
  if (!line.startsWith('HELLO {')) return undefined;
  const decoded = goUnmarshal<{ v?: number; pwdhash?: string; wid?: string; hostname?: string; pid?: number; labels?: string[] }>(line.slice(6), GO_CLIENT_DATA);
  if (!decoded.ok) return undefined;
  const { v = 0, pwdhash = '', wid = '', hostname = '', pid = 0, labels = [] } = decoded.value;
  return { v, pwdhash, identity: wid === '' ? undefined : { wid, hostname, pid, labels, v } };
}

/** Whether a HELLO proves the password (a client without `v: 2` is checked against one hash). */
export function checkPassword(hello: Hello, password: string, challenge: PasswordChallenge): boolean {
  const expected = Buffer.from(passwordHash(password, challenge.s, hello.v < 2 ? 1 : challenge.i), 'utf8');
  const given = Buffer.from(hello.pwdhash, 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
