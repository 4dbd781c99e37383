import {
  BehaviorSubject, EMPTY, type Observable, Subject, concat, defer, endWith, filter, finalize,
  first, ignoreElements, map, merge, mergeMap, of, scan, share, switchMap, takeUntil, tap,
  throwError, timer,
} from 'rxjs';
import { ClosedError, HandshakeError } from '../errors.js';
import type { JobTypes, WorkerClient, BeatState } from '../streams/types.js';
import type { PoolEvent } from '../transport/types.js';
import type {
  StateChangeCause, StateChangedEvent, WorkerClientRole, WorkerEvent, WorkerLifecycleState,
} from './events.js';
import { FetchPermits } from './fetch-permits.js';
import { heartbeat } from './heartbeat.js';
import { JobDeadlines } from './job-deadlines.js';
import { WorkerShutdownError } from './job-errors.js';
import { type RunningJob, type SlotHost, jobSlot } from './job-slot.js';
import { queueOrder } from './queue-order.js';
import { SendBatch } from './send-batch.js';
import { stallWarnings } from './stall-monitor.js';
import type { WorkerClients } from './worker-clients.js';
import type { ResolvedWorkerOptions } from './worker-options.js';

/** A job whose handler is running, as `Worker.inFlight()` reports it (its ACK/FAIL, sent once the handler is done, is not counted). */
export interface InFlightJob {
  readonly jid: string;
  readonly jobtype: string;
  readonly queue: string;
  /** When it was fetched, on the worker's scheduler clock (ms). */
  readonly startedAtMs: number;
  /** How long it has been running, in milliseconds. */
  readonly elapsedMs: number;
}

interface StateRecord {
  readonly state: WorkerLifecycleState;
  readonly change?: StateChangedEvent;
}

const ORDER: Readonly<Record<WorkerLifecycleState, number>> = { running: 0, quiet: 1, terminating: 2, stopped: 3 };

function isFatal(error: unknown): boolean {
  return error instanceof ClosedError || error instanceof HandshakeError;
}

/**
 * One run of a worker, from subscription to stop. It runs on a subscription of its own so that
 * a forceful stop (the consumer unsubscribing) can still FAIL unfinished jobs and close the
 * clients after the consumer has gone; `events$` bridges its events to the consumer.
 * @internal
 */
export class WorkerRun<Jobs extends JobTypes, Client extends WorkerClient<Jobs>> {
  readonly #o: ResolvedWorkerOptions<Jobs, Client>;
  readonly #clients: WorkerClients<Jobs, Client>;
  readonly #state$ = new BehaviorSubject<StateRecord>({ state: 'running' });
  readonly #events$ = new Subject<WorkerEvent>();
  readonly #running = new Map<string, RunningJob>();
  #abortReason: string | undefined;
  #forced = false;
  #forceDeadlineMs = Infinity;
  #abortedJobs = 0;
  #fatal: { error: unknown } | undefined;
  #started = false;

  constructor(options: ResolvedWorkerOptions<Jobs, Client>, clients: WorkerClients<Jobs, Client>) {
    this.#o = options;
    this.#clients = clients;
  }

  /** The run's events; completes after `stopped`, errors after `stopped` on a fatal error. */
  get events$(): Observable<WorkerEvent> {
    return this.#events$.asObservable();
  }

  /** The current state. */
  get state(): WorkerLifecycleState {
    return this.#state$.value.state;
  }

  /** Emits once and completes when the run has stopped. */
  readonly stopped$: Observable<void> = defer(() => this.#state$).pipe(
    first((s) => s.state === 'stopped'),
    map(() => undefined),
  );

  /** Starts the pipeline (once). */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#pipeline().subscribe(this.#events$);
  }

  /** Stop fetching; finish running jobs; keep beating. */
  quiet(cause: StateChangeCause): void {
    this.#moveTo('quiet', cause);
  }

  /** Graceful stop: no more fetching; wait up to `shutdownTimeoutMs` for running jobs, then abort and FAIL them. */
  stop(cause: StateChangeCause): void {
    this.#moveTo('terminating', cause);
  }

  /** Forceful stop: abort running jobs now, FAIL them, close the clients. */
  force(cause: StateChangeCause): void {
    if (this.state === 'stopped' || this.#forced) return;
    this.#forced = true;
    this.#forceDeadlineMs = this.#o.scheduler.now() + this.#o.shutdownTimeoutMs;
    this.#moveTo('terminating', cause);
    this.#abortAll('the worker was stopped forcefully');
  }

  /** The jobs in flight, oldest first. */
  inFlight(): InFlightJob[] {
    const now = this.#o.scheduler.now();
    return [...this.#running.values()].map(({ jid, jobtype, queue, startedAtMs }) => ({ jid, jobtype, queue, startedAtMs, elapsedMs: now - startedAtMs }));
  }

  #moveTo(to: WorkerLifecycleState, cause: StateChangeCause): void {
    const from = this.state;
    if (ORDER[to] <= ORDER[from]) return;
    this.#state$.next({ state: to, change: { type: 'stateChanged', from, to, cause } });
  }

  #abortAll(message: string): void {
    this.#abortReason ??= message;
    for (const job of [...this.#running.values()]) job.execution.abort(new WorkerShutdownError(job.jid, message));
  }

  #pipeline(): Observable<WorkerEvent> {
    const o = this.#o;
    const work$ = concat(
      this.#slots(),
      this.#state$.pipe(first((s) => ORDER[s.state] >= ORDER.terminating), ignoreElements()),
    ).pipe(share({ resetOnComplete: false, resetOnError: false, resetOnRefCountZero: false }));
    const workDone$ = work$.pipe(ignoreElements(), endWith(true));
    const side$ = merge(
      this.#state$.pipe(map((s) => s.change), filter((c): c is StateChangedEvent => c !== undefined)),
      this.#heartbeats(),
      this.#connectionEvents(),
      this.#state$.pipe(
        first((s) => s.state === 'terminating'),
        switchMap(() => timer(o.shutdownTimeoutMs, o.scheduler)),
        tap(() => {
          this.#abortAll(`the shutdown timeout of ${o.shutdownTimeoutMs} ms expired`);
        }),
        ignoreElements(),
      ),
      o.stallWarningMs === false ? EMPTY : stallWarnings(o.stallCheckIntervalMs, o.stallWarningMs, o.scheduler),
    ).pipe(takeUntil(workDone$));
    const started: WorkerEvent = { type: 'started', wid: o.identity.wid, concurrency: o.concurrency, fetchers: o.fetchers, fetchDepth: o.fetchDepth };
    return concat(
      of(started),
      merge(work$, side$),
      defer(() => this.#clients.close(this.#forced)).pipe(ignoreElements()),
      defer(() => {
        const from = this.state;
        const cause: StateChangeCause = this.#fatal === undefined ? (this.#forced ? 'unsubscribe' : 'stop') : 'fatal';
        const change: StateChangedEvent = { type: 'stateChanged', from, to: 'stopped', cause };
        this.#state$.next({ state: 'stopped', change });
        const stopped: WorkerEvent = { type: 'stopped', forced: this.#forced, abortedJobs: this.#abortedJobs };
        return of(change, stopped);
      }),
      defer(() => {
        const fatal = this.#fatal?.error;
        if (fatal === undefined) return EMPTY;
        return throwError(() => (fatal instanceof Error ? fatal : new ClosedError('the worker failed', { cause: fatal })));
      }),
    );
  }

  /** `concurrency` slots (see {@link jobSlot}) sharing the FETCH permits (see {@link FetchPermits}), one job-timeout timer and one ACK/FAIL batch. */
  #slots(): Observable<WorkerEvent> {
    const o = this.#o;
    const deadlines = new JobDeadlines(o.scheduler);
    const batch = new SendBatch(o.scheduler);
    const host: SlotHost<Jobs, Client> = {
      options: o,
      client: this.#clients.main,
      permits: new FetchPermits(o.fetchers * o.fetchDepth),
      deadlines,
      batch,
      order: queueOrder(o.queues, o.random),
      isRunning: () => this.state === 'running',
      fatal: (error) => {
        if (!isFatal(error)) return false;
        this.#fatal ??= { error };
        this.force('fatal');
        return true;
      },
      register: (job) => {
        this.#running.set(job.jid, job);
        if (this.#abortReason !== undefined) job.execution.abort(new WorkerShutdownError(job.jid, this.#abortReason));
      },
      unregister: (job) => {
        if (this.#running.get(job.jid) === job) this.#running.delete(job.jid);
      },
      countAborted: () => {
        this.#abortedJobs++;
      },
      forceDeadlineMs: () => this.#forceDeadlineMs,
    };
    return merge(...Array.from({ length: o.concurrency }, () => jobSlot(host))).pipe(
      finalize(() => {
        deadlines.close();
        batch.close();
      }),
    );
  }

  #currentState(): BeatState | undefined {
    const state = this.state;
    return state === 'quiet' ? 'quiet' : state === 'running' ? undefined : 'terminate';
  }

  #heartbeats(): Observable<WorkerEvent> {
    const o = this.#o;
    return heartbeat({
      wid: o.identity.wid,
      intervalMs: o.beatIntervalMs,
      scheduler: o.scheduler,
      beat: (options) => this.#clients.beat.beat(options),
      reregister: () => {
        this.#clients.renewBeat();
      },
      currentState: () => this.#currentState(),
      rssKb: o.rssKb,
    }).pipe(
      mergeMap((event) =>
        concat(
          of(event),
          defer(() => {
            if (event.type === 'heartbeat' && event.reply === 'quiet') this.quiet('beat');
            if (event.type === 'heartbeat' && event.reply === 'terminate') this.#moveTo('terminating', 'beat');
            return EMPTY;
          }),
        ),
      ),
    );
  }

  #connectionEvents(): Observable<WorkerEvent> {
    const watch = (client: WorkerClient<Jobs>, role: WorkerClientRole): Observable<WorkerEvent> =>
      client.events$.pipe(
        scan<PoolEvent, { lost: boolean; event?: WorkerEvent }>((acc, e) => {
          if (e.type === 'disconnected' && !acc.lost) return { lost: true, event: { type: 'connectionLost', client: role, error: e.error } };
          if (e.type === 'connected' && acc.lost) return { lost: false, event: { type: 'connectionRestored', client: role } };
          return { lost: acc.lost };
        }, { lost: false }),
        map((acc) => acc.event),
        filter((e): e is WorkerEvent => e !== undefined),
      );
    return this.#clients.separateBeat ? merge(watch(this.#clients.main, 'main'), watch(this.#clients.beat, 'beat')) : watch(this.#clients.main, 'main');
  }
}
