import { passwordHash, type Frame } from '../codec/index.js';
import { AuthenticationError, HandshakeError } from '../errors.js';
import type { ResolvedConfig } from './config.js';

/** The highest protocol version faktory-rx speaks. A server announcing more is refused. */
export const PROTOCOL_VERSION = 2;

/** What the server's `HI` says. */
export interface Greeting {
  /** Protocol version. */
  readonly v: number;
  /** Password hashing iterations, when a password is required. */
  readonly i?: number;
  /** Password salt, when a password is required. */
  readonly s?: string;
}

/** The `HELLO` payload. */
export interface Hello {
  readonly v: number;
  readonly pwdhash?: string;
  readonly wid?: string;
  readonly hostname?: string;
  readonly pid?: number;
  readonly labels?: readonly string[];
}

/**
 * Reads the server's greeting, `+HI {"v":2,...}`.
 *
 * @throws HandshakeError when the frame is not a well-formed `HI`, or announces a protocol
 * version above {@link PROTOCOL_VERSION} (refused rather than warned about: a newer protocol
 * may change the wire format under us).
 */
export function parseGreeting(frame: Frame): Greeting {
  if (frame.type !== 'simple' || !frame.value.startsWith('HI ')) {
    throw new HandshakeError(`expected the server's HI greeting, got a ${frame.type} reply`);
  }
  let greeting: unknown;
  try {
    greeting = JSON.parse(frame.value.slice(3));
  } catch (cause) {
    throw new HandshakeError('the HI greeting is not JSON', { cause });
  }
  if (typeof greeting !== 'object' || greeting === null) throw new HandshakeError('the HI greeting is not a JSON object');
  const { v, i, s } = greeting as Record<string, unknown>;
  if (typeof v !== 'number') throw new HandshakeError('the HI greeting has no protocol version');
  if (v > PROTOCOL_VERSION) {
    throw new HandshakeError(`the server speaks protocol version ${v}; faktory-rx supports up to ${PROTOCOL_VERSION}`);
  }
  if (s !== undefined && typeof s !== 'string') throw new HandshakeError('the HI greeting has a salt that is not a string');
  if (i !== undefined && !(typeof i === 'number' && Number.isInteger(i) && i >= 1)) {
    throw new HandshakeError('the HI greeting has an iteration count that is not a positive integer');
  }
  return { v, ...(i === undefined ? {} : { i }), ...(s === undefined ? {} : { s }) };
}

/**
 * The `HELLO` payload answering `greeting`: `v`, `pwdhash` when the server asks for a
 * password, and the worker identity when the connection belongs to a worker.
 *
 * @throws AuthenticationError when the server wants a password and none is configured.
 */
export function buildHello(greeting: Greeting, config: ResolvedConfig): Hello {
  let pwdhash: string | undefined;
  if (greeting.s !== undefined) {
    const password = config.password;
    if (password === undefined) {
      throw new AuthenticationError('the server requires a password and none is configured (give it in the URL: tcp://:password@host:7419)');
    }
    pwdhash = passwordHash(password, greeting.s, greeting.i ?? 1);
  }
  const worker = config.worker;
  return {
    v: PROTOCOL_VERSION,
    ...(pwdhash === undefined ? {} : { pwdhash }),
    ...(worker === undefined
      ? {}
      : { wid: worker.wid, hostname: worker.hostname, pid: worker.pid, labels: worker.labels }),
  };
}

/**
 * Checks the reply to `HELLO`.
 *
 * @throws AuthenticationError on `-ERR Invalid password`; HandshakeError on any other reply but `+OK`.
 */
export function checkHelloReply(frame: Frame): void {
  if (frame.type === 'simple' && frame.value === 'OK') return;
  if (frame.type === 'error') {
    if (/invalid password/i.test(frame.message)) throw new AuthenticationError('the server refused the password');
    throw new HandshakeError(`the server refused HELLO: ${frame.code ?? ''} ${frame.message}`.replace('  ', ' '));
  }
  throw new HandshakeError(`expected OK in reply to HELLO, got a ${frame.type} reply`);
}
