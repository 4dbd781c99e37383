import assert from 'node:assert/strict';
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { useServerFixture } from './server-fixture.js';

const fx = useServerFixture();
const entry = fileURLToPath(new URL('./fixtures/worker-process.ts', import.meta.url));

/** Starts the worker process and resolves once it has started; `exited` resolves with its code and summary line. */
async function workerProcess(
  queue: string, mode: string, concurrency: number, arg: number, env: Record<string, string> = {},
): Promise<{ child: ChildProcessByStdio<null, Readable, Readable>; exited: Promise<{ code: number | null; summary: Record<string, number> }> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', entry, fx.server.url, queue, mode, String(concurrency), String(arg)], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const started = new Promise<void>((resolve) => {
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('started\n')) resolve();
    });
  });
  const exited = once(child, 'exit').then(([code]) => {
    const last = out.trim().split('\n').at(-1) ?? '';
    if (code !== 0 && child.signalCode === null) assert.fail(`worker process exited with ${String(code)}: ${err}`);
    return { code: code as number | null, summary: last.startsWith('{') ? (JSON.parse(last) as Record<string, number>) : {} };
  });
  await Promise.race([started, exited]);
  return { child, exited };
}

describe('a worker in its own process, against the in-memory server', () => {
  it('leaves no job reserved when the process exits as soon as stop() completes', async () => {
    const queue = fx.uniqueQueue();
    const jids = fx.pushJobs(queue, 400);
    const { exited } = await workerProcess(queue, 'exit-on-stop', 20, 150);
    const { code } = await exited;
    assert.equal(code, 0);
    await fx.server.until.connections(0);
    assert.deepEqual(fx.server.working().filter((w) => w.job.queue === queue), []);
    const left = fx.server.queue(queue).length;
    assert.ok(left < jids.length - 150, `${left} jobs left of ${jids.length}`);
  });

  it('leaves at most concurrency + fetchers jobs reserved when killed with SIGKILL at a random moment', async () => {
    const queue = fx.uniqueQueue();
    fx.pushJobs(queue, 2_000);
    const concurrency = 10;
    const fetchers = 6; // the default: min(concurrency, 6)
    const { child, exited } = await workerProcess(queue, 'run', concurrency, 0);
    const before = fx.server.queue(queue).length;
    const killAfter = 50 + Math.floor(Math.random() * 800);
    await fx.server.waitFor((s) => before - s.queue(queue).length >= killAfter, { timeoutMs: 60_000 });
    child.kill('SIGKILL');
    await exited;
    await fx.server.until.connections(0);
    const reserved = fx.server.working().filter((w) => w.job.queue === queue).length;
    assert.ok(reserved <= concurrency + fetchers, `${reserved} jobs reserved after a kill at ${killAfter} jobs`);
  });

  it('strands nothing when a handler blocks the event loop for longer than the reply timeout', async () => {
    const queue = fx.uniqueQueue();
    const total = 300;
    fx.pushJobs(queue, total);
    const { child, exited } = await workerProcess(queue, 'block', 10, 100, { BLOCK_MS: '1500', COMMAND_TIMEOUT_MS: '1000', TOTAL: String(total) });
    try {
      // A FETCH reply thrown away with its connection leaves its job reserved: working() never drains.
      await fx.server.until.queueEmpty(queue, { timeoutMs: 60_000 });
      await fx.server.waitFor((s) => s.working().every((w) => w.job.queue !== queue), { timeoutMs: 20_000 });
    } catch (error) {
      child.kill('SIGKILL');
      throw error;
    }
    const { code, summary } = await exited;
    assert.equal(code, 0);
    await fx.server.until.connections(0);
    assert.deepEqual(fx.server.working().filter((w) => w.job.queue === queue), []);
    assert.equal(fx.server.queue(queue).length, 0);
    assert.equal(summary['succeeded'], total);
    assert.equal(summary['deliveryLost'] ?? 0, 0);
  });
});
