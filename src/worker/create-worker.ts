import debug from 'debug';
import {
  EMPTY, NEVER, type Observable, Subject, catchError, concat, defer, endWith, filter, ignoreElements, map, merge, mergeMap, of, scan,
  identity, share, takeUntil, tap, throwError, timer,
} from 'rxjs';
import { ClosedError, HandshakeError, InvalidArgumentError } from '../errors.js';
import type { AnyJobs, BeatState, JobTypes, WorkerClient } from '../streams/types.js';
import type { PoolEvent } from '../transport/types.js';
import { type DefaultWorkerClient, defaultClientFactory } from './default-clients.js';
import type {
  JobFailedEvent, JobReleasedEvent, StateChangeCause, UndeliveredCommand, WorkerClientRole, WorkerEvent, WorkerLifecycleState,
} from './events.js';
import { fetchOnDemand } from './fetch-on-demand.js';
import { heartbeat } from './heartbeat.js';
import { type DemandFeedback, jobDemand } from './job-demand.js';
import { Lifecycle } from './lifecycle.js';
import { queueOrder } from './queue-order.js';
import { runJobs } from './run-jobs.js';
import { settleJobs } from './settle-jobs.js';
import { stallWarnings } from './stall-monitor.js';
import { WorkerClients } from './worker-clients.js';
import { canMutate, discardUnrecoverable } from './discard-unrecoverable.js';
import { QueueLimits } from './queue-limits.js';
import { type WorkerHealth, workerHealth } from './worker-health.js';
import { workerLogRecord } from './worker-log.js';
import { WorkerMetrics, type WorkerMetricsSnapshot } from './worker-metrics.js';
import { type ResolvedWorkerOptions, type WorkerClientFactory, type WorkerOptions, resolveWorkerOptions } from './worker-options.js';

const log = debug('faktory-rx:worker');

/** Where a worker made with a `logger` keeps it, so that `runWorker` does not log its events again. @internal */
export const WORKER_LOGGER: unique symbol = Symbol('faktory-rx.workerLogger');

/** Options of {@link Worker.stop}. */
export interface StopOptions {
  /** Abort running jobs now and FAIL them, instead of waiting up to `shutdownTimeoutMs`. @defaultValue false */
  readonly force?: boolean;
}

/** A job whose handler is running, as `Worker.inFlight()` reports it. */
export interface InFlightJob {
  readonly jid: string;
  readonly jobtype: string;
  readonly queue: string;
  /** When it was fetched, on the worker's scheduler clock (ms). */
  readonly startedAtMs: number;
  /** How long it has been running, in milliseconds. */
  readonly elapsedMs: number;
}

/**
 * A worker: an Observable of {@link WorkerEvent}s. A worker runs once: the first subscription
 * starts the run (clients, fetching, heartbeat) and every subscriber, then or later, sees that
 * same run's events from when it subscribed (`runWorker` and your own `worker.pipe(...)` share
 * it). The run ends on `stop()`, on a BEAT reply `terminate`, on a fatal error, or when the last
 * subscriber unsubscribes, which is a forceful stop (running jobs are aborted and FAILed, then
 * the clients close, with nobody listening). It completes after a final `stopped` event, and
 * errors only on a fatal error (auth failure, client closed under it) after stopping. A
 * subscription after the run ended completes at once (or errors with the run's error).
 */
export interface Worker extends Observable<WorkerEvent> {
  /** The worker id every connection presents. */
  readonly wid: string;
  /** The state of the run (`running` before it starts). */
  readonly state: WorkerLifecycleState;
  /** Stop fetching, finish running jobs, keep beating (idempotent). */
  quiet(): void;
  /**
   * Stop: no more fetching; wait up to `shutdownTimeoutMs` for running jobs, then abort and FAIL
   * them; deliver the ACK/FAILs (given up `deliveryGraceMs` later if the server is unreachable);
   * close the clients. Idempotent; starts at once. Returns an Observable that emits once and
   * completes when the run has stopped (at once when it is not running).
   */
  stop(options?: StopOptions): Observable<void>;
  /** The jobs whose handlers are running now, with elapsed time. */
  inFlight(): InFlightJob[];
  /** The worker's numbers now: jobs by jobtype and outcome, durations, connections, BEATs (see {@link WorkerMetrics}). */
  metrics(): WorkerMetricsSnapshot;
  /**
   * The metrics as a stream: a snapshot at once, then one every `everyMs` on the worker's
   * scheduler. Never completes on its own; it does not start the worker.
   *
   * @example
   * worker.metricsEvery(10_000).subscribe((m) => statsd.gauge('jobs.in_flight', m.inFlight));
   */
  metricsEvery(everyMs: number): Observable<WorkerMetricsSnapshot>;
  /** Ready (connected, a BEAT accepted within two intervals) and live (no long event-loop stall), with the reasons if not. */
  health(): WorkerHealth;
}

function isFatal(error: unknown): boolean {
  return error instanceof ClosedError || error instanceof HandshakeError;
}

/** Pipeline events that stay inside the worker. */
function isPublicEvent(event: { readonly type: string }): event is WorkerEvent {
  return event.type !== 'released' && event.type !== 'handled';
}

/**
 * Creates a worker, composed of the public operators: a demand for jobs ({@link jobDemand}: one
 * per free slot) -> {@link fetchOnDemand} (a FETCH per demand, never a job in a buffer) ->
 * {@link runJobs} (handlers under `concurrency`, with middleware, time limits and abort) ->
 * {@link settleJobs} (ACK or FAIL, retried across reconnects, one path), whose events feed the
 * demand; merged with a heartbeat (`BEAT` through `exhaustMap`) whose replies drive the
 * lifecycle. Cold: nothing connects before subscription; one run per worker (see
 * {@link Worker}). Never touches `process` (see `runWorker` for signals and exit codes).
 *
 * Connections: `fetchers + 1` for the main pool (one FETCH outstanding on each of `fetchers`;
 * one for ACK/FAIL/PUSH) and one for BEAT: at most 8 sockets with the defaults, whatever the
 * concurrency.
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
  const o = resolveWorkerOptions(options);
  const factory: WorkerClientFactory<Jobs, Client> | undefined =
    options.clientFactory ??
    (options.client === undefined
      ? (defaultClientFactory<Jobs>(options.connection ?? {}) as unknown as WorkerClientFactory<Jobs, Client>)
      : undefined);
  let run: Run | undefined;
  const metrics = new WorkerMetrics(() => o.scheduler.now());
  const { logger } = o;
  const observe = (event: WorkerEvent): void => {
    metrics.record(event);
    if (logger === undefined && !log.enabled) return;
    const line = workerLogRecord(event);
    if (line === undefined) return;
    if (log.enabled) log('%s %s', line.level, line.message);
    try {
      logger?.[line.level](line.message, line.fields);
    } catch (error) {
      // A logger's failure is not the worker's: it goes on, and says so where it can.
      log('the logger threw: %O', error);
    }
  };
  const worker$ = defer(() => {
    const clients = new WorkerClients<Jobs, Client>({
      client: options.client, beatClient: options.beatClient, factory, identity: o.identity, fetchers: o.fetchers, fetchDepth: o.fetchDepth,
    });
    run = workerRun(o, clients);
    return run.events$;
  }).pipe(
    tap(observe),
    share({
      resetOnError: false,
      resetOnComplete: false,
      // The last subscriber left: stop forcefully, and let the run finish its FAILs on its own.
      resetOnRefCountZero: () => {
        run?.lifecycle.force('unsubscribe', 'the worker was stopped forcefully');
        return NEVER;
      },
    }),
  );
  const methods = {
    wid: o.identity.wid,
    get state(): WorkerLifecycleState {
      return run?.lifecycle.state ?? 'running';
    },
    quiet(): void {
      run?.lifecycle.quiet('quiet');
    },
    stop(stopOptions: StopOptions = {}): Observable<void> {
      if (run === undefined) return of(undefined);
      if (stopOptions.force === true) run.lifecycle.force('stop', 'the worker was stopped forcefully');
      else run.lifecycle.stop('stop');
      return run.lifecycle.stopped$;
    },
    metrics: () => metrics.snapshot(),
    metricsEvery: (everyMs: number): Observable<WorkerMetricsSnapshot> => {
      if (!(everyMs > 0)) throw new InvalidArgumentError(`must be a number of milliseconds > 0, got ${String(everyMs)}`, { argument: 'everyMs' });
      return timer(0, everyMs, o.scheduler).pipe(map(() => metrics.snapshot()));
    },
    health: () => workerHealth(metrics.snapshot(), { beatIntervalMs: o.beatIntervalMs }),
    inFlight(): InFlightJob[] {
      const now = o.scheduler.now();
      return [...(run?.running.values() ?? [])].map((job) => ({ ...job, elapsedMs: now - job.startedAtMs }));
    },
  };
  const own = logger === undefined ? {} : { [WORKER_LOGGER]: { value: logger } };
  return Object.defineProperties(worker$, { ...Object.getOwnPropertyDescriptors(methods), ...own }) as Worker;
}

interface Run {
  readonly lifecycle: Lifecycle;
  readonly running: ReadonlyMap<string, Omit<InFlightJob, 'elapsedMs'>>;
  readonly events$: Observable<WorkerEvent>;
}

/** One run of a worker: the pipeline, the heartbeat and the lifecycle, from start to `stopped`. */
function workerRun<Jobs extends JobTypes, Client extends WorkerClient<Jobs>>(o: ResolvedWorkerOptions<Jobs, Client>, clients: WorkerClients<Jobs, Client>): Run {
  const { scheduler, retryDelayMs } = o;
  const lifecycle = new Lifecycle(o);
  const running = new Map<string, Omit<InFlightJob, 'elapsedMs'>>();
  const undelivered: UndeliveredCommand[] = [];
  let abortedJobs = 0;
  let fatal: { error: unknown } | undefined;
  // The private bridge that closes the loop: settled jobs free slots, which ask for more jobs.
  const feedback$ = new Subject<DemandFeedback>();

  // Demand stops when the run leaves `running`: no FETCH after that, the rest of the pipeline drains.
  const demand$ = feedback$.pipe(jobDemand(o.concurrency, o.fetchers), takeUntil(lifecycle.leftRunning$));
  const limits = o.queueLimits.size === 0 ? undefined : new QueueLimits(o.queueLimits);
  const fetchClient = limits === undefined ? clients.main : limits.limit(clients.main, lifecycle.leftRunning$);
  const pipeline$ = demand$.pipe(
    fetchOnDemand(fetchClient, {
      queues: queueOrder(o.queues, o.random), maxOutstanding: o.fetchers * o.fetchDepth, retryDelayMs, scheduler, isFatal,
      abandon$: lifecycle.giveUp$,
    }),
    runJobs({ ...o, client: clients.main, wid: o.identity.wid, abort$: lifecycle.abort$ }),
    settleJobs(clients.main, { retryDelayMs, scheduler, giveUp$: lifecycle.giveUp$ }),
    canMutate(clients.main) ? discardUnrecoverable(clients.main, lifecycle.giveUp$) : identity,
    tap((event) => {
      track(event);
      feedback$.next(event);
    }),
    filter(isPublicEvent),
    catchError((error: unknown) => {
      fatal = { error };
      lifecycle.force('fatal', 'the worker failed');
      return EMPTY;
    }),
  );
  // A quiet worker has no jobs left to run but keeps beating: the work ends with the stop.
  const jobs$ = concat(pipeline$, lifecycle.stopping$).pipe(share());

  // The queues of the jobs a limit counts, by jid, one entry per fetch: the same jid may be
  // fetched again (its reservation ran out) while its first run still holds a slot.
  const limitedQueues = new Map<string, string[]>();
  function track(event: { readonly type: string }): void {
    if (event.type === 'fetched') {
      const { jid, jobtype, queue, atMs } = event as Extract<WorkerEvent, { type: 'fetched' }>;
      running.set(jid, { jid, jobtype, queue, startedAtMs: atMs });
      if (limits !== undefined) limitedQueues.set(jid, [...(limitedQueues.get(jid) ?? []), queue]);
    } else if (event.type === 'released') {
      const { jid } = event as JobReleasedEvent;
      const queues = limitedQueues.get(jid);
      const queue = queues?.shift();
      if (queue !== undefined) limits?.released(queue);
      if (queues?.length === 0) limitedQueues.delete(jid);
      running.delete(jid);
    } else if (event.type === 'failed') {
      if ((event as JobFailedEvent).reason === 'shutdown') abortedJobs++;
    } else if (event.type === 'deliveryLost') {
      const { command, jid, jobtype, reason } = event as Extract<WorkerEvent, { type: 'deliveryLost' }>;
      if (reason === 'stopped') undelivered.push({ command, jid, jobtype });
    }
  }

  const currentState = (): BeatState | undefined => {
    const state = lifecycle.state;
    return state === 'quiet' ? 'quiet' : state === 'running' ? undefined : 'terminate';
  };
  const beat$ = heartbeat({
    wid: o.identity.wid, intervalMs: o.beatIntervalMs, scheduler, rssKb: o.rssKb, currentState,
    beat: (beatOptions) => clients.beat.beat(beatOptions),
    reregister: () => {
      clients.renewBeat();
    },
  }).pipe(
    // The reply, then the state change it asks for.
    mergeMap((event) =>
      concat(
        of(event),
        defer(() => {
          if (event.type === 'heartbeat' && event.reply === 'quiet') lifecycle.quiet('beat');
          if (event.type === 'heartbeat' && event.reply === 'terminate') lifecycle.stop('beat');
          return EMPTY;
        }),
      ),
    ),
  );
  const side$ = merge(
    lifecycle.changes$,
    beat$,
    connectionEvents(clients),
    lifecycle.deadlines$,
    o.stallWarningMs === false ? EMPTY : stallWarnings(o.stallCheckIntervalMs, o.stallWarningMs, scheduler),
  ).pipe(takeUntil(jobs$.pipe(ignoreElements(), endWith(true))));

  const started: WorkerEvent = {
    type: 'started', wid: o.identity.wid, concurrency: o.concurrency, fetchers: o.fetchers, fetchDepth: o.fetchDepth,
    shutdownTimeoutMs: o.shutdownTimeoutMs, deliveryGraceMs: o.deliveryGraceMs,
  };
  const events$ = concat(
    of(started),
    merge(jobs$, side$),
    defer((): Observable<WorkerEvent> => (undelivered.length === 0 ? EMPTY : of({ type: 'undelivered', commands: [...undelivered] }))),
    defer(() => clients.close(lifecycle.forced || lifecycle.gaveUp || fatal !== undefined, o.deliveryGraceMs, scheduler)).pipe(ignoreElements()),
    defer(() => {
      const cause: StateChangeCause = fatal === undefined ? (lifecycle.forced ? 'unsubscribe' : 'stop') : 'fatal';
      return of<WorkerEvent[]>(lifecycle.stopped(cause), { type: 'stopped', forced: lifecycle.forced, abortedJobs });
    }),
    defer(() => {
      if (fatal === undefined) return EMPTY;
      const error = fatal.error;
      return throwError(() => (error instanceof Error ? error : new ClosedError('the worker failed', { cause: error })));
    }),
  );
  return { lifecycle, running, events$ };
}

/** `connectionLost` / `connectionRestored` from the clients' pool events. */
function connectionEvents<Jobs extends JobTypes, Client extends WorkerClient<Jobs>>(clients: WorkerClients<Jobs, Client>): Observable<WorkerEvent> {
  const watch = (client: WorkerClient<Jobs>, role: WorkerClientRole): Observable<WorkerEvent> =>
    client.events$.pipe(
      scan<PoolEvent, { lost: boolean; event?: WorkerEvent }>((acc, e) => {
        if (e.type === 'disconnected' && !acc.lost) return { lost: true, event: { type: 'connectionLost', client: role, error: e.error } };
        // A connect that failed (also the very first) makes the next connection a restoration.
        if (e.type === 'reconnecting') return { lost: true };
        if (e.type === 'connected' && acc.lost) return { lost: false, event: { type: 'connectionRestored', client: role } };
        return { lost: acc.lost };
      }, { lost: false }),
      mergeMap((acc) => (acc.event === undefined ? EMPTY : of(acc.event))),
    );
  const failures = (client: WorkerClient<Jobs>, role: WorkerClientRole): Observable<WorkerEvent> =>
    client.events$.pipe(
      filter((e): e is Extract<PoolEvent, { type: 'reconnecting' }> => e.type === 'reconnecting'),
      map((e): WorkerEvent => ({ type: 'connectionFailed', client: role, attempt: e.attempt, delayMs: e.delayMs, error: e.error })),
    );
  const both = (client: WorkerClient<Jobs>, role: WorkerClientRole): Observable<WorkerEvent> => merge(watch(client, role), failures(client, role));
  return clients.separateBeat ? merge(both(clients.main, 'main'), both(clients.beat, 'beat')) : both(clients.main, 'main');
}
