import type { WorkerEvent } from './events.js';

/** A log level, lowest first. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/**
 * Where a worker's log lines go: any object with these four methods, called as
 * `logger.info(message, fields)`, so `console` and winston fit as they are. pino takes its
 * fields first: pass `{ info: (m, f) => log.info(f, m), ... }` (see the README).
 */
export interface Logger {
  debug(message: string, fields?: Readonly<Record<string, unknown>>): void;
  info(message: string, fields?: Readonly<Record<string, unknown>>): void;
  warn(message: string, fields?: Readonly<Record<string, unknown>>): void;
  error(message: string, fields?: Readonly<Record<string, unknown>>): void;
}

/** One line about a worker event. */
export interface LogRecord {
  readonly level: LogLevel;
  readonly message: string;
  readonly fields: Readonly<Record<string, unknown>>;
}

function errorFields(error: unknown): Record<string, unknown> {
  if (error instanceof Error) return { errtype: error.name, error: error.message };
  return { error: String(error) };
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** Attempts 1, 2, 4, 8, ...: a failure is logged at once, then ever less often while it lasts. */
function isLoggedAttempt(attempt: number): boolean {
  return (attempt & (attempt - 1)) === 0;
}

/**
 * What a worker logs for an event, or `undefined` for events not worth a line (a FETCH or BEAT
 * that went as planned, a retry between the logged ones). Jobs get one `debug` line each when
 * they succeed and a `warn` line when they fail; job arguments are never logged.
 *
 * @example
 * worker.subscribe((event) => {
 *   const line = workerLogRecord(event);
 *   if (line !== undefined) logger[line.level](line.message, line.fields);
 * });
 */
export function workerLogRecord(event: WorkerEvent): LogRecord | undefined {
  switch (event.type) {
    case 'started':
      return {
        level: 'info',
        message: `worker ${event.wid} started: concurrency ${event.concurrency}, ${event.fetchers} FETCH sockets, shutdown timeout ${event.shutdownTimeoutMs} ms`,
        fields: {
          wid: event.wid, concurrency: event.concurrency, fetchers: event.fetchers, fetchDepth: event.fetchDepth,
          shutdownTimeoutMs: event.shutdownTimeoutMs, deliveryGraceMs: event.deliveryGraceMs,
        },
      };
    case 'stateChanged':
      return { level: 'info', message: `worker ${event.from} -> ${event.to} (${event.cause})`, fields: { from: event.from, to: event.to, cause: event.cause } };
    case 'succeeded':
      return { level: 'debug', message: `job ${event.jid} (${event.jobtype}) succeeded in ${Math.round(event.durationMs)} ms`, fields: { jid: event.jid, jobtype: event.jobtype, durationMs: event.durationMs, outcome: 'succeeded' } };
    case 'failed':
      return {
        level: 'warn',
        message: `job ${event.jid} (${event.jobtype}) failed (${event.reason}): ${errorText(event.error)}`,
        fields: { jid: event.jid, jobtype: event.jobtype, durationMs: event.durationMs, outcome: 'failed', reason: event.reason, ...errorFields(event.error) },
      };
    case 'ackRetried':
    case 'failRetried': {
      const command = event.type === 'ackRetried' ? 'ACK' : 'FAIL';
      if (!isLoggedAttempt(event.attempt)) return undefined;
      return {
        level: 'warn',
        message: `${command} of job ${event.jid} failed (attempt ${event.attempt}), retrying in ${event.delayMs} ms: ${errorText(event.error)}`,
        fields: { command, jid: event.jid, attempt: event.attempt, delayMs: event.delayMs, ...errorFields(event.error) },
      };
    }
    case 'deliveryLost':
      return {
        level: 'error',
        message: `${event.command} of job ${event.jid} (${event.jobtype}) could not be delivered (${event.reason}); the server retries the job when its reservation ends`,
        fields: { command: event.command, jid: event.jid, jobtype: event.jobtype, reason: event.reason, ...errorFields(event.error) },
      };
    case 'undelivered':
      return {
        level: 'error',
        message: `${event.commands.length} ACK/FAILs could not be delivered before the worker stopped (the server was unreachable): ${event.commands
          .map((c) => `${c.command} ${c.jid}`)
          .join(', ')}; Faktory retries those jobs when their reservations end`,
        fields: { undelivered: event.commands.map((c) => ({ command: c.command, jid: c.jid, jobtype: c.jobtype })) },
      };
    case 'connectionFailed':
      if (!isLoggedAttempt(event.attempt)) return undefined;
      return {
        level: 'warn',
        message: `cannot reach the server (${event.client} connection, attempt ${event.attempt}), retrying in ${event.delayMs} ms: ${errorText(event.error)}`,
        fields: { client: event.client, attempt: event.attempt, delayMs: event.delayMs, ...errorFields(event.error) },
      };
    case 'fetchRetried':
      if (!isLoggedAttempt(event.attempt)) return undefined;
      return {
        level: 'warn',
        message: `FETCH failed (attempt ${event.attempt}), retrying in ${event.delayMs} ms: ${errorText(event.error)}`,
        fields: { attempt: event.attempt, delayMs: event.delayMs, ...errorFields(event.error) },
      };
    case 'heartbeatFailed':
      return { level: 'warn', message: `BEAT failed: ${errorText(event.error)}`, fields: errorFields(event.error) };
    case 'reregistered':
      return { level: 'info', message: `worker ${event.wid} registered again`, fields: { wid: event.wid } };
    case 'stallWarning':
      return { level: 'warn', message: `event loop blocked for ${event.blockedMs} ms`, fields: { blockedMs: event.blockedMs } };
    case 'connectionLost':
      return { level: 'warn', message: `${event.client} connection lost: ${event.error.message}`, fields: { client: event.client, ...errorFields(event.error) } };
    case 'connectionRestored':
      return { level: 'info', message: `${event.client} connection restored`, fields: { client: event.client } };
    case 'stopped':
      return {
        level: event.forced ? 'warn' : 'info',
        message: `worker stopped${event.forced ? ' (forced)' : ''}; ${event.abortedJobs} jobs FAILed on shutdown`,
        fields: { forced: event.forced, abortedJobs: event.abortedJobs },
      };
    case 'fetched':
    case 'heartbeat':
      return undefined;
  }
}

/** Options of {@link streamLogger}. */
export interface StreamLoggerOptions {
  /** `text`: `time LEVEL message key=value ...`; `json`: one JSON object a line. @defaultValue `'text'` */
  readonly format?: 'text' | 'json';
  /** Lines below this level are dropped. @defaultValue `'info'` */
  readonly level?: LogLevel;
  /** Where lines go. @defaultValue a line to `process.stderr` */
  readonly write?: (line: string) => void;
  /** The clock. @defaultValue `() => new Date()` */
  readonly now?: () => Date;
}

const RANK: Readonly<Record<LogLevel, number>> = { debug: 0, info: 1, warn: 2, error: 3 };

function textValue(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return /[\s"=]/.test(text) ? JSON.stringify(text) : text;
}

/**
 * A {@link Logger} that writes one line per call, as text or JSON (`{"time","level","msg",...}`),
 * to stderr by default: the CLI's logger.
 *
 * @example
 * await runWorker(worker, { logger: streamLogger({ format: 'json', level: 'debug' }) });
 */
export function streamLogger(options: StreamLoggerOptions = {}): Logger {
  const format = options.format ?? 'text';
  const threshold = RANK[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const now = options.now ?? (() => new Date());
  const at = (level: LogLevel) => (message: string, fields: Readonly<Record<string, unknown>> = {}): void => {
    if (RANK[level] < threshold) return;
    const time = now().toISOString();
    if (format === 'json') {
      write(JSON.stringify({ time, level, msg: message, ...fields }));
      return;
    }
    const pairs = Object.entries(fields)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => `${key}=${textValue(value)}`);
    write([time, level.toUpperCase().padEnd(5), message, ...pairs].join(' '));
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
