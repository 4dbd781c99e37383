import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { NEVER } from 'rxjs';
import { createScriptedClient } from '../../src/testing/marbles/index.js';
import { createWorker, runWorker, type WorkerProcess } from '../../src/worker/index.js';
import { testScheduler } from './helpers.js';

/** A process whose signals the test sends and whose exits it records. */
class FakeProcess extends EventEmitter {
  readonly exits: (number | undefined)[] = [];
  exitCode: number | undefined;
  exit(code?: number): never {
    this.exits.push(code);
    return undefined as never;
  }
}

describe('runWorker', () => {
  it('stops on the first SIGINT, forces on the second, and exits at once with 130 on the third', () => {
    const scheduler = testScheduler();
    const proc = new FakeProcess();
    const lines: string[] = [];
    // A FETCH that never comes back: neither stop can finish.
    const client = createScriptedClient({ scheduler, fetch: () => NEVER });
    const worker = createWorker({ client, scheduler, handlers: { Echo: () => 1 }, stallWarningMs: false, beatIntervalMs: 100_000 });
    void runWorker(worker, { process: proc as unknown as WorkerProcess, log: (line) => lines.push(line) });
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
