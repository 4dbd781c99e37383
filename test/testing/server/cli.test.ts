import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { RawClient } from './raw-client.js';

function run(args: string[]): ReturnType<typeof spawn> {
  return spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
}

async function output(child: ReturnType<typeof spawn>): Promise<{ code: number | null; stdout: string }> {
  let stdout = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout };
}

describe('faktory-rx CLI', () => {
  it('runs `server --port 0`, prints its URL and the in-memory warning, serves, and exits 0 on SIGTERM', async () => {
    const child = run(['server', '--port', '0']);
    const lines = createInterface({ input: child.stdout! });
    const exited = once(child, 'exit');
    let url: string | undefined;
    let warned = false;
    for await (const line of lines) {
      url ??= /listening on (tcp:\/\/\S+)/.exec(line)?.[1];
      warned ||= line.includes('not a production Faktory');
      if (line.startsWith('Press Ctrl-C')) break;
    }
    assert.ok(url !== undefined);
    assert.ok(warned);
    const client = await RawClient.ready(Number(new URL(url).port));
    assert.equal(await client.call('FLUSH'), '+OK\r\n');
    child.kill('SIGTERM');
    await client.closed();
    const [code] = (await exited) as [number | null];
    assert.equal(code, 0);
  });

  it('lists its subcommands on --help and documents the server options on server --help', async () => {
    const top = await output(run(['--help']));
    assert.equal(top.code, 0);
    assert.match(top.stdout, /server\s+run the in-memory development\/test Faktory server/);
    const server = await output(run(['server', '--help']));
    assert.equal(server.code, 0);
    for (const option of ['--port', '--host', '--password', '--enterprise', '--fetch-wait-ms', '--help']) assert.ok(server.stdout.includes(option), option);
  });

  it('passes --fetch-wait-ms to the server, which refuses one that is not a whole number', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'server', '--port', '0', '--fetch-wait-ms=1.5'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 1);
    assert.match(stderr, /fetchWaitMs|non-negative/);
  });

  it('exits 2 on an unknown subcommand', async () => {
    const result = await output(run(['nope']));
    assert.equal(result.code, 2);
  });
});
