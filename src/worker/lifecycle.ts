import {
  BehaviorSubject, EMPTY, type Observable, type SchedulerLike, distinctUntilChanged, filter, first, ignoreElements, map,
  merge, switchMap, take, tap, timer,
} from 'rxjs';
import type { StateChangeCause, StateChangedEvent, WorkerLifecycleState } from './events.js';

/** Where one run of a worker is: its state, and what its stop has reached. @internal */
interface Snapshot {
  readonly state: WorkerLifecycleState;
  /** The change that led here (none at the start). */
  readonly change?: StateChangedEvent;
  /** Whether the stop is forceful (unsubscribe, `stop({ force: true })`, a fatal error). */
  readonly forced: boolean;
  /** Set once running jobs are to be aborted: the reason given to them. */
  readonly abort?: string;
  /** Whether deliveries still pending are given up (the delivery grace ran out). */
  readonly giveUp: boolean;
  /** When running jobs are to be aborted, on the scheduler clock (ms; `Infinity` before a stop). */
  readonly abortAtMs: number;
  /** When pending deliveries are to be given up (ms; `Infinity` before a stop). */
  readonly giveUpAtMs: number;
}

const ORDER: Readonly<Record<WorkerLifecycleState, number>> = { running: 0, quiet: 1, terminating: 2, stopped: 3 };

/** The timing of a stop. Times are milliseconds. @internal */
export interface StopTiming {
  readonly shutdownTimeoutMs: number;
  readonly deliveryGraceMs: number;
  readonly scheduler: SchedulerLike;
}

/**
 * The lifecycle of one worker run, `running` -> `quiet` -> `terminating` -> `stopped` (forward
 * only), as one value in a private `BehaviorSubject` (the imperative edge: `quiet()`, `stop()`,
 * BEAT replies), and the streams derived from it, each replaying the current state: when to
 * stop fetching, when to abort running jobs, when to give up deliveries. A graceful stop aborts
 * the jobs still running `shutdownTimeoutMs` after it began and gives up deliveries
 * `deliveryGraceMs` after that; a forced one aborts at once and gives up after
 * `deliveryGraceMs` (or sooner, if a graceful stop's deadline came first). Those two timers
 * live in {@link Lifecycle.deadlines$}, which the run subscribes while it works.
 * @internal
 */
export class Lifecycle {
  readonly #snapshot$ = new BehaviorSubject<Snapshot>({ state: 'running', forced: false, giveUp: false, abortAtMs: Infinity, giveUpAtMs: Infinity });
  readonly #timing: StopTiming;

  constructor(timing: StopTiming) {
    this.#timing = timing;
  }

  get state(): WorkerLifecycleState {
    return this.#snapshot$.value.state;
  }

  get forced(): boolean {
    return this.#snapshot$.value.forced;
  }

  /** Whether pending deliveries were given up (the server was unreachable through the delivery grace). */
  get gaveUp(): boolean {
    return this.#snapshot$.value.giveUp;
  }

  /** Emits once (and completes) when the run leaves `running`: stop fetching. */
  readonly leftRunning$: Observable<unknown> = this.#snapshot$.pipe(first((s) => s.state !== 'running'));

  /** Emits the abort reason once (and completes) when running jobs are to be aborted. */
  readonly abort$: Observable<string> = this.#snapshot$.pipe(
    map((s) => s.abort),
    first((reason): reason is string => reason !== undefined),
  );

  /** Completes, emitting nothing, once the run is stopping (`terminating`). */
  readonly stopping$: Observable<never> = this.#snapshot$.pipe(
    first((s) => ORDER[s.state] >= ORDER.terminating),
    ignoreElements(),
  );

  /** Emits once (and completes) when pending deliveries are to be given up. */
  readonly giveUp$: Observable<unknown> = this.#snapshot$.pipe(first((s) => s.giveUp));

  /** Emits once and completes when the run has stopped. */
  readonly stopped$: Observable<void> = this.#snapshot$.pipe(
    first((s) => s.state === 'stopped'),
    map(() => undefined),
  );

  /** The state changes, as events. */
  readonly changes$: Observable<StateChangedEvent> = this.#snapshot$.pipe(
    map((s) => s.change),
    distinctUntilChanged(),
    filter((c): c is StateChangedEvent => c !== undefined),
  );

  /** The stop's timers: abort after the shutdown timeout, give up after the delivery grace. Emits nothing. */
  readonly deadlines$: Observable<never> = merge(
    this.#at((s) => s.abortAtMs, () => {
      this.abort(`the shutdown timeout of ${this.#timing.shutdownTimeoutMs} ms expired`);
    }),
    this.#at((s) => s.giveUpAtMs, () => {
      this.#update({ giveUp: true });
    }),
  );

  quiet(cause: StateChangeCause): void {
    this.#moveTo('quiet', cause);
  }

  /** Graceful stop: no more fetching; running jobs get `shutdownTimeoutMs`, deliveries `deliveryGraceMs` more. */
  stop(cause: StateChangeCause): void {
    if (ORDER[this.state] >= ORDER.terminating) return;
    const { shutdownTimeoutMs, deliveryGraceMs, scheduler } = this.#timing;
    const now = scheduler.now();
    this.#update({ abortAtMs: now + shutdownTimeoutMs, giveUpAtMs: now + shutdownTimeoutMs + deliveryGraceMs });
    this.#moveTo('terminating', cause);
  }

  /** Forceful stop: abort running jobs now with `reason`; deliveries get `deliveryGraceMs` at most. */
  force(cause: StateChangeCause, reason: string): void {
    const s = this.#snapshot$.value;
    if (s.state === 'stopped' || s.forced) return;
    const { deliveryGraceMs, scheduler } = this.#timing;
    this.#update({ forced: true, giveUpAtMs: Math.min(s.giveUpAtMs, scheduler.now() + deliveryGraceMs) });
    this.#moveTo('terminating', cause);
    this.abort(reason);
  }

  /** Running jobs (and jobs still to come) are to be aborted with `reason`. */
  abort(reason: string): void {
    if (this.#snapshot$.value.abort === undefined) this.#update({ abort: reason });
  }

  /** The run is over (`cause` of the final change). */
  stopped(cause: StateChangeCause): StateChangedEvent {
    const from = this.state;
    const change: StateChangedEvent = { type: 'stateChanged', from, to: 'stopped', cause };
    this.#update({ state: 'stopped', change });
    return change;
  }

  /** Calls `action` once when the scheduler clock reaches the time `pick` reads (re-armed when it changes). */
  #at(pick: (s: Snapshot) => number, action: () => void): Observable<never> {
    return this.#snapshot$.pipe(
      map(pick),
      distinctUntilChanged(),
      switchMap((atMs) => (atMs === Infinity ? EMPTY : timer(Math.max(0, atMs - this.#timing.scheduler.now()), this.#timing.scheduler))),
      take(1),
      tap(action),
      ignoreElements(),
    );
  }

  #moveTo(to: WorkerLifecycleState, cause: StateChangeCause): void {
    const from = this.state;
    if (ORDER[to] <= ORDER[from]) return;
    this.#update({ state: to, change: { type: 'stateChanged', from, to, cause } });
  }

  #update(patch: Partial<Snapshot>): void {
    this.#snapshot$.next({ ...this.#snapshot$.value, ...patch });
  }
}
