import { InvalidArgumentError } from '../../errors.js';
import { realClock, type Clock } from './clock.js';

/** TLS material for a `tcp+tls://` server (PEM strings or buffers). */
export interface ServerTlsOptions {
  readonly key: string | Buffer;
  readonly cert: string | Buffer;
}

/** Options of {@link startServer}. */
export interface ServerOptions {
  /** The TCP port; 0 picks a free one. @defaultValue 0 */
  readonly port?: number;
  /** The address to listen on. @defaultValue '127.0.0.1' */
  readonly host?: string;
  /** Require this password (HI carries `i` and `s`; HELLO must carry the `pwdhash`). @defaultValue none */
  readonly password?: string;
  /** Serve TLS with this key and certificate (the URL becomes `tcp+tls://`). @defaultValue plain TCP */
  readonly tls?: ServerTlsOptions;
  /** Enable the Enterprise features (BATCH, TRACK, unique and expiring jobs). @defaultValue false */
  readonly enterprise?: boolean;
  /** The source of time for every timer of the server. @defaultValue {@link realClock} */
  readonly clock?: Clock;
  /** The longest command line accepted, in bytes; a longer one gets `-ERR` and the socket is closed. @defaultValue 16 MiB */
  readonly maxLineBytes?: number;
  /** Connections beyond this are told `-ERR too many connections: N` after HELLO and closed. @defaultValue 2000 */
  readonly maxConnections?: number;
  /** Random numbers in [0, 1) for the retry jitter. @defaultValue Math.random */
  readonly random?: () => number;
  /**
   * How long a FETCH with nothing to give waits before it answers with a null bulk string, in
   * milliseconds of the server's clock. The real Faktory waits 2 s; a shorter wait makes tests
   * of idle workers quicker. 0 answers at once. @defaultValue 2000
   */
  readonly fetchWaitMs?: number;
}

/** Defaults of {@link ServerOptions}. */
export const SERVER_DEFAULTS = Object.freeze({
  port: 0,
  host: '127.0.0.1',
  enterprise: false,
  clock: realClock,
  maxLineBytes: 16 * 1024 * 1024,
  maxConnections: 2000,
  random: Math.random,
  fetchWaitMs: 2_000,
});

/** Options with defaults applied. */
export interface ResolvedServerOptions {
  readonly port: number;
  readonly host: string;
  readonly password: string | undefined;
  readonly tls: ServerTlsOptions | undefined;
  readonly enterprise: boolean;
  readonly clock: Clock;
  readonly maxLineBytes: number;
  readonly maxConnections: number;
  readonly random: () => number;
  readonly fetchWaitMs: number;
}

/** Applies the defaults and checks every option, throwing {@link InvalidArgumentError} naming the bad one. */
export function resolveServerOptions(options: ServerOptions = {}): ResolvedServerOptions {
  const resolved: ResolvedServerOptions = {
    port: options.port ?? SERVER_DEFAULTS.port,
    host: options.host ?? SERVER_DEFAULTS.host,
    password: options.password,
    tls: options.tls,
    enterprise: options.enterprise ?? SERVER_DEFAULTS.enterprise,
    clock: options.clock ?? SERVER_DEFAULTS.clock,
    maxLineBytes: options.maxLineBytes ?? SERVER_DEFAULTS.maxLineBytes,
    maxConnections: options.maxConnections ?? SERVER_DEFAULTS.maxConnections,
    random: options.random ?? SERVER_DEFAULTS.random,
    fetchWaitMs: options.fetchWaitMs ?? SERVER_DEFAULTS.fetchWaitMs,
  };
  const fail = (argument: string, message: string): never => {
    throw new InvalidArgumentError(message, { argument });
  };
  if (!Number.isInteger(resolved.port) || resolved.port < 0 || resolved.port > 65_535) fail('port', 'must be an integer from 0 to 65535');
  if (typeof resolved.host !== 'string' || resolved.host === '') fail('host', 'must be a non-empty string');
  if (resolved.password !== undefined && (typeof resolved.password !== 'string' || resolved.password === '')) {
    fail('password', 'must be a non-empty string');
  }
  if (resolved.tls !== undefined && (typeof resolved.tls !== 'object' || !resolved.tls.key || !resolved.tls.cert)) {
    fail('tls', 'must have a key and a cert');
  }
  if (typeof resolved.enterprise !== 'boolean') fail('enterprise', 'must be a boolean');
  if (typeof resolved.clock.now !== 'function' || typeof resolved.clock.setTimeout !== 'function') fail('clock', 'must be a Clock');
  if (!Number.isInteger(resolved.maxLineBytes) || resolved.maxLineBytes < 64) fail('maxLineBytes', 'must be an integer of at least 64');
  if (!Number.isInteger(resolved.maxConnections) || resolved.maxConnections < 1) fail('maxConnections', 'must be a positive integer');
  if (typeof resolved.random !== 'function') fail('random', 'must be a function');
  if (!Number.isInteger(resolved.fetchWaitMs) || resolved.fetchWaitMs < 0) fail('fetchWaitMs', 'must be a non-negative integer');
  return resolved;
}
