import { hostname as osHostname } from 'node:os';
import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import { InvalidArgumentError } from '../errors.js';
import { nonNegative, positive } from './option-checks.js';
import type { WorkerIdentity } from './types.js';

/** Where and how to connect to a Faktory server, and how patient to be. */
export interface ConnectionOptions {
  /**
   * `tcp://[:password@]host[:port]` or `tcp+tls://...`; the password is percent-decoded.
   * @defaultValue the URL in the variable `FAKTORY_PROVIDER` names, else `FAKTORY_URL`, else `tcp://localhost:7419`
   */
  readonly url?: string;
  /** Overrides the URL's host. */
  readonly host?: string;
  /** Overrides the URL's port. @defaultValue 7419 */
  readonly port?: number;
  /** Overrides the URL's password. Never logged, never part of an error message. */
  readonly password?: string;
  /**
   * `true` (or an options object passed through to `tls.connect`) connects with TLS, `false`
   * without, whatever the URL scheme says. Certificates and host names are verified unless the
   * options say otherwise. @defaultValue `true` for `tcp+tls://` URLs, else `false`
   */
  readonly tls?: boolean | TlsConnectionOptions;
  /** The worker identity sent in `HELLO`; absent for a producer. */
  readonly worker?: WorkerIdentity;
  /** Limit for connecting and completing the handshake, in milliseconds. @defaultValue 5_000 */
  readonly connectTimeoutMs?: number;
  /**
   * Limit for a reply, in milliseconds from when the command heads its connection's pipeline
   * (written, or the command before it answered); a blocking `FETCH` waits up to 2 s on the
   * server, well within it. @defaultValue 10_000
   */
  readonly commandTimeoutMs?: number;
  /** TCP keep-alive on the socket. @defaultValue true */
  readonly keepAlive?: boolean;
  /** Idle time before the first keep-alive probe, in milliseconds. @defaultValue 30_000 */
  readonly keepAliveInitialDelayMs?: number;
}

/** Defaults of {@link ConnectionOptions}. */
export const CONNECTION_DEFAULTS = Object.freeze({
  url: 'tcp://localhost:7419',
  port: 7419,
  connectTimeoutMs: 5_000,
  commandTimeoutMs: 10_000,
  keepAlive: true,
  keepAliveInitialDelayMs: 30_000,
  labels: Object.freeze(['node']),
});

/** A worker identity with every field filled in. */
export interface ResolvedWorkerIdentity {
  readonly wid: string;
  readonly hostname: string;
  readonly pid: number;
  readonly labels: readonly string[];
}

/**
 * Connection settings with every default applied. The password is kept in a private field
 * behind a getter, so it appears neither in `util.inspect` nor in `JSON.stringify`; use
 * `redactedUrl` in logs.
 */
export class ResolvedConfig {
  readonly host: string;
  readonly port: number;
  /** TLS options for `tls.connect`, or `false` for plain TCP. */
  readonly tls: false | TlsConnectionOptions;
  /** The URL with the password replaced by `***`, for logs. */
  readonly redactedUrl: string;
  readonly worker: ResolvedWorkerIdentity | undefined;
  readonly connectTimeoutMs: number;
  readonly commandTimeoutMs: number;
  readonly keepAlive: boolean;
  readonly keepAliveInitialDelayMs: number;
  readonly #password: string | undefined;

  /** @internal Use {@link resolveConfig}. */
  constructor(fields: Omit<ResolvedConfig, 'password' | 'redactedUrl'> & { readonly password: string | undefined }) {
    this.host = fields.host;
    this.port = fields.port;
    this.tls = fields.tls;
    this.worker = fields.worker;
    this.connectTimeoutMs = fields.connectTimeoutMs;
    this.commandTimeoutMs = fields.commandTimeoutMs;
    this.keepAlive = fields.keepAlive;
    this.keepAliveInitialDelayMs = fields.keepAliveInitialDelayMs;
    this.#password = fields.password;
    const scheme = this.tls === false ? 'tcp' : 'tcp+tls';
    const host = this.host.includes(':') ? `[${this.host}]` : this.host;
    this.redactedUrl = `${scheme}://${this.#password === undefined ? '' : ':***@'}${host}:${this.port}`;
    Object.freeze(this);
  }

  /** The password, or `undefined` when none is configured. */
  get password(): string | undefined {
    return this.#password;
  }
}

/**
 * Merges connection settings: explicit `options` first, then the URL in the environment
 * variable `FAKTORY_PROVIDER` names, then `FAKTORY_URL`, then `tcp://localhost:7419`.
 *
 * @throws InvalidArgumentError naming the option when a value is unusable, or
 * `FAKTORY_PROVIDER` when it holds a URL (a `:`) instead of a variable name. Messages never
 * contain the password.
 * @example
 * resolveConfig({ url: 'tcp+tls://:s3cr%40t@faktory.internal' }).redactedUrl
 * // 'tcp+tls://:***@faktory.internal:7419'
 */
export function resolveConfig(options: ConnectionOptions = {}, env: NodeJS.ProcessEnv = process.env): ResolvedConfig {
  const url = parseUrl(options.url ?? urlFromEnv(env), options.url === undefined ? 'FAKTORY_URL' : 'url');
  const host = options.host ?? url.host;
  if (host.length === 0) throw new InvalidArgumentError('must not be empty', { argument: 'host' });
  const port = options.port ?? url.port;
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new InvalidArgumentError(`must be an integer from 1 to 65535 (got ${String(port)})`, { argument: 'port' });
  }
  const tlsOption = options.tls ?? url.tls;
  return new ResolvedConfig({
    host,
    port,
    tls: tlsOption === false ? false : tlsOption === true ? {} : tlsOption,
    password: options.password ?? url.password,
    worker: options.worker === undefined ? undefined : resolveWorker(options.worker),
    connectTimeoutMs: positive(options.connectTimeoutMs ?? CONNECTION_DEFAULTS.connectTimeoutMs, 'connectTimeoutMs'),
    commandTimeoutMs: positive(options.commandTimeoutMs ?? CONNECTION_DEFAULTS.commandTimeoutMs, 'commandTimeoutMs'),
    keepAlive: options.keepAlive ?? CONNECTION_DEFAULTS.keepAlive,
    keepAliveInitialDelayMs: nonNegative(
      options.keepAliveInitialDelayMs ?? CONNECTION_DEFAULTS.keepAliveInitialDelayMs,
      'keepAliveInitialDelayMs',
    ),
  });
}

function urlFromEnv(env: NodeJS.ProcessEnv): string {
  const provider = env['FAKTORY_PROVIDER'];
  if (provider !== undefined && provider !== '') {
    // The value is not echoed: a URL put here by mistake may hold a password.
    if (provider.includes(':')) {
      throw new InvalidArgumentError(
        'must hold the name of the environment variable that holds the URL (e.g. FAKTORY_URL), not a URL',
        { argument: 'FAKTORY_PROVIDER' },
      );
    }
    const provided = env[provider];
    if (provided !== undefined && provided !== '') return provided;
  }
  const url = env['FAKTORY_URL'];
  return url !== undefined && url !== '' ? url : CONNECTION_DEFAULTS.url;
}

interface ParsedUrl {
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
  readonly password: string | undefined;
}

function parseUrl(text: string, argument: string): ParsedUrl {
  const invalid = (why: string): InvalidArgumentError =>
    new InvalidArgumentError(`${why}; expected tcp://[:password@]host[:port] or tcp+tls://...`, { argument });
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalid('is not a URL');
  }
  if (url.protocol !== 'tcp:' && url.protocol !== 'tcp+tls:') throw invalid(`has scheme ${url.protocol}`);
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  if (host.length === 0) throw invalid('has no host');
  let password: string | undefined;
  try {
    password = url.password === '' ? undefined : decodeURIComponent(url.password);
  } catch {
    throw invalid('has a password that is not valid percent-encoding');
  }
  return {
    host,
    port: url.port === '' ? CONNECTION_DEFAULTS.port : Number(url.port),
    tls: url.protocol === 'tcp+tls:',
    password,
  };
}

function resolveWorker(worker: WorkerIdentity): ResolvedWorkerIdentity {
  if (typeof worker.wid !== 'string' || worker.wid.length === 0) {
    throw new InvalidArgumentError('must be a non-empty string', { argument: 'worker.wid' });
  }
  return Object.freeze({
    wid: worker.wid,
    hostname: worker.hostname ?? osHostname(),
    pid: worker.pid ?? process.pid,
    labels: Object.freeze([...(worker.labels ?? CONNECTION_DEFAULTS.labels)]),
  });
}

