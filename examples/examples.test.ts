/**
 * Runs every example program (and the demo) as a child process, as a user would, against a
 * fresh in-memory server passed in FAKTORY_URL, so that none of them can rot: each must exit 0,
 * print what it is about, and leave the server in the state it claims.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { startServer, type FaktoryServer } from '../src/testing/index.js';

const root = fileURLToPath(new URL('..', import.meta.url));

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `node --import tsx examples/<file> ...args` and resolves when it exits (killed after 50 s as a safety net). */
function runExample(file: string, args: readonly string[], env: Readonly<Record<string, string>>): Promise<Run> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  delete childEnv['FAKTORY_PROVIDER'];
  if (env['FAKTORY_URL'] === undefined) delete childEnv['FAKTORY_URL'];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', `examples/${file}`, ...args], {
      cwd: root,
      env: childEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 50_000,
      killSignal: 'SIGKILL', // a hung worker traps SIGTERM for a graceful stop
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      resolve({ code, stdout, stderr });
    });
  });
}

/** Starts a fresh in-memory server (Enterprise mode, for the batches example), runs `file` against it, and closes it. */
async function withServer(check: (server: FaktoryServer, url: string) => Promise<void>): Promise<void> {
  const server = await startServer({ enterprise: true });
  try {
    await check(server, server.url);
  } finally {
    await server.close();
  }
}

function assertSucceeded(run: Run, file: string): void {
  assert.equal(run.code, 0, `${file} exited with ${String(run.code)}\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`);
}

/** The ACKed jobs: INFO's total_processed counts FAILs too, as Faktory 1.9.4 does. */
function processed(server: FaktoryServer): number {
  const { faktory } = server.info() as { faktory: { total_processed: number; total_failures: number } };
  return faktory.total_processed - faktory.total_failures;
}

describe('the examples', { concurrency: 3 }, () => {
  it('producer.ts pushes one job, schedules two and bulk-pushes five, and refuses an invalid one before sending', async () => {
    await withServer(async (server, url) => {
      const run = await runExample('producer.ts', [], { FAKTORY_URL: url });
      assertSucceeded(run, 'producer.ts');
      assert.match(run.stdout, /bulk-pushed 5 ResizeAvatar jobs, 0 rejected/);
      assert.match(run.stdout, /refused before sending: invalid job field 'queue'/);
      assert.equal(server.queue('examples').length, 5);
      assert.equal(server.queue('examples-mail').length, 1);
      assert.equal(server.scheduled().length, 2);
    });
  });

  it('worker.ts runs its four jobs through handlers and middleware, then stops gracefully with --stop-after', async () => {
    await withServer(async (server, url) => {
      const run = await runExample('worker.ts', ['--stop-after', '4'], { FAKTORY_URL: url });
      assertSucceeded(run, 'worker.ts');
      assert.match(run.stdout, /sent the welcome email to user 2 <grace@example.com>/);
      assert.match(run.stdout, /worker stopped after 4 jobs \(exit code 0\)/);
      assert.match(run.stderr, /terminating -> stopped/);
      assert.equal(processed(server), 4);
    });
  });

  it('per-queue-concurrency.ts builds a worker from the operators, one lane per queue, each within its own limit', async () => {
    await withServer(async (server, url) => {
      const run = await runExample('per-queue-concurrency.ts', [], { FAKTORY_URL: url });
      assertSucceeded(run, 'per-queue-concurrency.ts');
      assert.match(run.stdout, /examples-images: 6 jobs, at most 2 at once/);
      assert.match(run.stdout, /examples-mail: 10 jobs, at most [1-5] at once/);
      assert.equal(processed(server), 16);
      assert.deepEqual(server.working(), []);
    });
  });

  it('rx-pipeline.ts turns 40 domain events into jobs with pushJobs and reports one result per job', async () => {
    await withServer(async (server, url) => {
      const run = await runExample('rx-pipeline.ts', [], { FAKTORY_URL: url });
      assertSucceeded(run, 'rx-pipeline.ts');
      assert.match(run.stdout, /rejected: address is on the block list/);
      assert.match(run.stdout, /'pushed SendReceipt': 34/);
      const queued = server.queue('examples');
      assert.equal(queued.length, 39);
      assert.ok(queued.every((j) => j.custom?.['tenant'] === 'acme'), 'push middleware tagged every job');
    });
  });

  it('batches-and-tracking.ts runs a batch to its success callback and reads back the tracked jobs', async () => {
    await withServer(async (server, url) => {
      const run = await runExample('batches-and-tracking.ts', [], { FAKTORY_URL: url });
      assertSucceeded(run, 'batches-and-tracking.ts');
      assert.match(run.stdout, /success callback for "nightly import"/);
      assert.match(run.stdout, /batch status: total 3, pending 0, failed 0, success callback '2'/);
      assert.match(run.stdout, /track import-orders\.csv: success, 100%/);
      assert.equal(processed(server), 4);
    });
  });

  it('trace-propagation.ts carries the trace of the pushing request into the job and the job it pushes in turn', async () => {
    await withServer(async (server, url) => {
      const run = await runExample('trace-propagation.ts', [], { FAKTORY_URL: url });
      assertSucceeded(run, 'trace-propagation.ts');
      const trace = /request trace ([0-9a-f]{32})/.exec(run.stdout)?.[1];
      assert.ok(trace !== undefined, run.stdout);
      assert.match(run.stdout, new RegExp(`ChargeCard ran in trace ${trace}`));
      assert.match(run.stdout, new RegExp(`SendReceipt ran in trace ${trace}`));
      assert.equal(processed(server), 2);
    });
  });

  it('production.ts applies job definitions on both sides, keeps the queue limit, sends the unrecoverable job to dead, and serves health and metrics', async () => {
    await withServer(async (server, url) => {
      const run = await runExample('production.ts', [], { FAKTORY_URL: url });
      assertSucceeded(run, 'production.ts');
      assert.match(run.stdout, /GET \/healthz: 200 \{"ready":true,"live":true,"reasons":\[\],"state":"running"\}/);
      assert.match(run.stdout, /faktory_worker_jobs_total\{jobtype="ResizeImage",outcome="succeeded"\} 6/);
      assert.match(run.stdout, /faktory_worker_jobs_total\{jobtype="SendEmail",outcome="discarded"\} 1/);
      assert.match(run.stdout, /ResizeImage ran at most [12] at once \(limit 2\)/);
      assert.deepEqual(server.dead().map((d) => d.job.failure?.errtype), ['BadAddress']);
      assert.match(run.stderr, /"level":"warn","msg":"job .* \(SendEmail\) failed \(discarded\)/);
    });
  });

  it('tls-and-password.ts connects over TLS with a password and shows the errors of each mismatch', async () => {
    const run = await runExample('tls-and-password.ts', [], {});
    assertSucceeded(run, 'tls-and-password.ts');
    assert.match(run.stdout, /trusted CA, right password: connected/);
    assert.match(run.stdout, /wrong password *: AuthenticationError/);
    assert.match(run.stdout, /certificate not trusted *: HandshakeError/);
    assert.match(run.stdout, /tcp:\/\/ to a TLS server *: HandshakeError .*connect with tcp\+tls:\/\//);
    assert.doesNotMatch(run.stdout, /s3cret/, 'the password never appears in output');
  });

  it('demo.ts processes every job against the Faktory in FAKTORY_URL and prints the summary', async () => {
    await withServer(async (server, url) => {
      const run = await runExample('demo.ts', ['--jobs', '500', '--concurrency', '20'], { FAKTORY_URL: url });
      assertSucceeded(run, 'demo.ts');
      assert.match(run.stdout, /processed \(ACKed\) +│ 500 in/);
      assert.match(run.stdout, /retries +│ 3 requeued from the retries set with MUTATE/);
      assert.doesNotMatch(run.stdout, /in-memory Faktory server in this process/);
      assert.doesNotMatch(run.stdout, /\r/, 'stdout is not a TTY: plain lines, no redrawn bar');
      assert.equal(processed(server), 500);
    });
  });

  it('demo.ts starts its own in-memory server when FAKTORY_URL is unset, and --help lists the options', async () => {
    const run = await runExample('demo.ts', ['--jobs', '300'], {});
    assertSucceeded(run, 'demo.ts');
    assert.match(run.stdout, /FAKTORY_URL is not set: started faktory-rx's in-memory Faktory server/);
    assert.match(run.stdout, /processed \(ACKed\) +│ 300 in/);
    assert.match(run.stdout, /\d+ open at peak, \d+ opened in all \(server stats\)/);
    const help = await runExample('demo.ts', ['--help'], {});
    assertSucceeded(help, 'demo.ts --help');
    assert.match(help.stdout, /--jobs <n>.*default: 20000/);
    assert.match(help.stdout, /--concurrency <n>/);
    assert.match(help.stdout, /--url <url>/);
  });
});
