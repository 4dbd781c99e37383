import { DURATION_BUCKETS_MS, type DurationSummary } from './duration-histogram.js';
import { JOB_OUTCOMES, type WorkerMetricsSnapshot } from './worker-metrics.js';

function label(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function labels(pairs: Readonly<Record<string, string>>): string {
  const inner = Object.entries(pairs)
    .map(([key, value]) => `${key}="${label(value)}"`)
    .join(',');
  return inner === '' ? '' : `{${inner}}`;
}

function histogram(out: string[], name: string, summary: DurationSummary, extra: Readonly<Record<string, string>> = {}): void {
  summary.buckets.forEach((count, i) => {
    out.push(`${name}_bucket${labels({ ...extra, le: String((DURATION_BUCKETS_MS[i] ?? 0) / 1000) })} ${count}`);
  });
  out.push(`${name}_bucket${labels({ ...extra, le: '+Inf' })} ${summary.count}`);
  out.push(`${name}_sum${labels(extra)} ${summary.sumMs / 1000}`);
  out.push(`${name}_count${labels(extra)} ${summary.count}`);
}

/**
 * A metrics snapshot in the Prometheus text exposition format (version 0.0.4), with durations
 * in seconds as Prometheus names them. Metric names start with `prefix`.
 *
 * @example
 * response.setHeader('content-type', 'text/plain; version=0.0.4');
 * response.end(prometheusText(worker.metrics()));
 */
export function prometheusText(snapshot: WorkerMetricsSnapshot, prefix = 'faktory_worker'): string {
  const out: string[] = [];
  out.push(`# HELP ${prefix}_jobs_total Jobs ended, by jobtype and outcome.`, `# TYPE ${prefix}_jobs_total counter`);
  for (const [jobtype, metrics] of Object.entries(snapshot.jobs)) {
    for (const outcome of JOB_OUTCOMES) out.push(`${prefix}_jobs_total${labels({ jobtype, outcome })} ${metrics.outcomes[outcome]}`);
  }
  out.push(`# HELP ${prefix}_job_duration_seconds Handler time, by jobtype.`, `# TYPE ${prefix}_job_duration_seconds histogram`);
  for (const [jobtype, metrics] of Object.entries(snapshot.jobs)) histogram(out, `${prefix}_job_duration_seconds`, metrics.duration, { jobtype });
  out.push(`# HELP ${prefix}_queue_latency_seconds From enqueue to handler start.`, `# TYPE ${prefix}_queue_latency_seconds histogram`);
  histogram(out, `${prefix}_queue_latency_seconds`, snapshot.queueLatency);
  out.push(`# HELP ${prefix}_fetch_seconds Round trip of FETCHes that brought a job.`, `# TYPE ${prefix}_fetch_seconds histogram`);
  histogram(out, `${prefix}_fetch_seconds`, snapshot.fetchRoundTrip);
  out.push(`# HELP ${prefix}_in_flight Jobs fetched and not yet ended.`, `# TYPE ${prefix}_in_flight gauge`, `${prefix}_in_flight ${snapshot.inFlight}`);
  out.push(`# HELP ${prefix}_connected Whether a connection is known to work (1), to be down (0).`, `# TYPE ${prefix}_connected gauge`);
  for (const [client, state] of Object.entries(snapshot.connections)) {
    if (state !== 'unknown') out.push(`${prefix}_connected${labels({ client })} ${state === 'connected' ? 1 : 0}`);
  }
  out.push(`# HELP ${prefix}_running Whether the worker is running (1) or quiet, terminating, stopped (0).`, `# TYPE ${prefix}_running gauge`);
  out.push(`${prefix}_running ${snapshot.state === 'running' ? 1 : 0}`);
  if (snapshot.lastBeatAt !== undefined) {
    out.push(`# HELP ${prefix}_last_beat_timestamp_seconds When the last BEAT was answered.`, `# TYPE ${prefix}_last_beat_timestamp_seconds gauge`);
    out.push(`${prefix}_last_beat_timestamp_seconds ${snapshot.lastBeatAt / 1000}`);
  }
  out.push(`# HELP ${prefix}_undelivered_total ACKs and FAILs that could not be delivered.`, `# TYPE ${prefix}_undelivered_total counter`);
  out.push(`${prefix}_undelivered_total ${snapshot.undelivered}`);
  out.push(`# HELP ${prefix}_retries_total Commands sent again after a retriable error.`, `# TYPE ${prefix}_retries_total counter`);
  for (const [command, count] of Object.entries(snapshot.retries)) out.push(`${prefix}_retries_total${labels({ command: command.toUpperCase() })} ${count}`);
  out.push(`# HELP ${prefix}_beat_failures_total BEATs that failed.`, `# TYPE ${prefix}_beat_failures_total counter`);
  out.push(`${prefix}_beat_failures_total ${snapshot.beatFailures}`);
  return `${out.join('\n')}\n`;
}
