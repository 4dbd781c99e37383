import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { InvalidArgumentError } from '../errors.js';
import {
  type JobHandlers, type LogLevel, type WorkerOptions, createWorker, runWorker, startMetricsServer, streamLogger,
} from '../worker/index.js';

/** The help text of `faktory-rx work`. */
export const WORK_USAGE = `Usage: faktory-rx work --require <module> [options]

Runs a worker with the handlers exported by a module: its \`handlers\` export (an object of
jobtype to handler), else its default export. The module may also export \`options\`: worker
options (queues, concurrency, middleware, shutdownTimeoutMs, jobTimeoutMs, connection, ...);
the flags below win over them. ES modules (.js, .mjs) and CommonJS (.cjs, or .js in a
"type": "commonjs" package) load as they are; for TypeScript, run with a loader:
  NODE_OPTIONS='--import tsx' faktory-rx work --require ./jobs.ts

Options:
  -r, --require <path>         module with the handlers (required)
  -q, --queues <list>          queues in strict priority order, comma separated (default: FAKTORY_QUEUE, else default)
  -c, --concurrency <n>        jobs run at once (default: 20)
  -t, --timeout <seconds>      shutdown timeout: how long SIGTERM waits for running jobs (default: 25)
      --job-timeout <seconds>  a job's time limit (default: its reserve_for minus 10 s)
  -u, --url <url>              server URL (default: FAKTORY_PROVIDER / FAKTORY_URL / tcp://localhost:7419)
  -l, --label <label>          a label shown in the Web UI (repeatable)
      --wid <id>               the worker id (default: FAKTORY_WORKER_ID, else a random one)
      --log-format <format>    text (default) or json: one JSON object a line, to stderr
      --log-level <level>      debug (one line per job), info (default), warn or error
      --metrics-port <port>    serve GET /metrics (Prometheus text) and /healthz (200 or 503, JSON) on this port
      --metrics-host <host>    the address the metrics port listens on (default: 0.0.0.0)
  -h, --help                   this text

Signals: SIGTERM/SIGINT stop gracefully (a second SIGINT forces, a third exits at once),
SIGTSTP quiets, SIGTTIN prints the jobs in flight.
`;

/** Worker options a handler module may export as `options`: everything but the handlers. */
type ModuleOptions = Omit<WorkerOptions, 'handlers'>;

/** What `--require` found in the module. */
interface WorkerModule {
  readonly handlers: JobHandlers;
  readonly options: ModuleOptions;
}

const TYPESCRIPT = new Set(['.ts', '.mts', '.cts', '.tsx']);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function seconds(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`must be a number of seconds >= 0, got ${value}`, { argument: `--${flag}` });
  return n * 1000;
}

function integer(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`must be a positive integer, got ${value}`, { argument: `--${flag}` });
  return n;
}

const LOG_LEVELS: ReadonlySet<string> = new Set(['debug', 'info', 'warn', 'error']);

function port(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < 0 || n > 65_535) throw new InvalidArgumentError(`must be a port number 0..65535, got ${value}`, { argument: '--metrics-port' });
  return n;
}

async function importModule(path: string): Promise<Record<string, unknown>> {
  try {
    return (await import(pathToFileURL(resolve(path)).href)) as Record<string, unknown>;
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    if (code === 'ERR_UNKNOWN_FILE_EXTENSION' && TYPESCRIPT.has(extname(path))) {
      throw new InvalidArgumentError(`${path} is TypeScript: run with a loader, e.g. NODE_OPTIONS='--import tsx' faktory-rx work --require ${path}`, { argument: '--require', cause: error });
    }
    if (code === 'ERR_MODULE_NOT_FOUND' && (error as Error).message.includes(resolve(path))) {
      throw new InvalidArgumentError(`cannot find ${path} (resolved to ${resolve(path)})`, { argument: '--require', cause: error });
    }
    throw error;
  }
}

/**
 * Loads `path` (relative to the working directory) and finds its handlers and options: the
 * `handlers` and `options` exports, also when CommonJS puts them on `module.exports` (which
 * `import()` gives as the default export), else a default export of handlers.
 */
async function loadWorkerModule(path: string): Promise<WorkerModule> {
  const namespace = await importModule(path);
  const exported = [namespace, namespace['default']].filter(isObject).find((candidate) => isObject(candidate['handlers']));
  const handlers = exported === undefined ? namespace['default'] : exported['handlers'];
  if (!isObject(handlers)) {
    throw new InvalidArgumentError(`${path} exports no handlers: export \`handlers\` (an object of jobtype to handler) or make them the default export`, { argument: '--require' });
  }
  const options = exported?.['options'] ?? {};
  if (!isObject(options)) throw new InvalidArgumentError(`the \`options\` export of ${path} must be an object of worker options`, { argument: '--require' });
  if ('handlers' in options) throw new InvalidArgumentError(`the \`options\` export of ${path} must not hold handlers: export them as \`handlers\``, { argument: '--require' });
  return { handlers: handlers as JobHandlers, options };
}

/**
 * `faktory-rx work`: runs a worker in this process with handlers (and options) loaded from a
 * module, wiring signals (see `runWorker`). Resolves with the exit code: 0 after a clean stop,
 * 1 when the worker failed or the module threw, 2 for bad arguments or options.
 *
 * @example
 * // faktory-rx work --require ./jobs.js -q critical,default -c 50 -t 25
 * process.exitCode = await runWorkCommand(process.argv.slice(3));
 */
export async function runWorkCommand(argv: readonly string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        require: { type: 'string', short: 'r' },
        queues: { type: 'string', short: 'q' },
        concurrency: { type: 'string', short: 'c' },
        timeout: { type: 'string', short: 't' },
        'job-timeout': { type: 'string' },
        url: { type: 'string', short: 'u' },
        label: { type: 'string', short: 'l', multiple: true },
        wid: { type: 'string' },
        'log-format': { type: 'string' },
        'log-level': { type: 'string' },
        'metrics-port': { type: 'string' },
        'metrics-host': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${WORK_USAGE}`);
    return 2;
  }
  if (values.help === true) {
    process.stdout.write(WORK_USAGE);
    return 0;
  }
  try {
    if (values.require === undefined) throw new InvalidArgumentError('is required', { argument: '--require' });
    const flags: Partial<Record<keyof ModuleOptions, unknown>> = {
      queues: values.queues?.split(',').map((q) => q.trim()).filter((q) => q.length > 0),
      concurrency: integer(values.concurrency, 'concurrency'),
      shutdownTimeoutMs: seconds(values.timeout, 'timeout'),
      jobTimeoutMs: seconds(values['job-timeout'], 'job-timeout'),
      labels: values.label,
      wid: values.wid,
    };
    const format = values['log-format'] ?? 'text';
    if (format !== 'text' && format !== 'json') throw new InvalidArgumentError(`must be text or json, got ${format}`, { argument: '--log-format' });
    const level = values['log-level'] ?? 'info';
    if (!LOG_LEVELS.has(level)) throw new InvalidArgumentError(`must be debug, info, warn or error, got ${level}`, { argument: '--log-level' });
    const metricsPort = port(values['metrics-port']);
    const { handlers, options } = await loadWorkerModule(values.require);
    const set = Object.fromEntries(Object.entries(flags).filter(([, value]) => value !== undefined));
    const connection = values.url === undefined ? options.connection : { ...options.connection, url: values.url };
    // A module's own logger (pino, winston) wins unless a log flag asks for the CLI's.
    const flagged = values['log-format'] !== undefined || values['log-level'] !== undefined;
    const logger = options.logger !== undefined && !flagged ? options.logger : streamLogger({ format, level: level as LogLevel });
    // The worker's events are logged once, by runWorker.
    const workerOptions = { ...options };
    delete workerOptions.logger;
    const worker = createWorker({ ...workerOptions, ...set, ...(connection === undefined ? {} : { connection }), handlers });
    const metrics =
      metricsPort === undefined
        ? undefined
        : await startMetricsServer({ port: metricsPort, host: values['metrics-host'] ?? '0.0.0.0', metrics: () => worker.metrics(), beatIntervalMs: options.beatIntervalMs ?? 15_000 });
    if (metrics !== undefined) logger.info(`metrics on http://${values['metrics-host'] ?? '0.0.0.0'}:${metrics.port}/metrics, health on /healthz`, { metricsPort: metrics.port });
    try {
      return await runWorker(worker, { logger });
    } finally {
      await metrics?.close();
    }
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    return error instanceof InvalidArgumentError ? 2 : 1;
  }
}
