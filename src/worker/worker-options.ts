import { asyncScheduler, type SchedulerLike } from 'rxjs';
import { v4 as uuidv4 } from 'uuid';
import { InvalidArgumentError } from '../errors.js';
import type { AnyJobs, JobOf, JobTypes, WorkerClient } from '../streams/types.js';
import { JOB_RULES } from '../streams/index.js';
import { type JobDefinition, type JobDefinitions, defineJobs } from '../streams/job-definitions.js';
import { queuesFromEnv, workerIdFromEnv } from '../transport/config.js';
import { assertKnownOptions } from '../transport/option-checks.js';
import type { WorkerIdentity } from '../transport/types.js';
import type { Logger } from './worker-log.js';
import type { JobHandlers, Middleware } from './handler-types.js';
import type { QueueSelection } from './queue-order.js';
import type { WorkerClientRole } from './events.js';
import type { DefaultWorkerClient, WorkerConnectionOptions, WorkerPoolSettings } from './default-clients.js';
import { reservationMs } from './reservation.js';

/**
 * Makes the worker's clients. Called once per role when the worker starts, and again for
 * `beat` when the server has forgotten the worker (to register it anew).
 */
export type WorkerClientFactory<Jobs extends JobTypes = AnyJobs, Client extends WorkerClient<Jobs> = DefaultWorkerClient<Jobs>> = (
  identity: WorkerIdentity,
  role: WorkerClientRole,
  pool: WorkerPoolSettings,
) => Client;

/** Options of `createWorker`. Times are milliseconds. */
export interface WorkerOptions<Jobs extends JobTypes = AnyJobs, Client extends WorkerClient<Jobs> = DefaultWorkerClient<Jobs>> {
  /** Handlers by jobtype. A job of another jobtype is FAILed with errtype `UnknownJobType`. */
  readonly handlers: JobHandlers<Jobs, Client>;
  /**
   * The queues to fetch from: an array in strict priority order, a `{ name: weight }` map
   * (reordered for every FETCH by weighted random choice), or a function returning the order
   * for each FETCH.
   * @defaultValue `FAKTORY_QUEUE` (comma separated) when set, else `['default']`
   */
  readonly queues?: QueueSelection;
  /**
   * Jobs run at once: a hard limit (a job that timed out or was aborted keeps its slot until its
   * handler settles). Outstanding FETCHes and running jobs together never exceed it, and with
   * the jobs awaiting their ACK/FAIL never `concurrency + fetchers`. @defaultValue 20
   */
  readonly concurrency?: number;
  /**
   * Sockets for FETCH, at most `concurrency`. The worker uses `fetchers + 1` sockets for
   * FETCH/ACK/FAIL/PUSH and one for BEAT.
   * @defaultValue `min(concurrency, 6)`
   */
  readonly fetchers?: number;
  /**
   * FETCHes outstanding on each FETCH socket. The default, 1, sends a socket's next FETCH only
   * once its last one came back. More pipelines FETCHes (fewer round trips while jobs keep
   * coming) at a cost: Faktory executes every FETCH it has received, even after the client is
   * gone, so a dropped connection, a crash or an early exit strands up to
   * `fetchers * fetchDepth` jobs, reserved for nobody until their `reserve_for` runs out (30 min
   * by default); and a stop waits for the FETCHes already sent, each held up to 2 s on empty
   * queues, so up to `fetchDepth * 2` s. With your own `client`, its pool must allow as many
   * (`maxBlockingPerConnection`).
   * @defaultValue 1
   */
  readonly fetchDepth?: number;
  /**
   * Per-jobtype definitions (see `defineJobs`), the same the producer uses: a definition's
   * `timeoutMs` replaces `jobTimeoutMs` for its jobtype, and its `concurrency` limits its
   * `queue` (it needs one), as `queueConcurrency` does.
   */
  readonly jobs?: JobDefinitions<Jobs>;
  /**
   * At most this many jobs from a queue run at once in this process, within `concurrency`. The
   * limit is kept at the FETCH: a FETCH names a queue at its limit only once one of its jobs
   * settles, so no job waits fetched (and reserved) for a free slot of its queue. Each
   * process keeps its own limits: N worker processes run up to N times as many, and Faktory
   * knows nothing of them (for a global limit, use one process or Enterprise throttling).
   * @defaultValue none
   */
  readonly queueConcurrency?: Readonly<Record<string, number>>;
  /**
   * Where the worker logs (start, stop, state changes, connection trouble, failed jobs at
   * `warn`, one `debug` line per job): any object with `debug/info/warn/error` (`console`,
   * winston; pino with its fields first, see the README). @defaultValue none: nothing is logged
   * but the `faktory-rx:worker` debug namespace
   */
  readonly logger?: Logger;
  /** Wrap every job's execution, first one outermost. @defaultValue `[]` */
  readonly middleware?: readonly Middleware<Jobs, Client>[];
  /** The worker id every connection presents. @defaultValue `FAKTORY_WORKER_ID` when set, else a random 16-hex-digit id */
  readonly wid?: string;
  /** Labels shown in the Web UI. @defaultValue the transport's default (`['node']`) */
  readonly labels?: readonly string[];
  /** How often to `BEAT`. The server forgets a worker after 60 s without one. @defaultValue 15_000 */
  readonly beatIntervalMs?: number;
  /** How long a terminating worker waits for running jobs before aborting and FAILing them. @defaultValue 25_000 */
  readonly shutdownTimeoutMs?: number;
  /**
   * How long a stopping worker keeps retrying ACKs and FAILs it could not deliver (the server is
   * unreachable) after the shutdown timeout (or after a forced stop), before it gives them up,
   * lists them in an `undelivered` event and stops. Faktory retries those jobs once their
   * reservation ends. So a graceful stop takes at most `shutdownTimeoutMs + deliveryGraceMs`
   * (plus the time handlers that ignore their signal take to settle).
   * @defaultValue 5_000
   */
  readonly deliveryGraceMs?: number;
  /**
   * A job's time limit; on expiry the job's signal aborts and the job is FAILed with errtype
   * `JobTimeout`. A number, or a function of the job.
   * @defaultValue the job's `reserve_for` (1800 s when absent) minus `jobTimeoutMarginMs`
   */
  readonly jobTimeoutMs?: number | ((job: JobOf<Jobs>) => number);
  /** The margin kept before a reservation expires, for the default job timeout. @defaultValue 10_000 */
  readonly jobTimeoutMarginMs?: number;
  /**
   * The delay before retry `attempt` (1, 2, ...) of an ACK, FAIL or FETCH that failed with a
   * retriable error. @defaultValue `min(100 * 2 ** (attempt - 1), 1_000)`
   */
  readonly retryDelayMs?: (attempt: number) => number;
  /** Warn when the event loop was blocked this long, or `false` for no check. @defaultValue 10_000 */
  readonly stallWarningMs?: number | false;
  /** How often the stall check runs; a stall is measured to within this. @defaultValue 100 */
  readonly stallCheckIntervalMs?: number;
  /** Resident set size in KiB, reported in `BEAT`. @defaultValue `process.memoryUsage.rss() / 1024` */
  readonly rssKb?: () => number;
  /** Random numbers in [0, 1), for weighted queue order. @defaultValue `Math.random` */
  readonly random?: () => number;
  /** The source of time for beats, timeouts, backoff and stall checks. @defaultValue `asyncScheduler` */
  readonly scheduler?: SchedulerLike;
  /**
   * A client to use instead of creating one (e.g. `createScriptedClient` in marble tests). The
   * worker closes it when it stops. Its worker identity must carry this worker's wid.
   */
  readonly client?: Client;
  /** A client for `BEAT` only. @defaultValue `client` when given, else a new client of pool size 1 */
  readonly beatClient?: WorkerClient<Jobs>;
  /** Makes the worker's clients when `client` is not given. @defaultValue `createClient` with `connection` */
  readonly clientFactory?: WorkerClientFactory<Jobs, Client>;
  /** Connection options (url, password, tls, reconnect, push middleware ...) for the default client factory. */
  readonly connection?: WorkerConnectionOptions;
}

/** The defaults of {@link WorkerOptions}. */
export const WORKER_DEFAULTS = Object.freeze({
  queues: Object.freeze<readonly string[]>(['default']),
  concurrency: 20,
  maxDefaultFetchers: 6,
  fetchDepth: 1,
  beatIntervalMs: 15_000,
  shutdownTimeoutMs: 25_000,
  deliveryGraceMs: 5_000,
  jobTimeoutMarginMs: 10_000,
  retryBaseMs: 100,
  retryMaxMs: 1_000,
  stallWarningMs: 10_000,
  stallCheckIntervalMs: 100,
});

/** The options with every default applied. @internal */
export interface ResolvedWorkerOptions<Jobs extends JobTypes, Client extends WorkerClient<Jobs>> {
  readonly handlers: JobHandlers<Jobs, Client>;
  readonly queues: QueueSelection;
  readonly concurrency: number;
  readonly fetchers: number;
  readonly fetchDepth: number;
  readonly middleware: readonly Middleware<Jobs, Client>[];
  readonly identity: WorkerIdentity;
  readonly beatIntervalMs: number;
  readonly shutdownTimeoutMs: number;
  readonly deliveryGraceMs: number;
  readonly jobTimeoutMs: (job: JobOf<Jobs>) => number;
  readonly retryDelayMs: (attempt: number) => number;
  readonly stallWarningMs: number | false;
  readonly stallCheckIntervalMs: number;
  readonly rssKb: () => number;
  readonly random: () => number;
  readonly scheduler: SchedulerLike;
  /** Concurrency limits by queue, from `queueConcurrency` and the job definitions. */
  readonly queueLimits: ReadonlyMap<string, number>;
  readonly logger: Logger | undefined;
}

/** Every option key, for the unknown-key check. */
const OPTION_KEYS: Readonly<Record<keyof WorkerOptions, true>> = {
  handlers: true, queues: true, concurrency: true, fetchers: true, fetchDepth: true, jobs: true, queueConcurrency: true, logger: true,
  middleware: true, wid: true, labels: true, beatIntervalMs: true, shutdownTimeoutMs: true, deliveryGraceMs: true, jobTimeoutMs: true,
  jobTimeoutMarginMs: true, retryDelayMs: true, stallWarningMs: true, stallCheckIntervalMs: true, rssKb: true, random: true,
  scheduler: true, client: true, beatClient: true, clientFactory: true, connection: true,
};

/** Connection settings given at the top level by mistake. */
const OPTION_HINTS: Readonly<Record<string, string>> = {
  url: 'connection.url', password: 'connection.password', tls: 'connection.tls', reconnect: 'connection.reconnect',
  connectTimeoutMs: 'connection.connectTimeoutMs', commandTimeoutMs: 'connection.commandTimeoutMs', timeout: 'jobTimeoutMs',
  shutdownTimeout: 'shutdownTimeoutMs', queue: 'queues',
};


function fail(argument: string, message: string): never {
  throw new InvalidArgumentError(message, { argument });
}

function positiveInteger(value: number, argument: string): number {
  if (!Number.isInteger(value) || value < 1) fail(argument, `must be a positive integer, got ${String(value)}`);
  return value;
}

function nonNegative(value: number, argument: string): number {
  if (!Number.isFinite(value) || value < 0) fail(argument, `must be a finite number >= 0, got ${String(value)}`);
  return value;
}

function positive(value: number, argument: string): number {
  if (!Number.isFinite(value) || value <= 0) fail(argument, `must be a finite number > 0, got ${String(value)}`);
  return value;
}

function checkQueues(queues: QueueSelection): QueueSelection {
  if (typeof queues === 'function') return queues;
  const names = Array.isArray(queues) ? (queues as readonly string[]) : Object.keys(queues);
  if (names.length === 0) fail('queues', 'must name at least one queue');
  for (const name of names) {
    if (typeof name !== 'string' || !JOB_RULES.queuePattern.test(name)) fail('queues', `queue names must match ${JOB_RULES.queuePattern.source}, got ${JSON.stringify(name)}`);
  }
  if (!Array.isArray(queues)) {
    for (const [name, weight] of Object.entries(queues as Readonly<Record<string, number>>)) {
      if (!Number.isFinite(weight) || weight <= 0) fail('queues', `weight of '${name}' must be a finite number > 0`);
    }
  }
  return queues;
}

function defaultRssKb(): number {
  return Math.round(process.memoryUsage.rss() / 1024);
}

/** Validates options and applies defaults; throws `InvalidArgumentError` naming the bad option. @internal */
export function resolveWorkerOptions<Jobs extends JobTypes, Client extends WorkerClient<Jobs>>(
  options: WorkerOptions<Jobs, Client>,
): ResolvedWorkerOptions<Jobs, Client> {
  const d = WORKER_DEFAULTS;
  if (typeof options !== 'object') fail('options', 'must be an object');
  assertKnownOptions(options, OPTION_KEYS, { owner: 'createWorker', hints: OPTION_HINTS });
  const { handlers } = options;
  if (typeof handlers !== 'object' || Array.isArray(handlers)) fail('handlers', 'must be an object of jobtype to handler');
  const jobtypes = Object.entries(handlers);
  if (jobtypes.length === 0) fail('handlers', 'must register at least one jobtype (a worker without handlers would FAIL every job it fetches)');
  for (const [jobtype, handler] of jobtypes) {
    if (typeof handler !== 'function') fail('handlers', `handler of '${jobtype}' must be a function`);
  }
  const concurrency = positiveInteger(options.concurrency ?? d.concurrency, 'concurrency');
  const fetchers = positiveInteger(options.fetchers ?? Math.min(concurrency, d.maxDefaultFetchers), 'fetchers');
  if (fetchers > concurrency) fail('fetchers', `must be at most concurrency (${concurrency}), got ${fetchers}`);
  const fetchDepth = positiveInteger(options.fetchDepth ?? d.fetchDepth, 'fetchDepth');
  const middleware = options.middleware ?? [];
  if (!Array.isArray(middleware) || middleware.some((m) => typeof m !== 'function')) fail('middleware', 'must be an array of functions');
  const wid = options.wid ?? workerIdFromEnv() ?? uuidv4().replaceAll('-', '').slice(0, 16);
  if (typeof wid !== 'string' || wid.length === 0 || /\s/.test(wid)) fail('wid', 'must be a non-empty string without whitespace');
  const labels = options.labels;
  if (labels !== undefined && (!Array.isArray(labels) || labels.some((l) => typeof l !== 'string'))) fail('labels', 'must be an array of strings');
  const margin = nonNegative(options.jobTimeoutMarginMs ?? d.jobTimeoutMarginMs, 'jobTimeoutMarginMs');
  const jobTimeout = options.jobTimeoutMs;
  if (typeof jobTimeout === 'number') positive(jobTimeout, 'jobTimeoutMs');
  else if (jobTimeout !== undefined && typeof jobTimeout !== 'function') fail('jobTimeoutMs', 'must be a number or a function');
  const stallWarningMs = options.stallWarningMs ?? d.stallWarningMs;
  if (stallWarningMs !== false) positive(stallWarningMs, 'stallWarningMs');
  for (const name of ['retryDelayMs', 'rssKb', 'random', 'clientFactory'] as const) {
    const value = options[name];
    if (value !== undefined && typeof value !== 'function') fail(name, 'must be a function');
  }
  const definitions = (options.jobs === undefined ? {} : defineJobs(options.jobs)) as Readonly<Record<string, JobDefinition>>;
  const queueLimits = new Map<string, number>();
  const limitQueue = (queue: string, limit: number, argument: string): void => {
    if (!JOB_RULES.queuePattern.test(queue)) fail(argument, `queue names must match ${JOB_RULES.queuePattern.source}, got ${JSON.stringify(queue)}`);
    positiveInteger(limit, argument);
    queueLimits.set(queue, Math.min(limit, queueLimits.get(queue) ?? Infinity));
  };
  const queueConcurrency = options.queueConcurrency ?? {};
  if (typeof queueConcurrency !== 'object' || (queueConcurrency as unknown) === null) fail('queueConcurrency', 'must be an object of queue name to limit');
  for (const [queue, limit] of Object.entries(queueConcurrency)) limitQueue(queue, limit, `queueConcurrency.${queue}`);
  for (const [jobtype, definition] of Object.entries(definitions)) {
    if (definition.concurrency === undefined) continue;
    if (definition.queue === undefined) {
      fail(`jobs.${jobtype}.concurrency`, `needs the jobtype's queue (jobs.${jobtype}.queue): the limit is kept by not fetching from that queue while it is full`);
    }
    limitQueue(definition.queue, definition.concurrency, `jobs.${jobtype}.concurrency`);
  }
  const logger = options.logger;
  if (logger !== undefined && (['debug', 'info', 'warn', 'error'] as const).some((level) => typeof logger[level] !== 'function')) {
    fail('logger', 'must have debug, info, warn and error methods');
  }
  /** The longest a job may run: until `margin` before its reservation ends. */
  const withinReservation = (job: JobOf<Jobs>): number => Math.max(1, reservationMs(job) - margin);
  const baseTimeout: (job: JobOf<Jobs>) => number =
    typeof jobTimeout === 'function' ? jobTimeout : typeof jobTimeout === 'number' ? () => jobTimeout : withinReservation;
  const timeouts = new Map(Object.entries(definitions).flatMap(([jobtype, definition]) => (definition.timeoutMs === undefined ? [] : [[jobtype, definition.timeoutMs] as const])));
  const base = d.retryBaseMs;
  const max = d.retryMaxMs;
  return {
    handlers,
    queues: checkQueues(options.queues ?? queuesFromEnv() ?? d.queues),
    concurrency,
    fetchers,
    fetchDepth,
    middleware,
    identity: labels === undefined ? { wid } : { wid, labels },
    beatIntervalMs: positive(options.beatIntervalMs ?? d.beatIntervalMs, 'beatIntervalMs'),
    shutdownTimeoutMs: nonNegative(options.shutdownTimeoutMs ?? d.shutdownTimeoutMs, 'shutdownTimeoutMs'),
    deliveryGraceMs: nonNegative(options.deliveryGraceMs ?? d.deliveryGraceMs, 'deliveryGraceMs'),
    // A definition's time limit still ends before the job's reservation does.
    jobTimeoutMs:
      timeouts.size === 0
        ? baseTimeout
        : (job) => {
            const defined = timeouts.get(job.jobtype);
            return defined === undefined ? baseTimeout(job) : Math.min(defined, withinReservation(job));
          },
    retryDelayMs: options.retryDelayMs ?? ((attempt) => Math.min(base * 2 ** (attempt - 1), max)),
    stallWarningMs,
    stallCheckIntervalMs: positive(options.stallCheckIntervalMs ?? d.stallCheckIntervalMs, 'stallCheckIntervalMs'),
    rssKb: options.rssKb ?? defaultRssKb,
    random: options.random ?? Math.random,
    scheduler: options.scheduler ?? asyncScheduler,
    queueLimits,
    logger,
  };
}
