import type { AnyJobs, JobTypes, WorkerClient } from '../streams/types.js';
import type { DefaultWorkerClient } from './default-clients.js';
import { type Worker, createWorker } from './create-worker.js';
import type { WorkerEvent } from './events.js';
import type { WorkerOptions } from './worker-options.js';

/** The part of `process` that {@link runWorker} uses (replaceable in tests). */
export type WorkerProcess = Pick<NodeJS.Process, 'on' | 'off' | 'exit'> & { exitCode?: NodeJS.Process['exitCode'] };

/** Options of {@link runWorker}. */
export interface RunWorkerOptions {
  /** Where lifecycle lines go. @defaultValue a line to `process.stderr` */
  readonly log?: (line: string) => void;
  /** The process to wire. @defaultValue `process` */
  readonly process?: WorkerProcess;
  /** How long to wait for in-flight jobs to be FAILed after an uncaught exception before exiting, in milliseconds. @defaultValue 5_000 */
  readonly crashTimeoutMs?: number;
}

function describe(event: WorkerEvent): string | undefined {
  switch (event.type) {
    case 'started':
      return `worker ${event.wid} started: concurrency ${event.concurrency}, ${event.fetchers} FETCH sockets (${event.fetchDepth} pipelined each)`;
    case 'stateChanged':
      return `worker ${event.from} -> ${event.to} (${event.cause})`;
    case 'failed':
      return `job ${event.jid} (${event.jobtype}) failed: ${event.reason} ${event.error instanceof Error ? `${event.error.name}: ${event.error.message}` : String(event.error)}`;
    case 'deliveryLost':
      return `${event.command} of job ${event.jid} lost (${event.reason})`;
    case 'stallWarning':
      return `event loop blocked for ${event.blockedMs} ms`;
    case 'connectionLost':
      return `${event.client} connection lost: ${event.error.message}`;
    case 'connectionRestored':
      return `${event.client} connection restored`;
    case 'reregistered':
      return `worker ${event.wid} registered again`;
    case 'stopped':
      return `worker stopped${event.forced ? ' (forced)' : ''}; ${event.abortedJobs} jobs FAILed on shutdown`;
    case 'fetched':
    case 'succeeded':
    case 'ackRetried':
    case 'failRetried':
    case 'fetchRetried':
    case 'heartbeat':
    case 'heartbeatFailed':
      return undefined;
  }
}

/**
 * Runs a worker as the process's main job (the opt-in "run as a process" helper; the worker
 * itself never touches `process`): subscribes, and wires signals: `SIGTERM`/`SIGINT` stop
 * gracefully (a second `SIGINT` forces, a third exits with code 130 at once), `SIGTSTP` quiets, `SIGTTIN` prints the in-flight jobs
 * with elapsed time. An uncaught exception or unhandled rejection FAILs the in-flight jobs
 * (forced stop, bounded by `crashTimeoutMs`), then exits with code 1. Resolves with the exit
 * code (0 after a clean stop, 1 when the worker errored) and sets `process.exitCode`; listeners
 * are removed when it resolves.
 *
 * @example
 * await runWorker({ queues: ['critical', 'default'], concurrency: 50, handlers });
 */
export function runWorker<Jobs extends JobTypes = AnyJobs, Client extends WorkerClient<Jobs> = DefaultWorkerClient<Jobs>>(
  workerOrOptions: Worker | WorkerOptions<Jobs, Client>,
  options: RunWorkerOptions = {},
): Promise<number> {
  const proc: WorkerProcess = options.process ?? process;
  const log = options.log ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const crashTimeoutMs = options.crashTimeoutMs ?? 5_000;
  const worker: Worker = 'subscribe' in workerOrOptions ? workerOrOptions : createWorker(workerOrOptions);
  return new Promise<number>((resolve) => {
    let interrupts = 0;
    const onTerm = (): void => {
      log('SIGTERM: stopping');
      worker.stop().subscribe();
    };
    const onInt = (): void => {
      interrupts++;
      if (interrupts > 2) {
        // A forced stop still waits for the FETCHes already sent (their jobs must be FAILed, or
        // they stay reserved); the third Ctrl-C is for when even that is too long.
        log('SIGINT: exiting now; jobs in flight stay reserved until their reserve_for runs out');
        proc.exit(130);
        return;
      }
      log(interrupts === 1 ? 'SIGINT: stopping (again to force)' : 'SIGINT: forcing stop (again to exit at once)');
      worker.stop({ force: interrupts > 1 }).subscribe();
    };
    const onTstp = (): void => {
      log('SIGTSTP: quiet');
      worker.quiet();
    };
    const onTtin = (): void => {
      const jobs = worker.inFlight();
      log(`${jobs.length} jobs in flight`);
      for (const job of jobs) log(`  ${job.jid} ${job.jobtype} (${job.queue}) ${job.elapsedMs} ms`);
    };
    const onCrash = (error: unknown): void => {
      log(`uncaught: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}; failing in-flight jobs`);
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
    const finish = (code: number): void => {
      for (const [name, fn] of signals) proc.off(name, fn);
      proc.off('uncaughtException', onCrash);
      proc.off('unhandledRejection', onCrash);
      proc.exitCode = code;
      resolve(code);
    };
    worker.subscribe({
      next: (event) => {
        const line = describe(event);
        if (line !== undefined) log(line);
      },
      error: (error: unknown) => {
        log(`worker failed: ${error instanceof Error ? error.message : String(error)}`);
        finish(1);
      },
      complete: () => {
        finish(0);
      },
    });
  });
}
