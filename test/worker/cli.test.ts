import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { startServer } from '../../src/testing/server/index.js';
import { runWorkCommand } from '../../src/cli/work.js';

const entry = fileURLToPath(new URL('./fixtures/work-cli.ts', import.meta.url));
const jobs = fileURLToPath(new URL('./fixtures/slow-jobs.ts', import.meta.url));

describe('faktory-rx work', () => {
  it('exits cleanly on SIGTERM, FAILing the jobs still running after the shutdown timeout', async () => {
    const server = await startServer({ port: 0 });
    try {
      const queue = `cli${process.pid}`;
      for (let i = 0; i < 2; i++) server.push({ jid: `cli-job-000${i}`, jobtype: 'Slow', args: [], queue });
      const child = spawn(process.execPath, ['--import', 'tsx', entry, '--require', jobs, '-q', queue, '-c', '4', '-t', '0.2'], {
        env: { ...process.env, FAKTORY_URL: server.url },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      let started = 0;
      const bothStarted = new Promise<void>((resolve) => {
        child.stdout.on('data', (chunk: Buffer) => {
          started += chunk.toString().split('started').length - 1;
          if (started >= 2) resolve();
        });
      });
      await bothStarted;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const [code] = (await exited) as [number | null];
      assert.equal(code, 0, stderr);
      assert.equal(server.working().length, 0);
      const retried = server.retries().filter((r) => r.job.queue === queue);
      assert.deepEqual(retried.map((r) => r.job.failure?.errtype), ['WorkerShutdown', 'WorkerShutdown']);
      assert.match(stderr, /SIGTERM/);
    } finally {
      await server.close();
    }
  });

  it('prints help with --help and refuses unknown options', async () => {
    const write = process.stdout.write.bind(process.stdout);
    const writeErr = process.stderr.write.bind(process.stderr);
    let out = '';
    process.stdout.write = ((chunk: string) => ((out += chunk), true));
    process.stderr.write = ((chunk: string) => ((out += chunk), true));
    try {
      assert.equal(await runWorkCommand(['--help']), 0);
      assert.match(out, /--require/);
      assert.equal(await runWorkCommand(['--bogus']), 2);
      assert.equal(await runWorkCommand([]), 2);
    } finally {
      process.stdout.write = write;
      process.stderr.write = writeErr;
    }
  });
});
