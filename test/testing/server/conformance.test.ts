// The shared wire-conformance checker against the in-memory server: every training transcript
// recorded on a real Faktory 1.9.4 (quirk cases left out) must give the same replies. The checker
// and its recordings are the team's, in ../shared/conformance; where that folder is absent (a
// clone elsewhere), the copy in test/conformance is used. Each
// case starts with a FLUSH, so the groups run in shards, each against its own pair of servers
// (plain, and with the password the password cases expect), to keep the wall time down.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../../../src/testing/index.js';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../../..');
const SHARED = resolve(ROOT, '../shared/conformance');
const DIR = existsSync(join(SHARED, 'conformance.mjs')) ? SHARED : resolve(ROOT, 'test/conformance');
const CHECKER = join(DIR, 'conformance.mjs');
const GOLDEN = join(DIR, 'golden-faktory-1.9.4.train.json');
const PASSWORD = 'pw-!@#:/';

/** The case groups, in shards of roughly equal wall time (most of it is the real 2 s FETCH and handshake waits). */
const SHARDS = [
  ['fetch'],
  ['flush', 'end', 'scheduled', 'ack', 'info'],
  ['handshake', 'password', 'enterprise'],
  ['queue', 'beat'],
  ['misc', 'pushb', 'fail'],
  ['push', 'mutate'],
];

interface Outcome {
  readonly code: number;
  readonly summary: string;
  readonly failures: string;
}

async function checkShard(groups: readonly string[], workDir: string): Promise<Outcome> {
  const plain = await startServer();
  const secured = await startServer({ password: PASSWORD });
  const details = join(workDir, `${groups[0] ?? 'shard'}.txt`);
  try {
    const args = [
      CHECKER,
      'check',
      '--no-quirks',
      '--url',
      plain.url,
      '--password-url',
      secured.url,
      '--golden',
      GOLDEN,
      '--only',
      groups.join(','),
      '--details',
      details,
    ];
    const { code, stdout } = await new Promise<{ code: number; stdout: string }>((done) => {
      execFile(process.execPath, args, { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 }, (error, out) => {
        done({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout: out });
      });
    });
    const text = existsSync(details) ? readFileSync(details, 'utf8') : '';
    const failures = text
      .split(/\n(?=\S)/)
      .filter((block) => block.startsWith('FAIL '))
      .join('\n');
    return { code, summary: stdout.trim().split('\n').at(-1) ?? '', failures };
  } finally {
    await Promise.all([plain.close(), secured.close()]);
  }
}

/** The case groups the checker knows, from the first line of `conformance.mjs list` (`N cases in M groups: a 24, b 12, ...`). */
async function listedGroups(): Promise<string[]> {
  const stdout = await new Promise<string>((done, fail) => {
    execFile(process.execPath, [CHECKER, 'list'], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 }, (error, out) => {
      if (error === null) done(out);
      else fail(new Error(`conformance.mjs list failed: ${error.message}`));
    });
  });
  const header = /groups: (.*)$/m.exec(stdout)?.[1] ?? '';
  return header.split(', ').map((entry) => entry.split(' ')[0] ?? '');
}

describe('in-memory server: conformance with the recordings of Faktory 1.9.4', () => {
  it('gives the real server replies in every training transcript (quirks left out), plain and with a password', async (t) => {
    assert.ok(existsSync(CHECKER) && existsSync(GOLDEN), `the checker is missing: expected ${CHECKER} and ${GOLDEN}`);
    const workDir = mkdtempSync(join(tmpdir(), 'faktory-rx-conformance-'));
    t.after(() => {
      rmSync(workDir, { recursive: true, force: true });
    });
    const groups = await listedGroups();
    assert.deepEqual(SHARDS.flat().sort(), groups.sort(), 'every group of the checker runs in one shard');
    const outcomes = await Promise.all(SHARDS.map((shard) => checkShard(shard, workDir)));
    for (const [index, outcome] of outcomes.entries()) {
      const shard = SHARDS[index]?.join(', ') ?? '';
      assert.match(outcome.summary, /^\d+ passed, 0 failed/, `${shard}: ${outcome.summary}\n${outcome.failures}`);
      assert.equal(outcome.code, 0, `${shard}: the checker exited with ${outcome.code}\n${outcome.failures}`);
    }
  });
});
