import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { httpGet } from './http-get.js';
import { startServer } from '../../src/testing/server/index.js';

const entry = fileURLToPath(new URL('./fixtures/work-cli.ts', import.meta.url));
const jobs = fileURLToPath(new URL('./fixtures/beating-jobs.ts', import.meta.url));


/** Asks /healthz until it answers `status` (each answer is the next question's cue; no fixed sleeps). */
async function healthBecomes(port: number, status: number): Promise<{ status: number; body: string }> {
  for (;;) {
    const answer = await httpGet(port, '/healthz');
    if (answer.status === status) return answer;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('faktory-rx work --metrics-port', () => {
  it('serves /metrics and /healthz: healthy, then 503 while the server is gone, healthy again once it is back', async () => {
    let server = await startServer({ port: 0 });
    const port = Number(new URL(server.url).port);
    const queue = `metrics${process.pid}`;
    for (let i = 0; i < 3; i++) server.push({ jid: `metrics-job-${i}`, jobtype: 'Work', args: [i], queue });
    const child = spawn(process.execPath, ['--import', 'tsx', entry, '--require', jobs, '-q', queue, '--metrics-port', '0', '--metrics-host', '127.0.0.1', '--log-format', 'json'], {
      env: { ...process.env, FAKTORY_URL: server.url },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    const metricsPort = new Promise<number>((resolve, reject) => {
      child.once('exit', (code) => {
        reject(new Error(`the worker exited with ${String(code)} before serving metrics:\n${stderr}`));
      });
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        for (const line of stderr.split('\n')) {
          const p = /"metricsPort":(\d+)/.exec(line)?.[1];
          if (p !== undefined) resolve(Number(p));
        }
      });
    });
    try {
      const http = await metricsPort;
      const healthy = await healthBecomes(http, 200);
      assert.deepEqual(JSON.parse(healthy.body), { ready: true, live: true, reasons: [], state: 'running' });
      await server.until.processed(3);
      const scraped = await httpGet(http, '/metrics');
      assert.match(scraped.body, /^faktory_worker_jobs_total\{jobtype="Work",outcome="succeeded"\} 3$/m);

      await server.close();
      const down = await healthBecomes(http, 503);
      assert.equal((JSON.parse(down.body) as { ready: boolean }).ready, false);

      server = await startServer({ port });
      await healthBecomes(http, 200);

      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const [code] = (await exited) as [number | null];
      assert.equal(code, 0, stderr);
      // The log is one JSON object a line.
      const lines = stderr.trim().split('\n');
      for (const line of lines) assert.doesNotThrow(() => JSON.parse(line) as unknown, line);
      assert.ok(lines.some((line) => (JSON.parse(line) as { msg: string }).msg.startsWith('worker running -> terminating')), stderr);
    } finally {
      child.kill('SIGKILL');
      await server.close();
    }
  });
});
