import type { AnyJobs, JobTypes, WorkerClient } from '../streams/types.js';
import type { DefaultWorkerClient } from './default-clients.js';
import { WORKER_LOGGER, type Worker, createWorker } from './create-worker.js';
import { type Logger, streamLogger, workerLogRecord } from './worker-log.js';
import type { WorkerOptions } from './worker-options.js';

/** The part of `process` that {@link runWorker} uses (replaceable in tests). */
export type WorkerProcess = Pick<NodeJS.Process, 'on' | 'off' | 'exit'> & { exitCode?: NodeJS.Process['exitCode'] };

/** Options of {@link runWorker}. Times are milliseconds. */
export interface RunWorkerOptions {
  /**
   * Where the worker's events and the signals' lines are logged (see `workerLogRecord`). A
   * worker made with a `logger` of its own logs its events there itself, and `runWorker` logs
   * only the signals' lines (to this logger, else to the worker's): nothing is logged twice.
   * @defaultValue the worker's `logger`, else `streamLogger()`: text lines of `info` and above
   * to `process.stderr`
   */
  readonly logger?: Logger;
  /** The process to wire. @defaultValue `process` */
  readonly process?: WorkerProcess;
  /**
   * How long to wait, after an uncaught exception or unhandled rejection, for the in-flight jobs
   * to be FAILed before exiting with code 1. @defaultValue 2_400
   */
  readonly crashTimeoutMs?: number;
  /**
   * How long after the worker's shutdown timeout (or after a forced stop) to wait for handlers
   * that ignore their abort signal (their jobs were FAILed already) before exiting anyway, with
   * code 1. Pending ACK/FAILs get at least the worker's `deliveryGraceMs`. @defaultValue 3_000
   */
  readonly graceMs?: number;
}

/** The logger a worker was made with, if any. */
function ownLogger(worker: Worker): Logger | undefined {
  return (worker as Worker & { readonly [WORKER_LOGGER]?: Logger })[WORKER_LOGGER];
}

/** Runs a logger call; a logger that throws must not take the worker down with it. */
function safely(write: () => void): void {
  try {
    write();
  } catch {
    // Nowhere better to report it: the logger is what failed.
  }
}

/** Defaults of {@link RunWorkerOptions}. */
export const RUN_WORKER_DEFAULTS = Object.freeze({ crashTimeoutMs: 2_400, graceMs: 3_000 });

/**
 * Runs a worker as the process's main job (the opt-in "run as a process" helper; the worker
 * itself never touches `process`): subscribes (sharing the worker's one run with any other
 * subscriber), logs the lifecycle, and wires signals: `SIGTERM`/`SIGINT` stop gracefully (a
 * second `SIGINT` forces, a third exits with code 130 at once), `SIGTSTP` quiets, `SIGTTIN`
 * prints the in-flight jobs with elapsed time. An uncaught exception or unhandled rejection
 * FAILs the in-flight jobs (forced stop) and exits with code 1 within `crashTimeoutMs`. A stop
 * never outlasts `shutdownTimeoutMs + max(graceMs, deliveryGraceMs)`: past that, handlers that
 * ignore their signal are left behind (logged) and the process exits with code 1.
 *
 * Resolves with the exit code (0 after a clean stop; 1 after a forced stop, 130 after one by
 * `SIGINT`; 1 when the worker errored) and sets `process.exitCode`; listeners are removed when
 * it resolves.
 *
 * @example
 * await runWorker({ queues: ['critical', 'default'], concurrency: 50, handlers });
 */
export function runWorker<Jobs extends JobTypes = AnyJobs, Client extends WorkerClient<Jobs> = DefaultWorkerClient<Jobs>>(
  workerOrOptions: Worker | WorkerOptions<Jobs, Client>,
  options: RunWorkerOptions = {},
): Promise<number> {
  const proc: WorkerProcess = options.process ?? process;
  const crashTimeoutMs = options.crashTimeoutMs ?? RUN_WORKER_DEFAULTS.crashTimeoutMs;
  const graceMs = options.graceMs ?? RUN_WORKER_DEFAULTS.graceMs;
  let worker: Worker;
  let logger: Logger;
  if ('subscribe' in workerOrOptions) {
    worker = workerOrOptions;
    logger = options.logger ?? ownLogger(worker) ?? streamLogger();
  } else {
    // The worker's events are logged here, once, with the signals' lines.
    const { logger: own, ...workerOptions } = workerOrOptions;
    worker = createWorker(workerOptions);
    logger = options.logger ?? own ?? streamLogger();
  }
  // A worker made with a logger logs its own events: only the signals' lines are left to log here.
  const logsEvents = ownLogger(worker) === undefined;
  const log = (line: string): void => {
    logger.info(line);
  };
  return new Promise<number>((resolve) => {
    let interrupts = 0;
    let limits = { shutdownTimeoutMs: 0, deliveryGraceMs: 0 };
    let hardExit: NodeJS.Timeout | undefined;
    let hardExitAt = Infinity;
    /** Exits after `afterMs` if the worker has not stopped by then (handlers ignoring their signal). */
    const exitBy = (afterMs: number): void => {
      const at = Date.now() + afterMs;
      if (at >= hardExitAt) return;
      hardExitAt = at;
      clearTimeout(hardExit);
      hardExit = setTimeout(() => {
        const stuck = worker.inFlight();
        logger.warn(`${stuck.length} handlers ignored their abort signal; exiting without them (their jobs were FAILed): ${stuck.map((j) => `${j.jid} ${j.jobtype} ${j.elapsedMs} ms`).join(', ')}`);
        proc.exit(1);
      }, afterMs);
      hardExit.unref();
    };
    const bound = (abortInMs: number): number => abortInMs + Math.max(graceMs, limits.deliveryGraceMs);
    const onTerm = (): void => {
      log('SIGTERM: stopping');
      worker.stop().subscribe();
      exitBy(bound(limits.shutdownTimeoutMs));
    };
    const onInt = (): void => {
      interrupts++;
      if (interrupts > 2) {
        // A forced stop still waits for the FETCHes already sent (their jobs must be FAILed, or
        // they stay reserved); the third Ctrl-C is for when even that is too long.
        logger.warn('SIGINT: exiting now; jobs in flight stay reserved until their reserve_for runs out');
        proc.exit(130);
        return;
      }
      log(interrupts === 1 ? 'SIGINT: stopping (again to force)' : 'SIGINT: forcing stop (again to exit at once)');
      worker.stop({ force: interrupts > 1 }).subscribe();
      exitBy(bound(interrupts > 1 ? 0 : limits.shutdownTimeoutMs));
    };
    const onTstp = (): void => {
      log('SIGTSTP: quiet');
      worker.quiet();
    };
    const onTtin = (): void => {
      const jobs = worker.inFlight();
      logger.info(`${jobs.length} jobs in flight`, { jobs });
      for (const job of jobs) logger.info(`  ${job.jid} ${job.jobtype} (${job.queue}) ${job.elapsedMs} ms`);
    };
    const onCrash = (error: unknown): void => {
      logger.error(`uncaught: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}; failing in-flight jobs`);
      const timer = setTimeout(() => proc.exit(1), crashTimeoutMs);
      worker.stop({ force: true }).subscribe({
        complete: () => {
          clearTimeout(timer);
          proc.exit(1);
        },
      });
    };
    const signals: [NodeJS.Signals, () => void][] = [
      ['SIGTERM', onTerm],
      ['SIGINT', onInt],
      ['SIGTSTP', onTstp],
      ['SIGTTIN', onTtin],
    ];
    for (const [name, fn] of signals) proc.on(name, fn);
    proc.on('uncaughtException', onCrash);
    proc.on('unhandledRejection', onCrash);
    let forced = false;
    const finish = (code: number): void => {
      clearTimeout(hardExit);
      for (const [name, fn] of signals) proc.off(name, fn);
      proc.off('uncaughtException', onCrash);
      proc.off('unhandledRejection', onCrash);
      proc.exitCode = code;
      resolve(code);
    };
    worker.subscribe({
      next: (event) => {
        if (event.type === 'started') limits = event;
        if (event.type === 'stateChanged' && event.to === 'terminating' && event.cause === 'beat') exitBy(bound(limits.shutdownTimeoutMs));
        if (event.type === 'stopped') forced = event.forced;
        const line = logsEvents ? workerLogRecord(event) : undefined;
        if (line !== undefined) {
          safely(() => {
            logger[line.level](line.message, line.fields);
          });
        }
      },
      error: (error: unknown) => {
        logger.error(`worker failed: ${error instanceof Error ? error.message : String(error)}`);
        finish(1);
      },
      complete: () => {
        finish(forced ? (interrupts > 1 ? 130 : 1) : 0);
      },
    });
  });
}
