// What a production user relies on, against the in-memory server: metrics with exact counts,
// job definitions applied by the worker, queue concurrency limits kept at the FETCH, jobs that
// must not be retried landing in the dead set, and loud logs when the server cannot be reached.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { filter, firstValueFrom, take, toArray } from 'rxjs';
import { InvalidArgumentError } from '../../src/errors.js';
import { startServer } from '../../src/testing/server/index.js';
import { createClient, defineJobs } from '../../src/streams/index.js';
import { UnrecoverableError, createWorker, isWorkerEvent, type LogLevel, type Logger } from '../../src/worker/index.js';
import { useServerFixture } from './server-fixture.js';

const fx = useServerFixture();

/** A logger that keeps its lines, and a promise of the first line at `level`. */
function recordingLogger(level: LogLevel): { logger: Logger; lines: { level: LogLevel; message: string }[]; first: Promise<string> } {
  const lines: { level: LogLevel; message: string }[] = [];
  let resolveFirst!: (message: string) => void;
  const first = new Promise<string>((resolve) => {
    resolveFirst = resolve;
  });
  const at = (l: LogLevel) => (message: string): void => {
    lines.push({ level: l, message });
    if (l === level) resolveFirst(message);
  };
  return { logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }, lines, first };
}

describe('worker metrics, job definitions and do-not-retry against the in-memory server', () => {
  it('counts a known mix of jobs exactly, times out by the definition, and sends an unrecoverable job to dead after one run', async () => {
    const queue = fx.uniqueQueue();
    fx.pushJobs(queue, 5, 'Ok');
    const boom = fx.pushJobs(`${queue}b`, 2, 'Boom');
    const [slow] = fx.pushJobs(`${queue}s`, 1, 'Slow');
    const [bad] = fx.pushJobs(`${queue}d`, 1, 'Bad');
    let badRuns = 0;
    const worker = fx.worker(queue, {
      queues: [queue, `${queue}b`, `${queue}s`, `${queue}d`],
      concurrency: 4,
      beatIntervalMs: 50,
      jobs: defineJobs({ Slow: { timeoutMs: 30 } }),
      handlers: {
        Ok: () => undefined,
        Boom: () => {
          throw new Error('boom');
        },
        // Never settles by itself: only its signal, aborted by the definition's 30 ms timeout, ends it.
        Slow: (_args, { signal }) =>
          new Promise((_resolve, reject) => {
            signal.addEventListener('abort', () => {
              reject(signal.reason as Error);
            });
          }),
        Bad: () => {
          badRuns++;
          throw new UnrecoverableError('this address will never work', { errtype: 'BadAddress' });
        },
      },
    });
    await firstValueFrom(worker.pipe(filter((e) => e.type === 'succeeded' || e.type === 'failed'), take(9), toArray()), { defaultValue: undefined });
    const snapshot = worker.metrics();
    assert.deepEqual(snapshot.jobs['Ok']?.outcomes, { succeeded: 5, failed: 0, timedOut: 0, aborted: 0, discarded: 0 });
    assert.deepEqual(snapshot.jobs['Boom']?.outcomes, { succeeded: 0, failed: 2, timedOut: 0, aborted: 0, discarded: 0 });
    assert.deepEqual(snapshot.jobs['Slow']?.outcomes, { succeeded: 0, failed: 0, timedOut: 1, aborted: 0, discarded: 0 });
    assert.deepEqual(snapshot.jobs['Bad']?.outcomes, { succeeded: 0, failed: 0, timedOut: 0, aborted: 0, discarded: 1 });
    const ok = snapshot.jobs['Ok'];
    assert.ok(ok);
    assert.equal(ok.duration.count, 5);
    assert.equal(snapshot.queueLatency.count, 9);
    assert.equal(snapshot.fetchRoundTrip.count, 9);
    assert.equal(snapshot.connections.main, 'connected');
    assert.equal(snapshot.undelivered, 0);
    // The unrecoverable job ran once and sits in dead with its own errtype; the others wait to be retried.
    assert.equal(badRuns, 1);
    assert.deepEqual(fx.server.dead().map((d) => [d.job.jid, d.job.failure?.errtype]), [[bad, 'BadAddress']]);
    const retried = fx.server.retries().map((r) => [r.job.jid, r.job.failure?.errtype]).sort();
    assert.deepEqual(retried, [...boom.map((jid) => [jid, 'Error']), [slow, 'JobTimeout']].sort());
  });

  it('reports ready once a BEAT is answered, with the reasons while it is not', async () => {
    const worker = fx.worker(fx.uniqueQueue(), { beatIntervalMs: 30 });
    assert.deepEqual(worker.health(), { ready: false, live: true, reasons: ['no BEAT answered yet'] });
    const running = worker.subscribe(); // the run goes on while the test looks at it
    try {
      await firstValueFrom(worker.pipe(filter(isWorkerEvent('heartbeat'))), { defaultValue: undefined });
      assert.deepEqual(worker.health(), { ready: true, live: true, reasons: [] });
    } finally {
      running.unsubscribe();
    }
  });

  it('never runs more jobs of a limited queue than its limit, nor fetches one it cannot start, however many wait', async () => {
    const images = fx.uniqueQueue();
    const other = fx.uniqueQueue();
    fx.pushJobs(images, 30, 'Resize');
    fx.pushJobs(other, 30, 'Work');
    let running = 0;
    let peak = 0;
    let peakReserved = 0;
    const worker = fx.worker(images, {
      queues: [images, other],
      concurrency: 8,
      fetchers: 4,
      jobs: defineJobs({ Resize: { queue: images, concurrency: 2 } }),
      handlers: {
        Resize: async () => {
          running++;
          peak = Math.max(peak, running);
          peakReserved = Math.max(peakReserved, fx.server.working().filter((w) => w.job.queue === images).length);
          await new Promise((resolve) => setImmediate(resolve));
          running--;
        },
        Work: () => undefined,
      },
    });
    await firstValueFrom(worker.pipe(filter(isWorkerEvent('succeeded')), take(60), toArray()), { defaultValue: undefined });
    assert.equal(peak, 2);
    assert.ok(peakReserved <= 2, `at most 2 jobs of the limited queue reserved at once, saw ${peakReserved}`);
  });

  it('refuses a jobtype limit without a queue, and top-level connection options with the right name', () => {
    assert.throws(
      () => createWorker({ handlers: { A: () => undefined }, jobs: { A: { concurrency: 2 } } }),
      (e: unknown) => e instanceof InvalidArgumentError && e.argument === 'jobs.A.concurrency',
    );
    assert.throws(
      () => createWorker({ handlers: { A: () => undefined }, url: 'tcp://localhost:7419' } as never),
      (e: unknown) => e instanceof InvalidArgumentError && e.argument === 'url' && /connection\.url/.test(e.message),
    );
  });

  it('takes queues and wid from FAKTORY_QUEUE and FAKTORY_WORKER_ID when the options do not set them', async () => {
    const queue = fx.uniqueQueue();
    fx.pushJobs(queue, 1);
    process.env['FAKTORY_QUEUE'] = `nothing-here, ${queue}`;
    process.env['FAKTORY_WORKER_ID'] = `env-wid-${process.pid}`;
    try {
      const worker = createWorker({ connection: { url: fx.server.url }, stallWarningMs: false, handlers: { Work: () => undefined } });
      assert.equal(worker.wid, `env-wid-${process.pid}`);
      const done = await firstValueFrom(worker.pipe(filter(isWorkerEvent('succeeded'))), { defaultValue: undefined });
      assert.equal(done?.jid, `${queue}-000000`);
      await firstValueFrom(worker.stop(), { defaultValue: undefined });
    } finally {
      delete process.env['FAKTORY_QUEUE'];
      delete process.env['FAKTORY_WORKER_ID'];
    }
  });

  it('applies the same definitions on the producer side: the pushed job lands in the defined queue with its retry', async () => {
    const queue = fx.uniqueQueue();
    const definitions = defineJobs<{ Resize: [url: string] }>({ Resize: { queue, retry: 3, reserveForSeconds: 600 } });
    const client = createClient<{ Resize: [url: string] }>({ url: fx.server.url, jobs: definitions });
    try {
      await firstValueFrom(client.push(client.job('Resize', 'https://x/y.png')), { defaultValue: undefined });
      const [stored] = fx.server.queue(queue);
      assert.equal(stored?.retry, 3);
      assert.equal(stored.reserve_for, 600);
    } finally {
      await firstValueFrom(client.close(), { defaultValue: undefined });
    }
  });
});

describe('a worker whose server cannot be reached', () => {
  it('becomes ready once a server that was down at its start comes up, and says the connection is restored', async () => {
    const down = await startServer({ port: 0 });
    const port = Number(new URL(down.url).port);
    await down.close();
    const { logger, lines } = recordingLogger('info');
    const worker = createWorker({ connection: { url: down.url, reconnect: 20 }, stallWarningMs: false, beatIntervalMs: 30, logger, handlers: { A: () => undefined } });
    const running = worker.subscribe();
    const restored = firstValueFrom(worker.pipe(filter((e) => e.type === 'connectionRestored' && e.client === 'main')), { defaultValue: undefined });
    const beat = firstValueFrom(worker.pipe(filter(isWorkerEvent('heartbeat'))), { defaultValue: undefined });
    await firstValueFrom(worker.pipe(filter((e) => e.type === 'connectionFailed' && e.client === 'main')), { defaultValue: undefined });
    const server = await startServer({ port });
    try {
      await Promise.all([restored, beat]);
      assert.deepEqual(worker.health(), { ready: true, live: true, reasons: [] });
      assert.ok(lines.some((l) => l.message === 'main connection restored'), lines.map((l) => l.message).join('\n'));
    } finally {
      running.unsubscribe();
      await server.close();
    }
  });

  it('logs the first failure at once, then ever less often, with the attempt count and the cause', async () => {
    const gone = await startServer({ port: 0 });
    const url = gone.url;
    await gone.close();
    const { logger, lines, first } = recordingLogger('warn');
    const worker = createWorker({ connection: { url, reconnect: 5 }, stallWarningMs: false, retryDelayMs: () => 5, logger, handlers: { A: () => undefined } });
    const subscription = worker.subscribe();
    try {
      assert.match(await first, /^cannot reach the server \(main connection, attempt 1\), retrying in 5 ms: ConnectionError: /);
      await firstValueFrom(worker.pipe(filter((e) => e.type === 'connectionFailed' && e.client === 'main' && e.attempt === 9)), { defaultValue: undefined });
      const attempts = lines.filter((l) => l.message.startsWith('cannot reach the server (main')).map((l) => /attempt (\d+)/.exec(l.message)?.[1]);
      assert.deepEqual(attempts, ['1', '2', '4', '8']);
      assert.match(lines[0]?.message ?? '', /started/);
    } finally {
      subscription.unsubscribe();
    }
  });
});
