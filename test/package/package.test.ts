// The package as a user installs it: `npm pack`, then an offline `npm install` of the tarball into
// a scratch project (its dependencies linked from this repo's node_modules, so no network), then
// the installed bin, both entry points under ESM and CommonJS, and the shipped typings under
// `skipLibCheck: false` with three module resolutions. No TypeScript loader runs in the scratch
// project. Needs `npm run build` first (`npm test` builds before it tests).
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startServer } from '../../src/testing/index.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const fixtures = fileURLToPath(new URL('./fixtures', import.meta.url));
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string; dependencies: Record<string, string> };

let scratch = '';
let installed = '';

/** The environment of a user's shell: node on the PATH, no loader in NODE_OPTIONS. */
function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env['PATH'] ?? ''}`, ...extra };
  delete env['NODE_OPTIONS'];
  delete env['FAKTORY_PROVIDER'];
  return env;
}

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function collect(child: ChildProcess): { output: () => Run; exited: Promise<Run> } {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const output = (code: number | null = null): Run => ({ code, stdout, stderr });
  const exited = once(child, 'exit').then(([code]) => output(code as number | null));
  return { output, exited };
}

/** Runs the installed bin, as `npx faktory-rx` would, and waits for it to exit. */
async function bin(args: readonly string[]): Promise<Run> {
  const child = spawn(join(scratch, 'node_modules', '.bin', 'faktory-rx'), args, { cwd: scratch, env: userEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  return collect(child).exited;
}

/** Runs a file of the scratch project with plain node. */
async function node(file: string): Promise<Run> {
  const child = spawn(process.execPath, [file], { cwd: scratch, env: userEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  return collect(child).exited;
}

/**
 * Runs `faktory-rx work --require <module> <args>` from the scratch project against a fresh
 * in-memory server holding one job, waits until the job was ACKed, stops the worker with
 * SIGTERM, and returns what it printed.
 */
async function work(module: string, args: readonly string[] = []): Promise<Run & { readonly jid: string }> {
  const server = await startServer({ port: 0 });
  try {
    const queue = 'cli-jobs';
    const jid = 'package-job-1';
    server.push({ jid, jobtype: 'Hello', args: [module], queue, retry: 0 });
    const child = spawn(join(scratch, 'node_modules', '.bin', 'faktory-rx'), ['work', '--require', module, ...args], {
      cwd: scratch,
      env: userEnv({ FAKTORY_URL: server.url, JOBS_QUEUE: queue }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const { output, exited } = collect(child);
    const acked = server.until.processed(1);
    await Promise.race([acked, exited.then((run) => Promise.reject(new Error(`exited early with ${String(run.code)}: ${run.stderr}`)))]);
    child.kill('SIGTERM');
    const run = await exited;
    assert.equal(server.dead().length + server.retries().length, 0, output().stderr);
    return { ...run, jid };
  } finally {
    await server.close();
  }
}

describe('the packed package, installed into a scratch project', () => {
  before(() => {
    assert.ok(existsSync(join(root, 'dist', 'esm', 'index.js')), 'dist/ is missing: run `npm run build` first (npm test does)');
    scratch = mkdtempSync(join(tmpdir(), 'faktory-rx-package-'));
    const tarball = execFileSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', scratch], { cwd: root, env: userEnv(), encoding: 'utf8' }).trim().split('\n').pop() ?? '';
    cpSync(fixtures, scratch, { recursive: true });
    writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'scratch', private: true }) + '\n');
    const links = [...Object.keys(manifest.dependencies), '@types/node'].map((name) => join(root, 'node_modules', name));
    execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock', `./${tarball}`, ...links], { cwd: scratch, env: userEnv(), stdio: 'pipe' });
    installed = join(scratch, 'node_modules', 'faktory-rx');
  });
  after(() => {
    rmSync(scratch, { recursive: true, force: true });
  });

  it('ships the LICENSE and source maps that carry their sources', () => {
    assert.match(readFileSync(join(installed, 'LICENSE'), 'utf8'), /^MIT License/);
    const maps = readdirSync(join(installed, 'dist'), { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.map'));
    assert.ok(maps.length > 0);
    for (const file of maps) {
      const map = JSON.parse(readFileSync(join(installed, 'dist', file), 'utf8')) as { sources: string[]; sourcesContent?: (string | null)[] };
      assert.equal(map.sourcesContent?.length, map.sources.length, file);
      assert.ok(map.sourcesContent.every((source) => typeof source === 'string' && source.length > 0), file);
    }
  });

  it('prints its version on --version and every command and option on --help', async () => {
    const version = await bin(['--version']);
    assert.deepEqual([version.code, version.stdout.trim()], [0, manifest.version]);
    const help = await bin(['--help']);
    assert.equal(help.code, 0);
    for (const text of ['server', 'work', '--version', '--require', '--queues', '--concurrency', '--timeout', '--job-timeout', '--url', '--label', '--wid', '--port', '--password', '--enterprise', '--import tsx']) {
      assert.ok(help.stdout.includes(text), text);
    }
  });

  it('runs the in-memory server from the bin until SIGTERM', async () => {
    const child = spawn(join(scratch, 'node_modules', '.bin', 'faktory-rx'), ['server', '--port', '0'], { cwd: scratch, env: userEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    const { output, exited } = collect(child);
    const listening = new Promise<void>((resolve) => {
      child.stdout.on('data', () => {
        if (output().stdout.includes('Press Ctrl-C')) resolve();
      });
    });
    await Promise.race([listening, exited.then((run) => Promise.reject(new Error(`exited early with ${String(run.code)}: ${run.stderr}`)))]);
    assert.match(output().stdout, /listening on tcp:\/\/127\.0\.0\.1:\d+/);
    child.kill('SIGTERM');
    assert.equal((await exited).code, 0);
  });

  it('runs both entry points as ES modules and as CommonJS', async () => {
    for (const [file, arg] of [['consumer.mjs', 'esm'], ['consumer.cjs', 'cjs']] as const) {
      const run = await node(file);
      assert.equal(run.code, 0, run.stderr);
      const result = JSON.parse(run.stdout) as { jid: string; fetched: string; args: unknown[] };
      assert.deepEqual([result.fetched, result.args], [result.jid, [arg]]);
    }
  });

  it('exports the same deliberate set of values from ESM and CommonJS, one name per concept', async () => {
    const expected = {
      main: [
        'AuthenticationError', 'ClosedError', 'ConnectionError', 'DURATION_BUCKETS_MS', 'FaktoryError', 'HandshakeError',
        'InvalidArgumentError', 'InvalidJobError', 'JOB_OUTCOMES', 'JOB_RULES', 'JobTimeoutError', 'ProtocolError', 'ServerError',
        'TimeoutError', 'UnknownJobTypeError', 'UnrecoverableError', 'WorkerMetrics', 'WorkerShutdownError', 'createClient',
        'createWorker', 'defineJobs', 'discardUnrecoverable', 'exponentialBackoff', 'fetchJobs', 'fetchOnDemand', 'isRetriable',
        'isWorkerEvent', 'job', 'jobDefaults', 'jobDemand', 'prometheusText', 'pushJobs', 'queueOrder', 'resolveConfig', 'runJobs',
        'runWorker', 'settleJobs', 'startMetricsServer', 'streamLogger', 'validateJob', 'workerHealth', 'workerLogRecord',
      ],
      testing: [
        'FaktoryServer', 'SCHEDULER_TICK_MS', 'SERVER_DEFAULTS', 'SWEEP_INTERVAL_MS', 'WAIT_DEFAULTS', 'createManualClock', 'createScriptedClient',
        'passwordHash', 'realClock', 'serverError', 'startServer',
      ],
    };
    for (const file of ['exports.mjs', 'exports.cjs']) {
      const run = await node(file);
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(JSON.parse(run.stdout), expected, file);
    }
  });

  it('works jobs with handlers and options from an ES module (.mjs)', async () => {
    const run = await work('./jobs.mjs');
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`ran ${run.jid} \\["./jobs.mjs"\\]`));
  });

  it('works jobs with handlers and options from CommonJS module.exports (.cjs) that requires the package', async () => {
    const run = await work('./jobs.cjs');
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`ran ${run.jid}`));
  });

  it('works jobs with a default export of handlers from a .js ES module, queues from the flags', async () => {
    const run = await work('./esm/jobs.js', ['-q', 'cli-jobs', '-c', '1']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`ran ${run.jid}`));
  });

  it('lets command-line flags win over the options the module exports', async () => {
    // The module's options name another queue: the job is worked only because --queues wins.
    const run = await work('./esm/jobs-with-options.js', ['--queues', 'cli-jobs']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`ran ${run.jid}`));
  });

  it('says how to load a TypeScript handler module when no loader is installed', async () => {
    writeFileSync(join(scratch, 'jobs.ts'), 'export const handlers = {};\n');
    const run = await bin(['work', '--require', './jobs.ts']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /invalid --require: \.\/jobs\.ts is TypeScript: run with a loader, e\.g\. NODE_OPTIONS='--import tsx'/);
  });

  it('works jobs with a TypeScript handler module under the documented NODE_OPTIONS loader', async () => {
    // What the README says, with tsx taken from this repo (the scratch project has none).
    const tsx = pathToFileURL(join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
    const server = await startServer({ port: 0 });
    try {
      server.push({ jid: 'package-ts-1', jobtype: 'Hello', args: ['ts'], queue: 'ts-jobs', retry: 0 });
      const child = spawn(join(scratch, 'node_modules', '.bin', 'faktory-rx'), ['work', '--require', './typed-jobs.ts', '-q', 'ts-jobs', '-c', '1'], {
        cwd: scratch,
        env: { ...userEnv({ FAKTORY_URL: server.url }), NODE_OPTIONS: `--import ${tsx}` },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const { exited } = collect(child);
      await Promise.race([server.until.processed(1), exited.then((run) => Promise.reject(new Error(`exited early with ${String(run.code)}: ${run.stderr}`)))]);
      child.kill('SIGTERM');
      const run = await exited;
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /ran package-ts-1 TS/);
    } finally {
      await server.close();
    }
  });

  for (const [resolution, module, files] of [
    ['node16', 'node16', ['consumer.ts', 'consumer.mts', 'typed-jobs.ts']],
    ['node10', 'commonjs', ['consumer.ts']],
    ['bundler', 'esnext', ['consumer.ts']],
  ] as const) {
    it(`compiles a strict TypeScript user of both entries with skipLibCheck: false under moduleResolution ${resolution}`, () => {
      const config = `tsconfig.${resolution}.json`;
      const compilerOptions = { target: 'ES2022', lib: ['ES2023'], module, moduleResolution: resolution, strict: true, skipLibCheck: false, noEmit: true, types: ['node'] };
      writeFileSync(join(scratch, config), JSON.stringify({ compilerOptions, include: files }));
      try {
        execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', config], { cwd: scratch, encoding: 'utf8', stdio: 'pipe' });
      } catch (error) {
        assert.fail(`tsc -p ${config} failed:\n${String((error as { stdout?: unknown }).stdout)}`);
      }
    });
  }
});
