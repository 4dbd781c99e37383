import type { JobFailureReason, WorkerClientRole, WorkerEvent, WorkerLifecycleState } from './events.js';
import { type DurationSummary, DurationHistogram } from './duration-histogram.js';

/** How a job ended, as the metrics count it. */
export type MetricsOutcome = 'succeeded' | 'failed' | 'timedOut' | 'aborted' | 'discarded';

/** The outcomes, in the order snapshots and the Prometheus text list them. */
export const JOB_OUTCOMES: readonly MetricsOutcome[] = Object.freeze(['succeeded', 'failed', 'timedOut', 'aborted', 'discarded']);

const OUTCOME_OF: Readonly<Record<JobFailureReason, MetricsOutcome>> = {
  error: 'failed',
  unknownJobType: 'failed',
  timeout: 'timedOut',
  shutdown: 'aborted',
  discarded: 'discarded',
};

/**
 * What a worker knows of a connection: `connected` once it has been seen to work (a job
 * fetched, a BEAT answered, a reconnection), `disconnected` after a loss or a failed command,
 * `unknown` before either.
 */
export type ConnectionState = 'unknown' | 'connected' | 'disconnected';

/** One jobtype's numbers. */
export interface JobTypeMetrics {
  /** Jobs ended, by outcome. */
  readonly outcomes: Readonly<Record<MetricsOutcome, number>>;
  /** Handler time of the jobs ended (every outcome). */
  readonly duration: DurationSummary;
}

/** A worker's numbers at one moment. Counters count from the worker's creation. */
export interface WorkerMetricsSnapshot {
  /** When it was taken, in milliseconds since the epoch (the worker's scheduler clock). */
  readonly at: number;
  readonly state: WorkerLifecycleState;
  /** By jobtype, in the order the jobtypes were first seen. */
  readonly jobs: Readonly<Record<string, JobTypeMetrics>>;
  /** Jobs fetched and not yet ended. */
  readonly inFlight: number;
  /** From a job's `enqueued_at` to the moment its handler started. */
  readonly queueLatency: DurationSummary;
  /** The round trip of FETCHes that brought a job. */
  readonly fetchRoundTrip: DurationSummary;
  readonly connections: Readonly<Record<WorkerClientRole, ConnectionState>>;
  /** When the last BEAT was answered (epoch milliseconds), if one was. */
  readonly lastBeatAt: number | undefined;
  /** ACKs and FAILs that could not be delivered (the server retries those jobs after their reservation). */
  readonly undelivered: number;
  /** ACK, FAIL and FETCH attempts that were retried. */
  readonly retries: { readonly ack: number; readonly fail: number; readonly fetch: number };
  /** BEATs that failed. */
  readonly beatFailures: number;
  /** The latest event-loop stall reported, and when (epoch milliseconds). */
  readonly lastStall: { readonly blockedMs: number; readonly at: number } | undefined;
}

class JobTypeCounters {
  readonly outcomes: Record<MetricsOutcome, number> = { succeeded: 0, failed: 0, timedOut: 0, aborted: 0, discarded: 0 };
  readonly duration = new DurationHistogram();
}

/**
 * Turns a worker's events into counters and histograms: feed it every {@link WorkerEvent}
 * (`record`) and read a {@link WorkerMetricsSnapshot} when asked (`snapshot`). Constant memory
 * per jobtype; no timers. Every worker has one (`worker.metrics()`); make your own to count a
 * part of a worker's events.
 *
 * @example
 * const metrics = new WorkerMetrics();
 * worker.subscribe((event) => metrics.record(event));
 * setInterval(() => console.log(metrics.snapshot().jobs), 10_000);
 */
export class WorkerMetrics {
  readonly #now: () => number;
  readonly #jobs = new Map<string, JobTypeCounters>();
  readonly #queueLatency = new DurationHistogram();
  readonly #fetchRoundTrip = new DurationHistogram();
  readonly #connections: Record<WorkerClientRole, ConnectionState> = { main: 'unknown', beat: 'unknown' };
  readonly #retries = { ack: 0, fail: 0, fetch: 0 };
  #state: WorkerLifecycleState = 'running';
  #inFlight = 0;
  #lastBeatAt: number | undefined;
  #undelivered = 0;
  #beatFailures = 0;
  #lastStall: { blockedMs: number; at: number } | undefined;

  /** @param now - the clock, in epoch milliseconds (a worker passes its scheduler's). */
  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Counts one event. */
  record(event: WorkerEvent): void {
    switch (event.type) {
      case 'fetched': {
        this.#inFlight++;
        this.#connections.main = 'connected';
        if (event.fetchMs !== undefined) this.#fetchRoundTrip.observe(event.fetchMs);
        if (event.job.enqueued_at !== undefined) {
          const enqueued = Date.parse(event.job.enqueued_at);
          if (!Number.isNaN(enqueued)) this.#queueLatency.observe(this.#now() - enqueued);
        }
        break;
      }
      case 'succeeded':
        this.#ended(event.jobtype, 'succeeded', event.durationMs);
        break;
      case 'failed':
        this.#ended(event.jobtype, OUTCOME_OF[event.reason], event.durationMs);
        break;
      case 'deliveryLost':
        this.#undelivered++;
        // A lost delivery ends the job as far as this worker is concerned.
        this.#ended(event.jobtype, undefined, undefined);
        break;
      case 'ackRetried':
        this.#retries.ack++;
        break;
      case 'failRetried':
        this.#retries.fail++;
        break;
      case 'fetchRetried':
        this.#retries.fetch++;
        this.#connections.main = 'disconnected';
        break;
      case 'heartbeat':
        this.#lastBeatAt = this.#now();
        this.#connections.beat = 'connected';
        break;
      case 'heartbeatFailed':
        this.#beatFailures++;
        this.#connections.beat = 'disconnected';
        break;
      case 'stallWarning':
        this.#lastStall = { blockedMs: event.blockedMs, at: this.#now() };
        break;
      case 'connectionLost':
      case 'connectionFailed':
        this.#connections[event.client] = 'disconnected';
        break;
      case 'connectionRestored':
        this.#connections[event.client] = 'connected';
        break;
      case 'stateChanged':
        this.#state = event.to;
        break;
      case 'stopped':
        this.#state = 'stopped';
        break;
      case 'started':
      case 'reregistered':
      case 'undelivered': // counted as each deliveryLost
        break;
    }
  }

  #ended(jobtype: string, outcome: MetricsOutcome | undefined, durationMs: number | undefined): void {
    if (this.#inFlight > 0) this.#inFlight--;
    if (outcome === undefined || durationMs === undefined) return;
    let counters = this.#jobs.get(jobtype);
    if (counters === undefined) {
      counters = new JobTypeCounters();
      this.#jobs.set(jobtype, counters);
    }
    counters.outcomes[outcome]++;
    counters.duration.observe(durationMs);
  }

  /** The numbers now. A new object each call; nothing in it changes afterwards. */
  snapshot(): WorkerMetricsSnapshot {
    const jobs: Record<string, JobTypeMetrics> = {};
    for (const [jobtype, counters] of this.#jobs) {
      jobs[jobtype] = { outcomes: { ...counters.outcomes }, duration: counters.duration.summary() };
    }
    return {
      at: this.#now(),
      state: this.#state,
      jobs,
      inFlight: this.#inFlight,
      queueLatency: this.#queueLatency.summary(),
      fetchRoundTrip: this.#fetchRoundTrip.summary(),
      connections: { ...this.#connections },
      lastBeatAt: this.#lastBeatAt,
      undelivered: this.#undelivered,
      retries: { ...this.#retries },
      beatFailures: this.#beatFailures,
      lastStall: this.#lastStall === undefined ? undefined : { ...this.#lastStall },
    };
  }
}
