import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { NEVER, filter, firstValueFrom } from 'rxjs';
import { createScriptedClient } from '../../src/testing/marbles/index.js';
import { createWorker, runWorker, streamLogger, type JobFailedEvent, type Logger, type WorkerProcess } from '../../src/worker/index.js';
import { makeJob, testScheduler } from './helpers.js';

/** A process whose signals the test sends and whose exits it records. */
class FakeProcess extends EventEmitter {
  readonly exits: (number | undefined)[] = [];
  exitCode: number | undefined;
  exit(code?: number): never {
    this.exits.push(code);
    return undefined as never;
  }
}

/** A logger that keeps the messages. */
function linesLogger(lines: string[]): Logger {
  const keep = (message: string): void => {
    lines.push(message);
  };
  return { debug: keep, info: keep, warn: keep, error: keep };
}

describe('runWorker', () => {
  it('stops on the first SIGINT, forces on the second, and exits at once with 130 on the third', () => {
    const scheduler = testScheduler();
    const proc = new FakeProcess();
    const lines: string[] = [];
    // A FETCH that never comes back: neither stop can finish.
    const client = createScriptedClient({ scheduler, fetch: () => NEVER });
    const worker = createWorker({ client, scheduler, handlers: { Echo: () => 1 }, stallWarningMs: false, beatIntervalMs: 100_000 });
    void runWorker(worker, { process: proc as unknown as WorkerProcess, logger: linesLogger(lines) });
    proc.emit('SIGINT');
    assert.equal(worker.state, 'terminating');
    proc.emit('SIGINT');
    assert.deepEqual(proc.exits, []);
    proc.emit('SIGINT');
    assert.deepEqual(proc.exits, [130]);
    assert.deepEqual(
      lines.filter((line) => line.startsWith('SIGINT')),
      ['SIGINT: stopping (again to force)', 'SIGINT: forcing stop (again to exit at once)', 'SIGINT: exiting now; jobs in flight stay reserved until their reserve_for runs out'],
    );
  });
});

describe('runWorker logs', () => {
  it('logs each event once when the worker has a logger of its own, also when runWorker is given the same one', async () => {
    const proc = new FakeProcess();
    const lines: string[] = [];
    const logger = linesLogger(lines);
    const client = createScriptedClient({ emptyFetchMs: 5, replyDelayMs: 0 });
    const worker = createWorker({ client, logger, handlers: { Echo: () => 1 }, stallWarningMs: false, beatIntervalMs: 100_000 });
    const code = runWorker(worker, { process: proc as unknown as WorkerProcess, logger });
    proc.emit('SIGTERM');
    assert.equal(await code, 0);
    assert.equal(lines.filter((line) => /^worker \S+ started/.test(line)).length, 1, lines.join('\n'));
    assert.equal(lines.filter((line) => line.startsWith('worker stopped')).length, 1, lines.join('\n'));
    assert.equal(lines.filter((line) => line === 'SIGTERM: stopping').length, 1);
  });
});

describe('runWorker exits', () => {
  it('resolves with a non-zero code (130) after a stop forced by a second SIGINT', async () => {
    const proc = new FakeProcess();
    const client = createScriptedClient({ emptyFetchMs: 5, replyDelayMs: 0 });
    const worker = createWorker({ client, handlers: { Echo: () => 1 }, stallWarningMs: false, beatIntervalMs: 100_000 });
    const code = runWorker(worker, { process: proc as unknown as WorkerProcess, logger: streamLogger({ write: () => undefined }) });
    proc.emit('SIGINT');
    proc.emit('SIGINT');
    assert.equal(await code, 130);
    assert.equal(proc.exitCode, 130);
  });

  it('exits with code 1 graceMs after the shutdown timeout when a handler ignores its abort signal, and says so', async () => {
    const proc = new FakeProcess();
    const lines: string[] = [];
    const exited = new Promise<void>((resolve) => {
      proc.exit = ((exitCode?: number) => {
        proc.exits.push(exitCode);
        resolve();
      }) as never;
    });
    const client = createScriptedClient({ jobs: [makeJob('job-stuck')], emptyFetchMs: 5, replyDelayMs: 0 });
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    let release!: () => void;
    const worker = createWorker({
      client, stallWarningMs: false, beatIntervalMs: 100_000, shutdownTimeoutMs: 20, deliveryGraceMs: 1_000,
      handlers: { Echo: () => { started(); return new Promise<void>((resolve) => (release = resolve)); } }, // ignores its signal
    });
    const done = runWorker(worker, { process: proc as unknown as WorkerProcess, logger: linesLogger(lines), graceMs: 30 });
    await running;
    // The FAIL goes out at the shutdown timeout; on a busy machine its event may come after the exit.
    const failed = firstValueFrom(worker.pipe(filter((e): e is JobFailedEvent => e.type === 'failed')), { defaultValue: undefined });
    proc.emit('SIGTERM');
    await exited;
    assert.deepEqual(proc.exits, [1]);
    assert.equal((await failed)?.jid, 'job-stuck', 'the job was FAILed at the shutdown timeout');
    assert.equal(client.callsOf('FAIL').length, 1);
    assert.ok(lines.some((line) => /1 handlers ignored their abort signal; exiting without them .*job-stuck/.test(line)), lines.join('\n'));
    release(); // a real process has exited by now; here the run ends once the handler settles
    await done;
  });
});
