import { hostname as osHostname } from 'node:os';
import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import { InvalidArgumentError } from '../errors.js';
import { assertKnownOptions, nonNegative, positive } from './option-checks.js';
import type { WorkerIdentity } from './types.js';

/** Where and how to connect to a Faktory server, and how patient to be. */
export interface ConnectionOptions {
  /**
   * `tcp://[:password@]host[:port][/namespace]` or `tcp+tls://...`; the password is
   * percent-decoded. A namespace (a queue name prefix, e.g. `app-`) is prepended to every queue
   * name the client pushes to or fetches from: namespace `app-` and queue `default` make
   * `app-default`, as other Faktory clients that read it do.
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

/** @internal Every key of {@link ConnectionOptions} (the compiler checks that none is missing). */
export const CONNECTION_OPTION_KEYS: Readonly<Record<keyof ConnectionOptions, true>> = Object.freeze({
  url: true,
  host: true,
  port: true,
  password: true,
  tls: true,
  worker: true,
  connectTimeoutMs: true,
  commandTimeoutMs: true,
  keepAlive: true,
  keepAliveInitialDelayMs: true,
});

const WORKER_IDENTITY_KEYS: Readonly<Record<keyof WorkerIdentity, true>> = Object.freeze({ wid: true, hostname: true, pid: true, labels: true });

/**
 * @internal Option names other Faktory clients use, or that are easy to get wrong, and what to
 * use instead (`faktory-worker` calls them `poolSize`, `tlsOptions`, `labels`, `wid`).
 */
export const CONNECTION_OPTION_HINTS: Readonly<Record<string, string>> = Object.freeze({
  uri: 'url',
  hostname: 'host',
  poolSize: 'size',
  tlsOptions: 'tls',
  labels: 'worker.labels',
  wid: 'worker.wid',
  timeout: 'commandTimeoutMs',
  namespace: 'a namespace in the URL path (tcp://host:7419/namespace)',
});

/** @internal Queue names as the server accepts them; a namespace is a prefix of the same characters. */
export const QUEUE_NAME_PATTERN = /^[a-zA-Z0-9._-]+$/;

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
  /** The URL path's queue name prefix, `''` when none. */
  readonly namespace: string;
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
    this.namespace = fields.namespace;
    this.worker = fields.worker;
    this.connectTimeoutMs = fields.connectTimeoutMs;
    this.commandTimeoutMs = fields.commandTimeoutMs;
    this.keepAlive = fields.keepAlive;
    this.keepAliveInitialDelayMs = fields.keepAliveInitialDelayMs;
    this.#password = fields.password;
    const scheme = this.tls === false ? 'tcp' : 'tcp+tls';
    const host = this.host.includes(':') ? `[${this.host}]` : this.host;
    const path = this.namespace === '' ? '' : `/${this.namespace}`;
    this.redactedUrl = `${scheme}://${this.#password === undefined ? '' : ':***@'}${host}:${this.port}${path}`;
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
 * @throws InvalidArgumentError naming the option when a value is unusable or the key is no
 * option, or `FAKTORY_PROVIDER` when it holds a URL (a `:`) instead of a variable name or names
 * a variable that is unset or empty (rather than falling back to another server). Messages never
 * contain the password.
 * @example
 * resolveConfig({ url: 'tcp+tls://:s3cr%40t@faktory.internal' }).redactedUrl
 * // 'tcp+tls://:***@faktory.internal:7419'
 */
export function resolveConfig(options: ConnectionOptions = {}, env: NodeJS.ProcessEnv = process.env): ResolvedConfig {
  assertKnownOptions(options, CONNECTION_OPTION_KEYS, { owner: 'resolveConfig', hints: CONNECTION_OPTION_HINTS });
  const source = options.url === undefined ? urlFromEnv(env) : { url: options.url, argument: 'url' };
  const url = parseUrl(source.url, source.argument);
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
    namespace: url.namespace,
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

/** @internal The keys of `options` that are connection options, for a caller whose options hold more. */
export function connectionOptionsOf(options: ConnectionOptions): ConnectionOptions {
  const picked: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) if (Object.hasOwn(CONNECTION_OPTION_KEYS, key)) picked[key] = value;
  return picked;
}

/** The URL from the environment, and the variable it came from (for error messages). */
function urlFromEnv(env: NodeJS.ProcessEnv): { readonly url: string; readonly argument: string } {
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
    if (provided === undefined || provided === '') {
      throw new InvalidArgumentError(
        `names the variable ${provider}, which is ${provided === undefined ? 'not set' : 'empty'}: set ${provider} to the server's URL, or unset FAKTORY_PROVIDER`,
        { argument: 'FAKTORY_PROVIDER' },
      );
    }
    return { url: provided, argument: provider };
  }
  const url = env['FAKTORY_URL'];
  return { url: url !== undefined && url !== '' ? url : CONNECTION_DEFAULTS.url, argument: 'FAKTORY_URL' };
}

/**
 * The queues a worker fetches from when its options name none: `FAKTORY_QUEUE`, comma separated
 * (white space around names ignored), as other Faktory workers read it; `undefined` when it is
 * unset or empty.
 *
 * @throws InvalidArgumentError naming `FAKTORY_QUEUE` when a name is empty or not a queue name.
 * @example
 * queuesFromEnv({ FAKTORY_QUEUE: 'critical, default' }) // ['critical', 'default']
 */
export function queuesFromEnv(env: NodeJS.ProcessEnv = process.env): readonly string[] | undefined {
  const value = env['FAKTORY_QUEUE'];
  if (value === undefined || value.trim() === '') return undefined;
  const queues = value.split(',').map((name) => name.trim());
  for (const [i, name] of queues.entries()) {
    if (!QUEUE_NAME_PATTERN.test(name)) {
      const what = name === '' ? 'an empty name' : `'${name}', which does not match ${String(QUEUE_NAME_PATTERN)}`;
      throw new InvalidArgumentError(`holds ${what} at position ${i + 1}; expected queue names separated by commas`, { argument: 'FAKTORY_QUEUE' });
    }
  }
  return Object.freeze(queues);
}

/**
 * The worker id (`wid`) when the options give none: `FAKTORY_WORKER_ID`, as other Faktory workers
 * read it; `undefined` when it is unset or empty.
 *
 * @throws InvalidArgumentError naming `FAKTORY_WORKER_ID` when it holds white space.
 */
export function workerIdFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = env['FAKTORY_WORKER_ID'];
  if (value === undefined || value === '') return undefined;
  if (/\s/.test(value)) throw new InvalidArgumentError('must not contain white space', { argument: 'FAKTORY_WORKER_ID' });
  return value;
}

interface ParsedUrl {
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
  readonly password: string | undefined;
  readonly namespace: string;
}

function parseUrl(text: string, argument: string): ParsedUrl {
  const invalid = (why: string): InvalidArgumentError =>
    new InvalidArgumentError(`${why}; expected tcp://[:password@]host[:port][/namespace] or tcp+tls://...`, { argument });
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
  if (url.search !== '' || url.hash !== '') throw invalid('has a query or a fragment');
  const namespace = url.pathname.replace(/^\//, '');
  if (namespace !== '' && !QUEUE_NAME_PATTERN.test(namespace)) {
    throw invalid(`has the namespace (path) '${namespace}', which is no queue name prefix: it must match ${String(QUEUE_NAME_PATTERN)}`);
  }
  return {
    host,
    port: url.port === '' ? CONNECTION_DEFAULTS.port : Number(url.port),
    tls: url.protocol === 'tcp+tls:',
    password,
    namespace,
  };
}

function resolveWorker(worker: WorkerIdentity): ResolvedWorkerIdentity {
  assertKnownOptions(worker, WORKER_IDENTITY_KEYS, { owner: 'the worker identity', prefix: 'worker.' });
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

