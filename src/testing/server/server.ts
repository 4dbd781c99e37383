import { createServer as createNetServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import createDebug from 'debug';
import { InvalidArgumentError, ServerError } from '../../errors.js';
import type { Clock, ClockTimer } from './clock.js';
import { ServerConnection, type ConnectionHost } from './connection.js';
import type { ServerCounters } from './context.js';
import { enableEnterprise, type Enterprise } from './enterprise/index.js';
import { decodeJob, copyJob, type Job } from './job.js';
import { stringifyJson } from './go-json.js';
import { buildInfo } from './info.js';
import { resolveServerOptions, type ResolvedServerOptions, type ServerOptions } from './options.js';
import { JobStore } from './store.js';
import { Waiters, type WaitOptions } from './waiters.js';
import { WorkerRegistry, type WorkerInfo, type WorkerState } from './workers.js';

const debug = createDebug('faktory-rx:server');

/** The scheduler tick (scheduled and retry jobs come due, dead jobs expire): 5 s. */
export const SCHEDULER_TICK_MS = 5_000;
/** The reservation and heartbeat sweep: 15 s. */
export const SWEEP_INTERVAL_MS = 15_000;

/** A job in the scheduled, retries or dead set, with its time (due, or expiry for dead). */
export interface TimedJob {
  readonly job: Job;
  readonly atMs: number;
}

/** A job being worked on. */
export interface WorkingJob {
  readonly job: Job;
  /** When the reservation runs out, in milliseconds since the epoch. */
  readonly expiresAtMs: number;
  /** When it was fetched. */
  readonly reservedAtMs: number;
  /** The worker whose connection fetched it, if any. */
  readonly wid: string | undefined;
}

/** Counters for tests and benchmarks. */
export interface ServerStats {
  /** Connections open now. */
  readonly connections: number;
  /** Connections accepted since start. */
  readonly totalConnections: number;
  /** Commands processed since start. */
  readonly commands: number;
}

/** Ready-made conditions for {@link FaktoryServer.waitFor}. */
export interface ServerConditions {
  /** The queue holds no job. */
  queueEmpty(name: string, options?: WaitOptions): Promise<void>;
  /** The queue holds at least `size` jobs. */
  queueSize(name: string, size: number, options?: WaitOptions): Promise<void>;
  /** At least `count` jobs were acknowledged (INFO's `total_processed` counts failures too). */
  processed(count: number, options?: WaitOptions): Promise<void>;
  /** At least `count` failures were recorded. */
  failures(count: number, options?: WaitOptions): Promise<void>;
  /** At least `count` jobs are in the retries set. */
  retries(count: number, options?: WaitOptions): Promise<void>;
  /** At least `count` jobs are in the dead set. */
  dead(count: number, options?: WaitOptions): Promise<void>;
  /** Exactly `count` jobs are reserved. */
  working(count: number, options?: WaitOptions): Promise<void>;
  /** At least `count` workers are registered. */
  workers(count: number, options?: WaitOptions): Promise<void>;
  /** Exactly `count` connections are open. */
  connections(count: number, options?: WaitOptions): Promise<void>;
}

/**
 * A running in-memory Faktory server. It is a test double and a local development server, not a
 * production Faktory: nothing is persisted.
 */
export class FaktoryServer {
  readonly #options: ResolvedServerOptions;
  readonly #server: Server;
  readonly #store: JobStore;
  readonly #workers = new WorkerRegistry();
  readonly #connections = new Set<ServerConnection>();
  readonly #counters: ServerCounters = { connections: 0, totalConnections: 0, commands: 0, tasks: new Map(), workersReaped: 0 };
  readonly #waiters = new Waiters();
  readonly #timers = new Map<string, ClockTimer>();
  readonly #enterprise: Enterprise | undefined;
  readonly #host: ConnectionHost;
  #closing: Promise<void> | undefined;
  /** The URL clients connect with: `tcp://[:password@]host:port`, or `tcp+tls://...`. */
  readonly url: string;
  /** The address listened on. */
  readonly host: string;
  /** The port listened on. */
  readonly port: number;
  /** Ready-made conditions to wait for. */
  readonly until: ServerConditions;

  /** @internal Use {@link startServer}. */
  constructor(options: ResolvedServerOptions, server: Server) {
    this.#options = options;
    this.#server = server;
    const { clock } = options;
    this.#store = new JobStore(clock, options.random);
    this.#enterprise = options.enterprise ? enableEnterprise(this.#store, clock) : undefined;
    const address = server.address() as AddressInfo;
    this.host = address.address;
    this.port = address.port;
    const hostPart = this.host.includes(':') ? `[${this.host}]` : this.host;
    const auth = options.password === undefined ? '' : `:${encodeURIComponent(options.password)}@`;
    this.url = `${options.tls === undefined ? 'tcp' : 'tcp+tls'}://${auth}${hostPart}:${this.port}`;
    this.#host = {
      store: this.#store,
      workers: this.#workers,
      clock,
      counters: this.#counters,
      startedAtMs: clock.now(),
      fetchWaitMs: options.fetchWaitMs,
      enterprise: this.#enterprise,
      password: options.password,
      maxLineBytes: options.maxLineBytes,
      changed: () => {
        this.#waiters.changed();
      },
      socketClosed: () => {
        this.#counters.connections--;
        this.#waiters.changed();
      },
      closed: (connection) => {
        this.#connections.delete(connection);
        this.#waiters.changed();
      },
    };
    this.until = this.#conditions();
    this.#every('tick', SCHEDULER_TICK_MS, () => {
      this.#store.tick();
      this.#enterprise?.prune();
    });
    this.#every('sweep', SWEEP_INTERVAL_MS, () => {
      this.#store.sweepReservations();
      const gone = this.#workers.sweep(clock.now());
      this.#counters.workersReaped += gone.length;
      if (gone.length > 0) debug('forgot silent workers %o', gone);
    });
    server.on(options.tls === undefined ? 'connection' : 'secureConnection', (socket: Socket) => {
      this.#accept(socket);
    });
  }

  /** The clock every timer of this server reads. */
  get clock(): Clock {
    return this.#options.clock;
  }

  /** Whether Enterprise mode is on. */
  get enterprise(): boolean {
    return this.#enterprise !== undefined;
  }

  #accept(socket: Socket): void {
    if (this.#closing !== undefined) {
      socket.destroy();
      return;
    }
    this.#counters.connections++;
    this.#counters.totalConnections++;
    const connection = new ServerConnection(socket, this.#host, this.#counters.connections > this.#options.maxConnections);
    this.#connections.add(connection);
    this.#waiters.changed();
  }

  #every(key: string, ms: number, run: () => void): void {
    const { clock } = this.#options;
    const stats = { cycles: 0, wallMs: 0 };
    this.#counters.tasks.set(key, stats);
    const arm = (): void => {
      this.#timers.set(
        key,
        clock.setTimeout(() => {
          const started = performance.now();
          run();
          stats.cycles++;
          stats.wallMs += performance.now() - started;
          arm();
          this.#waiters.changed();
        }, ms),
      );
    };
    arm();
  }

  /** Every registered worker. */
  workers(): WorkerInfo[] {
    return this.#workers.list();
  }

  /**
   * Sets a worker's state as the Web UI does: its next `BEAT` is answered with
   * `{"state":"quiet"}` or `{"state":"terminate"}`. States only move forward.
   * @throws InvalidArgumentError when no worker has this wid.
   */
  setWorkerState(wid: string, state: Exclude<WorkerState, 'running'>): void {
    if (!this.#workers.setState(wid, state)) throw new InvalidArgumentError(`no worker ${wid}`, { argument: 'wid' });
    this.#waiters.changed();
  }

  /** Copies of the jobs waiting in a queue, oldest first. */
  queue(name: string): Job[] {
    return this.#store.queueJobs(name);
  }

  /** The size of every known queue. */
  queues(): Record<string, number> {
    return Object.fromEntries(this.#store.queueSizes());
  }

  /** Jobs scheduled for later, earliest first. */
  scheduled(): TimedJob[] {
    return this.#store.scheduled.entries().map(copyTimed);
  }

  /** Failed jobs waiting for a retry, earliest first. */
  retries(): TimedJob[] {
    return this.#store.retries.entries().map(copyTimed);
  }

  /** Dead jobs, with the time they expire, earliest first. */
  dead(): TimedJob[] {
    return this.#store.dead.entries().map(copyTimed);
  }

  /** Jobs being worked on, with their reservation expiry. */
  working(): WorkingJob[] {
    return this.#store.reservations();
  }

  /** Whether a queue is paused. */
  isPaused(name: string): boolean {
    return this.#store.isPaused(name);
  }

  /**
   * Pushes a job directly, with the validation and defaults of `PUSH`.
   * @throws ServerError with the reply `PUSH` would give when the job is refused.
   */
  push(job: object): void {
    const decoded = decodeJob(stringifyJson(job));
    if (!decoded.ok) throw new ServerError(`invalid JSON: ${decoded.error}`, { serverCode: 'ERR', verb: 'PUSH' });
    this.#store.push(decoded.value);
    this.#waiters.changed();
  }

  /** Wipes every queue, set and counter, as `FLUSH` does. */
  flush(): void {
    this.#store.flush();
    this.#waiters.changed();
  }

  /** The INFO document. */
  info(): Record<string, unknown> {
    return buildInfo(this.#host);
  }

  /** Connection and command counters. */
  stats(): ServerStats {
    const { connections, totalConnections, commands } = this.#counters;
    return { connections, totalConnections, commands };
  }

  /** Destroys every client socket at once (fault injection); the server keeps listening. */
  dropConnections(): void {
    for (const connection of [...this.#connections]) connection.destroy();
  }

  /** Resolves once `predicate(server)` holds, checked after every change; rejects on timeout or close. */
  waitFor(predicate: (server: FaktoryServer) => boolean, options?: WaitOptions): Promise<void> {
    if (this.#closing !== undefined) return Promise.reject(new InvalidArgumentError('the server is closed', { argument: 'waitFor' }));
    return this.#waiters.wait(() => predicate(this), 'a condition', options);
  }

  #conditions(): ServerConditions {
    const store = this.#store;
    const wait = (check: () => boolean, description: string, options?: WaitOptions): Promise<void> =>
      this.#closing === undefined ? this.#waiters.wait(check, description, options) : Promise.reject(new InvalidArgumentError('the server is closed', { argument: 'until' }));
    return {
      queueEmpty: (name, options) => wait(() => store.queueSize(name) === 0, `queue ${name} empty`, options),
      queueSize: (name, size, options) => wait(() => store.queueSize(name) >= size, `queue ${name} holds ${size}`, options),
      processed: (count, options) => wait(() => store.processed >= count, `${count} processed`, options),
      failures: (count, options) => wait(() => store.failures >= count, `${count} failures`, options),
      retries: (count, options) => wait(() => store.retries.size >= count, `${count} retries`, options),
      dead: (count, options) => wait(() => store.dead.size >= count, `${count} dead`, options),
      working: (count, options) => wait(() => store.workingCount === count, `${count} working`, options),
      workers: (count, options) => wait(() => this.#workers.size >= count, `${count} workers`, options),
      connections: (count, options) => wait(() => this.#counters.connections === count, `${count} connections`, options),
    };
  }

  /** Stops listening, closes every socket and clears every timer. Idempotent: returns the same promise. */
  close(): Promise<void> {
    this.#closing ??= new Promise<void>((resolve) => {
      for (const timer of this.#timers.values()) this.#options.clock.clearTimeout(timer);
      this.#timers.clear();
      this.#server.close(() => {
        resolve();
      });
      this.dropConnections();
      this.#waiters.close();
    });
    return this.#closing;
  }
}

function copyTimed(entry: TimedJob): TimedJob {
  return { job: copyJob(entry.job), atMs: entry.atMs };
}

/**
 * Starts an in-memory, protocol-faithful Faktory server on a real port (127.0.0.1, a free port by
 * default). A test double and a local development server, not a production Faktory.
 *
 * @example
 * const server = await startServer({ clock: createManualClock() });
 * process.env.FAKTORY_URL = server.url;
 * // ... push and work jobs ...
 * await server.until.queueEmpty('default');
 * await server.close();
 */
export async function startServer(options?: ServerOptions): Promise<FaktoryServer> {
  const resolved = resolveServerOptions(options);
  const server = resolved.tls === undefined ? createNetServer() : createTlsServer({ key: resolved.tls.key, cert: resolved.tls.cert });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(resolved.port, resolved.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (error: Error) => {
    debug('server error %s', error.message);
  });
  if (resolved.tls !== undefined) {
    server.on('tlsClientError', (error: Error) => {
      debug('TLS client error %s', error.message);
    });
  }
  return new FaktoryServer(resolved, server);
}
