import type { WorkerMetricsSnapshot } from './worker-metrics.js';

/** Options of {@link workerHealth}. */
export interface WorkerHealthOptions {
  /** The worker's BEAT interval, in milliseconds. Ready needs a BEAT answered within two of them. @defaultValue 15_000 */
  readonly beatIntervalMs?: number;
  /** A stall at least this long, in milliseconds, makes the worker not live. @defaultValue 30_000 (half the server's 60 s reaping) */
  readonly stallLimitMs?: number;
  /** How long, in milliseconds, a stall over the limit keeps the worker not live. @defaultValue 60_000 */
  readonly stallWindowMs?: number;
}

/** Whether a worker can take jobs (ready) and whether it is running at all (live), and why not. */
export interface WorkerHealth {
  /** Running, the FETCH connection not known to be down, and a BEAT answered within two intervals. */
  readonly ready: boolean;
  /** The event loop has not stalled past the limit lately. */
  readonly live: boolean;
  /** Why it is not ready or not live; empty when healthy. */
  readonly reasons: readonly string[];
}

/**
 * Judges a metrics snapshot: ready means connected and a BEAT accepted within two BEAT
 * intervals (the server reaps a worker after 60 s without one); live means the event loop has
 * not stalled for `stallLimitMs` or more within the last `stallWindowMs`. Pure: no timers.
 *
 * @example
 * const { ready, reasons } = workerHealth(worker.metrics(), { beatIntervalMs: 15_000 });
 */
export function workerHealth(snapshot: WorkerMetricsSnapshot, options: WorkerHealthOptions = {}): WorkerHealth {
  const beatIntervalMs = options.beatIntervalMs ?? 15_000;
  const stallLimitMs = options.stallLimitMs ?? 30_000;
  const stallWindowMs = options.stallWindowMs ?? 60_000;
  const notReady: string[] = [];
  if (snapshot.state !== 'running') notReady.push(`worker is ${snapshot.state}`);
  if (snapshot.connections.main === 'disconnected') notReady.push('FETCH connection is down');
  if (snapshot.lastBeatAt === undefined) notReady.push('no BEAT answered yet');
  else if (snapshot.at - snapshot.lastBeatAt > 2 * beatIntervalMs) {
    notReady.push(`last BEAT answered ${Math.round((snapshot.at - snapshot.lastBeatAt) / 1000)} s ago`);
  }
  const stall = snapshot.lastStall;
  const stalled = stall !== undefined && stall.blockedMs >= stallLimitMs && snapshot.at - stall.at <= stallWindowMs;
  const reasons = stalled ? [...notReady, `event loop blocked for ${stall.blockedMs} ms`] : notReady;
  return { ready: notReady.length === 0, live: !stalled, reasons };
}
