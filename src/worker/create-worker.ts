import { Observable, forkJoin, map, of } from 'rxjs';
import type { AnyJobs, JobTypes, WorkerClient } from '../streams/types.js';
import { type DefaultWorkerClient, defaultClientFactory } from './default-clients.js';
import type { WorkerEvent, WorkerLifecycleState } from './events.js';
import { WorkerClients } from './worker-clients.js';
import { type WorkerClientFactory, type WorkerOptions, resolveWorkerOptions } from './worker-options.js';
import { type InFlightJob, WorkerRun } from './worker-run.js';

/** Options of {@link Worker.stop}. */
export interface StopOptions {
  /** Abort running jobs now and FAIL them, instead of waiting up to `shutdownTimeoutMs`. @defaultValue false */
  readonly force?: boolean;
}

/**
 * A worker: an Observable of {@link WorkerEvent}s. Subscribing starts it (clients, fetching,
 * heartbeat); it completes once stopped, after a final `stopped` event, and errors only on a
 * fatal error (auth failure, client closed under it), after FAILing what it could.
 * Unsubscribing is a forceful stop: running jobs are aborted and FAILed, then the clients close.
 * Each subscription is a separate run with its own connections.
 */
export interface Worker extends Observable<WorkerEvent> {
  /** The worker id every connection presents. */
  readonly wid: string;
  /** The state of the latest run (`running` before any subscription). */
  readonly state: WorkerLifecycleState;
  /** Stop fetching, finish running jobs, keep beating (idempotent). */
  quiet(): void;
  /**
   * Stop: no more fetching; wait up to `shutdownTimeoutMs` for running jobs, then abort and FAIL
   * them; close the clients. Idempotent; starts at once. Returns an Observable that emits once
   * and completes when every run has stopped (at once when none is running).
   */
  stop(options?: StopOptions): Observable<void>;
  /** The jobs being run now, with elapsed time. */
  inFlight(): InFlightJob[];
}

/**
 * Creates a worker: `fetch$` (demand-driven: a FETCH is sent only when a slot is free, so no
 * reserved job waits in a buffer) -> handlers under `concurrency` -> ACK or FAIL (retried on
 * lost connections until the reservation would expire), merged with a heartbeat whose replies
 * drive the lifecycle. Cold: nothing connects before subscription. Never touches `process`
 * (see `runWorker` for signals and exit codes).
 *
 * Connections: `fetchers + 1` for the main pool (`fetchers` for FETCH, each with up to
 * `fetchDepth` FETCHes pipelined; one for ACK/FAIL/PUSH) and one for BEAT: at most 6 sockets
 * with the defaults, whatever the concurrency.
 *
 * @example
 * type Jobs = { SendEmail: [to: string, templateId: number] };
 * const worker = createWorker<Jobs>({
 *   connection: { url: 'tcp://localhost:7419' },
 *   queues: ['critical', 'default'],
 *   concurrency: 50,
 *   handlers: {
 *     SendEmail: async ([to, templateId], { signal }) => { await send(to, templateId, { signal }); },
 *   },
 * });
 * const subscription = worker.subscribe((event) => console.log(event.type));
 * // later: worker.stop().subscribe(() => console.log('stopped'));
 */
export function createWorker<Jobs extends JobTypes = AnyJobs, Client extends WorkerClient<Jobs> = DefaultWorkerClient<Jobs>>(
  options: WorkerOptions<Jobs, Client>,
): Worker {
  const resolved = resolveWorkerOptions(options);
  const factory: WorkerClientFactory<Jobs, Client> | undefined =
    options.clientFactory ??
    (options.client === undefined
      ? (defaultClientFactory<Jobs>(options.connection ?? {}) as unknown as WorkerClientFactory<Jobs, Client>)
      : undefined);
  const runs = new Set<WorkerRun<Jobs, Client>>();
  let latest: WorkerRun<Jobs, Client> | undefined;
  const worker$ = new Observable<WorkerEvent>((subscriber) => {
    const clients = new WorkerClients<Jobs, Client>({
      client: options.client,
      beatClient: options.beatClient,
      factory,
      identity: resolved.identity,
      fetchers: resolved.fetchers,
      fetchDepth: resolved.fetchDepth,
    });
    const run = new WorkerRun(resolved, clients);
    runs.add(run);
    latest = run;
    const forward = run.events$.subscribe(subscriber);
    const cleanup = run.stopped$.subscribe(() => runs.delete(run));
    run.start();
    return () => {
      forward.unsubscribe();
      if (run.state !== 'stopped') {
        // The consumer left: stop forcefully; the run finishes its FAILs and closes on its own.
        run.force('unsubscribe');
      } else {
        cleanup.unsubscribe();
      }
    };
  });
  const methods = {
    wid: resolved.identity.wid,
    get state(): WorkerLifecycleState {
      return latest?.state ?? 'running';
    },
    quiet(): void {
      for (const run of runs) run.quiet('quiet');
    },
    stop(stopOptions: StopOptions = {}): Observable<void> {
      const force = stopOptions.force ?? false;
      const done = [...runs].map((run) => {
        if (force) run.force('stop');
        else run.stop('stop');
        return run.stopped$;
      });
      return done.length === 0 ? of(undefined) : forkJoin(done).pipe(map(() => undefined));
    },
    inFlight(): InFlightJob[] {
      return [...runs].flatMap((run) => run.inFlight());
    },
  };
  return Object.defineProperties(worker$, Object.getOwnPropertyDescriptors(methods)) as Worker;
}
