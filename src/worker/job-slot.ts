import { Observable, type Observer, type Subscriber, type Subscription } from 'rxjs';
import type { JobOf, JobTypes, WorkerClient } from '../streams/types.js';
import { type Delivery, afterFailedDelivery } from './deliver.js';
import type { WorkerEvent } from './events.js';
import { type JobOutcome, JobExecution } from './execute-job.js';
import type { FetchPermits } from './fetch-permits.js';
import type { JobContext } from './handler-types.js';
import type { Deadline, JobDeadlines } from './job-deadlines.js';
import { JobTimeoutError } from './job-errors.js';
import { reservationMs } from './reservation.js';
import type { SendBatch } from './send-batch.js';
import { SlotContext } from './slot-context.js';
import type { ResolvedWorkerOptions } from './worker-options.js';

/** A job whose handler is running, as the run tracks it. @internal */
export interface RunningJob {
  readonly jid: string;
  readonly jobtype: string;
  readonly queue: string;
  readonly startedAtMs: number;
  readonly execution: { abort(reason: unknown): void };
}

/** What a slot needs of its worker run. @internal */
export interface SlotHost<Jobs extends JobTypes, Client extends WorkerClient<Jobs>> {
  readonly options: ResolvedWorkerOptions<Jobs, Client>;
  readonly client: Client;
  readonly permits: FetchPermits;
  readonly deadlines: JobDeadlines;
  /** Where the first attempt of each ACK/FAIL waits for the scheduler's next turn. */
  readonly batch: SendBatch;
  /** The queue order of the next FETCH. */
  readonly order: () => readonly string[];
  /** Whether slots may fetch. */
  isRunning(): boolean;
  /** Whether a FETCH error ends the worker; if so the host stops it. */
  fatal(error: unknown): boolean;
  /** A job started (aborted at once when the worker is aborting jobs). */
  register(job: RunningJob): void;
  /** A job's handler is done. */
  unregister(job: RunningJob): void;
  /** A job was aborted by the shutdown. */
  countAborted(): void;
  /** Until when (scheduler clock) a delivery may be retried, besides the reservation's end. */
  forceDeadlineMs(): number;
}

/**
 * One worker slot: FETCH (holding one of the fetch permits) -> run -> ACK/FAIL, repeated while
 * the worker is running. A slot fetches its next job as soon as its handler is done, while the
 * job's ACK/FAIL is still on its way (sent on the scheduler's next turn with the other slots'
 * ACKs, pipelined on the shared connection: see {@link SendBatch}), and waits for
 * deliveries only when two are pending; so at most one job runs per slot, and at most two
 * deliveries are pending per slot. Emits `fetched`, then `succeeded`/`failed` once the server
 * took the ACK/FAIL, and any retry/lost events; completes once the worker stops running and the
 * slot's last delivery is done. Written without operators: this is the per-job hot path.
 * @internal
 */
export function jobSlot<Jobs extends JobTypes, Client extends WorkerClient<Jobs>>(host: SlotHost<Jobs, Client>): Observable<WorkerEvent> {
  return new Observable<WorkerEvent>((subscriber) => {
    const slot = new Slot(host, subscriber);
    slot.pump();
    return () => {
      slot.teardown();
    };
  });
}

class Slot<Jobs extends JobTypes, Client extends WorkerClient<Jobs>> {
  readonly #host: SlotHost<Jobs, Client>;
  readonly #subscriber: Subscriber<WorkerEvent>;
  /** Leaves the permit wait list, while waiting. */
  #leavePermits: (() => void) | undefined;
  #waitingForPermit = false;
  #holdsPermit = false;
  #fetch: Subscription | undefined;
  #retryTimer: Subscription | undefined;
  #failures = 0;
  #job: SlotJob<Jobs, Client> | undefined;
  readonly #deliveries = new Set<Outbound<Jobs, Client>>();
  #closed = false;
  #pumping = false;
  #pumpAgain = false;
  readonly #grant = (): void => {
    this.#onPermit();
  };
  /** One observer for every FETCH of the slot (no closures per FETCH). */
  readonly #fetchObserver: Partial<Observer<JobOf<Jobs> | null>> = {
    next: (job) => {
      this.#onFetched(job, undefined);
    },
    error: (error: unknown) => {
      this.#onFetched(null, error);
    },
    complete: () => {
      this.#onFetched(null, undefined);
    },
  };

  constructor(host: SlotHost<Jobs, Client>, subscriber: Subscriber<WorkerEvent>) {
    this.#host = host;
    this.#subscriber = subscriber;
  }

  /** Decides the slot's next step; re-entrant calls are deferred to the outer loop. */
  pump(): void {
    if (this.#pumping) {
      this.#pumpAgain = true;
      return;
    }
    this.#pumping = true;
    try {
      do {
        this.#pumpAgain = false;
        this.#step();
      } while (this.#askedToPumpAgain());
    } finally {
      this.#pumping = false;
    }
  }

  /** Whether a step asked for another while running (a method, so the loop re-reads the field). */
  #askedToPumpAgain(): boolean {
    return this.#pumpAgain;
  }

  /** Whether the FETCH still holds its permit (a method: its reply may have come during subscribe). */
  #awaitingFetch(): boolean {
    return this.#holdsPermit;
  }

  teardown(): void {
    this.#closed = true;
    this.#leavePermits?.();
    this.#leavePermits = undefined;
    this.#waitingForPermit = false;
    this.#releasePermit();
    this.#retryTimer?.unsubscribe();
    this.#retryTimer = undefined;
    const job = this.#job;
    if (job !== undefined) {
      this.#job = undefined;
      job.execution.cancel();
      this.#host.deadlines.remove(job);
      this.#host.unregister(job);
    }
    for (const delivery of this.#deliveries) delivery.cancel();
    this.#deliveries.clear();
  }

  #step(): void {
    if (this.#closed) return;
    const busy = this.#waitingForPermit || this.#holdsPermit || this.#retryTimer !== undefined || this.#job !== undefined;
    if (busy) return;
    if (this.#host.isRunning()) {
      if (this.#deliveries.size <= 1) this.#awaitPermit();
      else this.#host.batch.flushNow();
    } else if (this.#deliveries.size === 0) {
      this.#closed = true;
      this.#subscriber.complete();
    }
  }

  #awaitPermit(): void {
    this.#waitingForPermit = true;
    const leave = this.#host.permits.acquire(this.#grant);
    if (this.#stillWaitingForPermit()) this.#leavePermits = leave;
  }

  /** Whether the permit was not granted during `acquire` (a method, so the field is re-read). */
  #stillWaitingForPermit(): boolean {
    return this.#waitingForPermit;
  }

  #onPermit(): void {
    this.#waitingForPermit = false;
    this.#leavePermits = undefined;
    if (this.#closed || !this.#host.isRunning()) {
      this.#host.permits.release();
      this.pump();
      return;
    }
    this.#holdsPermit = true;
    let subscription: Subscription;
    try {
      subscription = this.#host.client.fetch(...this.#host.order()).subscribe(this.#fetchObserver);
    } catch (error) {
      this.#onFetched(null, error);
      return;
    }
    if (this.#awaitingFetch()) this.#fetch = subscription;
    else subscription.unsubscribe();
  }

  #releasePermit(): void {
    if (!this.#holdsPermit) return;
    this.#holdsPermit = false;
    const fetch = this.#fetch;
    this.#fetch = undefined;
    fetch?.unsubscribe();
    this.#host.permits.release();
  }

  #onFetched(job: JobOf<Jobs> | null, error: unknown): void {
    if (!this.#holdsPermit) return;
    if (error === undefined) this.#host.permits.replied(job !== null);
    // The permit goes back before the reply is handled: a job being run is no FETCH outstanding.
    this.#releasePermit();
    if (error !== undefined) {
      this.#onFetchError(error);
    } else {
      this.#failures = 0;
      if (job !== null) this.#run(job);
    }
    this.pump();
  }

  #onFetchError(error: unknown): void {
    if (this.#host.fatal(error)) return;
    const o = this.#host.options;
    const attempt = ++this.#failures;
    const delayMs = o.retryDelayMs(attempt);
    this.#subscriber.next({ type: 'fetchRetried', attempt, delayMs, error });
    if (this.#closed) return;
    this.#retryTimer = o.scheduler.schedule(() => {
      this.#retryTimer = undefined;
      this.pump();
    }, delayMs);
  }

  #run(job: JobOf<Jobs>): void {
    const host = this.#host;
    const o = host.options;
    const queue = job.queue ?? 'default';
    this.#subscriber.next({ type: 'fetched', jid: job.jid, jobtype: job.jobtype, queue });
    if (this.#closed) return;
    const run = new SlotJob(this, job, queue, o.scheduler.now(), o.jobTimeoutMs(job));
    this.#job = run;
    host.deadlines.add(run);
    host.register(run);
    if (run.execution.settled) return;
    run.execution.start(o.handlers, o.middleware, run.context(host.client, o.identity.wid));
  }

  /** A job's handler is done (called by its {@link SlotJob}). */
  jobDone(run: SlotJob<Jobs, Client>, outcome: JobOutcome): void {
    if (this.#job === run) {
      this.#job = undefined;
      this.#host.deadlines.remove(run);
      this.#host.unregister(run);
    }
    if (!outcome.ok && outcome.reason === 'shutdown') this.#host.countAborted();
    const delivery = new Outbound(this, run, outcome, this.#host.options.scheduler.now() - run.startedAtMs);
    this.#deliveries.add(delivery);
    this.#host.batch.add(delivery);
    this.pump();
  }

  /** The host, for the slot's jobs and deliveries. */
  get host(): SlotHost<Jobs, Client> {
    return this.#host;
  }

  /** Passes a delivery's event on. */
  emit(event: WorkerEvent): void {
    this.#subscriber.next(event);
  }

  /** A delivery is over (accepted or lost). */
  deliveryDone(delivery: Outbound<Jobs, Client>): void {
    this.#deliveries.delete(delivery);
    this.pump();
  }
}

/** One job of a slot: its execution, its time limit, its entry among the running jobs. */
class SlotJob<Jobs extends JobTypes, Client extends WorkerClient<Jobs>> implements RunningJob, Deadline {
  readonly jid: string;
  readonly jobtype: string;
  readonly atMs: number;
  readonly execution: JobExecution<Jobs, Client>;
  readonly #slot: Slot<Jobs, Client>;
  readonly #timeoutMs: number;

  constructor(slot: Slot<Jobs, Client>, readonly job: JobOf<Jobs>, readonly queue: string, readonly startedAtMs: number, timeoutMs: number) {
    this.#slot = slot;
    this.jid = job.jid;
    this.jobtype = job.jobtype;
    this.#timeoutMs = timeoutMs;
    this.atMs = startedAtMs + timeoutMs;
    this.execution = new JobExecution<Jobs, Client>(this);
  }

  /** The execution's outcome. */
  onOutcome(outcome: JobOutcome): void {
    this.#slot.jobDone(this, outcome);
  }

  /** The time limit passed. */
  onExpire(): void {
    this.execution.abort(new JobTimeoutError(this.jid, this.#timeoutMs));
  }

  context(client: Client, wid: string): JobContext<Jobs, Client> {
    return new SlotContext<Jobs, Client>(this.job, this.queue, this.execution, client, wid, this.startedAtMs);
  }
}

/**
 * An ACK or FAIL on its way. Its first attempt is started by the run's {@link SendBatch} and
 * observed without operators; after a failure, {@link afterFailedDelivery} retries it.
 */
class Outbound<Jobs extends JobTypes, Client extends WorkerClient<Jobs>> {
  readonly #slot: Slot<Jobs, Client>;
  readonly #run: SlotJob<Jobs, Client>;
  readonly #outcome: JobOutcome;
  readonly #durationMs: number;
  #subscription: Subscription | undefined;
  #settled = false;
  #retrying = false;
  #lost = false;

  constructor(slot: Slot<Jobs, Client>, run: SlotJob<Jobs, Client>, outcome: JobOutcome, durationMs: number) {
    this.#slot = slot;
    this.#run = run;
    this.#outcome = outcome;
    this.#durationMs = durationMs;
  }

  /** Starts the first attempt (called by the batch). */
  send(): void {
    if (this.#settled) return;
    let subscription: Subscription;
    try {
      subscription = this.#command().subscribe(this);
    } catch (error) {
      this.error(error);
      return;
    }
    // The attempt may have settled or failed while subscribing.
    if (this.#attemptOver()) subscription.unsubscribe();
    else this.#subscription = subscription;
  }

  /** The first attempt failed: hand it to the retry logic. */
  error(error: unknown): void {
    this.#retrying = true;
    const { jid, jobtype, job } = this.#run;
    const host = this.#slot.host;
    const reservationEndMs = this.#run.startedAtMs + reservationMs(job);
    const delivery: Delivery = {
      command: this.#outcome.ok ? 'ACK' : 'FAIL',
      jid, jobtype,
      send: () => this.#command(),
      deadlineMs: () => Math.min(reservationEndMs, host.forceDeadlineMs()),
      retryDelayMs: host.options.retryDelayMs,
      scheduler: host.options.scheduler,
    };
    const subscription = afterFailedDelivery(delivery, error, 1).subscribe({
      next: (event) => {
        if (event.type === 'deliveryLost') this.#lost = true;
        this.#slot.emit(event);
      },
      complete: () => {
        this.complete();
      },
    });
    if (this.#settled) subscription.unsubscribe();
    else this.#subscription = subscription;
  }

  /** The server took the command (or it was given up): report the job's outcome unless lost. */
  complete(): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#subscription = undefined;
    if (!this.#lost) {
      const { jid, jobtype } = this.#run;
      const outcome = this.#outcome;
      const durationMs = this.#durationMs;
      this.#slot.emit(outcome.ok ? { type: 'succeeded', jid, jobtype, durationMs } : { type: 'failed', jid, jobtype, durationMs, reason: outcome.reason, error: outcome.error });
    }
    this.#slot.deliveryDone(this);
  }

  /** Stops it without reporting (the slot is being torn down). */
  cancel(): void {
    this.#settled = true;
    this.#subscription?.unsubscribe();
    this.#subscription = undefined;
  }

  #attemptOver(): boolean {
    return this.#settled || this.#retrying;
  }

  #command(): Observable<void> {
    const client = this.#slot.host.client;
    const { jid, job } = this.#run;
    const outcome = this.#outcome;
    if (outcome.ok) return client.ack(jid);
    return job.backtrace === undefined ? client.fail(jid, outcome.error) : client.fail(jid, outcome.error, { backtrace: job.backtrace });
  }
}
