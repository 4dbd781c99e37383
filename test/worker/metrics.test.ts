import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { httpGet } from './http-get.js';
import { map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { createScriptedClient } from '../../src/testing/marbles/index.js';
import { createWorker } from '../../src/worker/index.js';
import { DurationHistogram } from '../../src/worker/duration-histogram.js';
import { startMetricsServer } from '../../src/worker/metrics-server.js';
import { prometheusText } from '../../src/worker/prometheus-text.js';
import { workerHealth } from '../../src/worker/worker-health.js';
import { WorkerMetrics } from '../../src/worker/worker-metrics.js';
import type { WorkerEvent } from '../../src/worker/index.js';

function fed(events: WorkerEvent[], clock = { now: 1_000_000 }): WorkerMetrics {
  const metrics = new WorkerMetrics(() => clock.now);
  for (const event of events) metrics.record(event);
  return metrics;
}

const fetched = (jid: string, jobtype: string, extra: { enqueuedAt?: string; fetchMs?: number } = {}): WorkerEvent => ({
  type: 'fetched',
  jid,
  jobtype,
  queue: 'default',
  job: { jid, jobtype, args: [], ...(extra.enqueuedAt === undefined ? {} : { enqueued_at: extra.enqueuedAt }) },
  atMs: 0,
  ...(extra.fetchMs === undefined ? {} : { fetchMs: extra.fetchMs }),
});

describe('DurationHistogram', () => {
  it('counts each duration into the first bucket whose bound it does not exceed, cumulatively', () => {
    const histogram = new DurationHistogram();
    for (const ms of [0.5, 1, 1.5, 3, 100, 2_000_000]) histogram.observe(ms);
    const summary = histogram.summary();
    assert.equal(summary.count, 6);
    assert.equal(summary.maxMs, 2_000_000);
    assert.equal(summary.sumMs, 0.5 + 1 + 1.5 + 3 + 100 + 2_000_000);
    // <=1: 2, <=2.5: 3, <=5: 4, ... <=100: 5, ..., <=1_800_000: 5 (the last is only in +Inf)
    assert.deepEqual(summary.buckets.slice(0, 4), [2, 3, 4, 4]);
    assert.equal(summary.buckets[6], 5);
    assert.equal(summary.buckets.at(-1), 5);
  });

  it('estimates percentiles within a bucket and never above the largest value seen', () => {
    const histogram = new DurationHistogram();
    for (let i = 0; i < 100; i++) histogram.observe(i < 90 ? 20 : 400);
    const summary = histogram.summary();
    // 90 values in (10, 25], 10 in (250, 500] capped at the max 400.
    assert.ok(summary.p50Ms > 10 && summary.p50Ms <= 25, String(summary.p50Ms));
    assert.ok(summary.p90Ms > 10 && summary.p90Ms <= 25, String(summary.p90Ms));
    assert.ok(summary.p99Ms > 250 && summary.p99Ms <= 400, String(summary.p99Ms));
    assert.equal(new DurationHistogram().summary().p99Ms, 0);
  });
});

describe('WorkerMetrics', () => {
  it('counts a known mix of jobs by jobtype and outcome, and what is in flight', () => {
    const metrics = fed([
      { type: 'started', wid: 'w', concurrency: 5, fetchers: 1, fetchDepth: 1, shutdownTimeoutMs: 1, deliveryGraceMs: 1 },
      fetched('1', 'Email'),
      fetched('2', 'Email'),
      fetched('3', 'Email'),
      fetched('4', 'Resize'),
      fetched('5', 'Resize'),
      fetched('6', 'Resize'),
      { type: 'succeeded', jid: '1', jobtype: 'Email', durationMs: 10 },
      { type: 'succeeded', jid: '2', jobtype: 'Email', durationMs: 30 },
      { type: 'failed', jid: '3', jobtype: 'Email', durationMs: 5, reason: 'error', error: new Error('x') },
      { type: 'failed', jid: '4', jobtype: 'Resize', durationMs: 1000, reason: 'timeout', error: new Error('t') },
      { type: 'failed', jid: '5', jobtype: 'Resize', durationMs: 7, reason: 'shutdown', error: new Error('s') },
    ]);
    const snapshot = metrics.snapshot();
    assert.deepEqual(snapshot.jobs.Email?.outcomes, { succeeded: 2, failed: 1, timedOut: 0, aborted: 0, discarded: 0 });
    assert.deepEqual(snapshot.jobs.Resize?.outcomes, { succeeded: 0, failed: 0, timedOut: 1, aborted: 1, discarded: 0 });
    assert.equal(snapshot.jobs.Email.duration.count, 3);
    assert.equal(snapshot.jobs.Email.duration.sumMs, 45);
    assert.equal(snapshot.inFlight, 1);
    assert.equal(snapshot.connections.main, 'connected');
    assert.equal(snapshot.connections.beat, 'unknown');
  });

  it('measures queue latency from enqueued_at, FETCH round trips, BEATs, retries and lost deliveries', () => {
    const clock = { now: Date.parse('2026-12-01T10:00:01.500Z') };
    const metrics = fed(
      [
        fetched('1', 'A', { enqueuedAt: '2026-12-01T10:00:00.000Z', fetchMs: 3 }),
        { type: 'ackRetried', jid: '1', attempt: 1, delayMs: 100, error: new Error('cut') },
        { type: 'deliveryLost', command: 'ACK', jid: '1', jobtype: 'A', reason: 'expired', error: new Error('x') },
        { type: 'heartbeat', reply: 'ok', rssKb: 1 },
        { type: 'fetchRetried', attempt: 1, delayMs: 10, error: new Error('down') },
      ],
      clock,
    );
    const snapshot = metrics.snapshot();
    assert.equal(snapshot.queueLatency.count, 1);
    assert.equal(snapshot.queueLatency.sumMs, 1500);
    assert.equal(snapshot.fetchRoundTrip.sumMs, 3);
    assert.equal(snapshot.undelivered, 1);
    assert.equal(snapshot.inFlight, 0);
    assert.deepEqual(snapshot.retries, { ack: 1, fail: 0, fetch: 1 });
    assert.equal(snapshot.lastBeatAt, clock.now);
    assert.deepEqual(snapshot.connections, { main: 'disconnected', beat: 'connected' });
  });

  it('follows the lifecycle state and connection losses', () => {
    const metrics = fed([
      { type: 'connectionLost', client: 'beat', error: new Error('x') },
      { type: 'stateChanged', from: 'running', to: 'quiet', cause: 'beat' },
    ]);
    assert.equal(metrics.snapshot().state, 'quiet');
    assert.equal(metrics.snapshot().connections.beat, 'disconnected');
    metrics.record({ type: 'connectionRestored', client: 'beat' });
    assert.equal(metrics.snapshot().connections.beat, 'connected');
  });
});

describe('workerHealth', () => {
  const clock = { now: 100_000 };
  it('is ready once a BEAT was answered within two intervals, and says why not otherwise', () => {
    const metrics = fed([], clock);
    assert.deepEqual(workerHealth(metrics.snapshot(), { beatIntervalMs: 15_000 }), { ready: false, live: true, reasons: ['no BEAT answered yet'] });
    metrics.record({ type: 'heartbeat', reply: 'ok', rssKb: 1 });
    assert.equal(workerHealth(metrics.snapshot(), { beatIntervalMs: 15_000 }).ready, true);
    clock.now += 30_001;
    assert.deepEqual(workerHealth(metrics.snapshot(), { beatIntervalMs: 15_000 }).reasons, ['last BEAT answered 30 s ago']);
  });

  it('is not ready when quiet or when the FETCH connection is down, and not live after a long stall', () => {
    const metrics = fed([{ type: 'heartbeat', reply: 'ok', rssKb: 1 }], clock);
    metrics.record({ type: 'connectionLost', client: 'main', error: new Error('x') });
    metrics.record({ type: 'stateChanged', from: 'running', to: 'quiet', cause: 'quiet' });
    metrics.record({ type: 'stallWarning', blockedMs: 31_000 });
    const health = workerHealth(metrics.snapshot());
    assert.equal(health.ready, false);
    assert.equal(health.live, false);
    assert.deepEqual(health.reasons, ['worker is quiet', 'FETCH connection is down', 'event loop blocked for 31000 ms']);
    clock.now += 60_001;
    metrics.record({ type: 'heartbeat', reply: 'ok', rssKb: 1 });
    assert.equal(workerHealth(metrics.snapshot()).live, true);
  });
});

describe('prometheusText', () => {
  it('writes counters by jobtype and outcome, histograms in seconds, and gauges', () => {
    const metrics = fed([fetched('1', 'Say "hi"\\'), { type: 'succeeded', jid: '1', jobtype: 'Say "hi"\\', durationMs: 250 }, { type: 'heartbeat', reply: 'ok', rssKb: 1 }], { now: 2_000 });
    const text = prometheusText(metrics.snapshot());
    const lines = text.split('\n');
    assert.ok(lines.includes('faktory_worker_jobs_total{jobtype="Say \\"hi\\"\\\\",outcome="succeeded"} 1'), text);
    assert.ok(lines.includes('faktory_worker_job_duration_seconds_bucket{jobtype="Say \\"hi\\"\\\\",le="0.1"} 0'));
    assert.ok(lines.includes('faktory_worker_job_duration_seconds_bucket{jobtype="Say \\"hi\\"\\\\",le="0.25"} 1'));
    assert.ok(lines.includes('faktory_worker_job_duration_seconds_sum{jobtype="Say \\"hi\\"\\\\"} 0.25'));
    assert.ok(lines.includes('faktory_worker_in_flight 0'));
    assert.ok(lines.includes('faktory_worker_connected{client="main"} 1'));
    assert.ok(lines.includes('faktory_worker_last_beat_timestamp_seconds 2'));
    assert.ok(lines.includes('# TYPE faktory_worker_jobs_total counter'));
    assert.ok(text.endsWith('\n'));
    // Every sample line is `name{labels} value`.
    for (const line of lines.filter((l) => l !== '' && !l.startsWith('#'))) assert.match(line, /^[a-z_]+(\{.*\})? [0-9.e+-]+$/);
  });
});


describe('startMetricsServer', () => {
  it('serves /metrics as Prometheus text and /healthz as 200 or 503 with the reasons', async (t) => {
    const metrics = new WorkerMetrics();
    const server = await startMetricsServer({ port: 0, host: '127.0.0.1', metrics: () => metrics.snapshot() });
    t.after(() => server.close());
    const unhealthy = await httpGet(server.port, '/healthz');
    assert.equal(unhealthy.status, 503);
    assert.deepEqual(JSON.parse(unhealthy.body), { ready: false, live: true, reasons: ['no BEAT answered yet'], state: 'running' });
    metrics.record({ type: 'heartbeat', reply: 'ok', rssKb: 1 });
    const healthy = await httpGet(server.port, '/healthz');
    assert.equal(healthy.status, 200);
    assert.equal(healthy.type, 'application/json');
    const scraped = await httpGet(server.port, '/metrics');
    assert.equal(scraped.status, 200);
    assert.match(scraped.type, /^text\/plain; version=0\.0\.4/);
    assert.match(scraped.body, /^faktory_worker_running 1$/m);
    assert.equal((await httpGet(server.port, '/livez')).status, 200);
    assert.equal((await httpGet(server.port, '/nope')).status, 404);
  });
});

describe('worker.metricsEvery', () => {
  it('emits a snapshot at once and then every interval, on the worker scheduler, without starting the worker', () => {
    const scheduler = new TestScheduler((actual, expected) => {
      assert.deepEqual(actual, expected);
    });
    scheduler.run(({ expectObservable }) => {
      const client = createScriptedClient({ scheduler });
      const worker = createWorker({ client, scheduler, stallWarningMs: false, handlers: { A: () => undefined } });
      expectObservable(worker.metricsEvery(100).pipe(map((m) => m.inFlight)), '^ 250ms !').toBe('a 99ms b 99ms c', { a: 0, b: 0, c: 0 });
    });
  });
});
