// Runs every test file under test/ (and examples/*.test.ts) with Node's test runner and the tsx
// loader. Extra arguments filter the files by substring: `npm run test:unit -- codec`.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function collect(dir) {
  let out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out = out.concat(collect(path));
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}
const filters = process.argv.slice(2);
const files = ['test', 'examples']
  .flatMap((dir) => collect(dir))
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
// A test that hangs fails after --test-timeout. No --test-force-exit: with it, Node's runner can
// drop the last results of a file without a word (nodejs/node#64833: seen here as 7 RespDecoder
// tests missing from a green run's count), so a failure there would go unreported. A file that
// leaves a handle open keeps the run from ending instead, which the watchdog below turns into a
// failure that says so.
const RUN_TIMEOUT_MS = 15 * 60 * 1000;
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', '--test-timeout=180000', ...files],
  { stdio: 'inherit', timeout: RUN_TIMEOUT_MS, killSignal: 'SIGKILL' },
);
if (result.error !== undefined) {
  console.error(`the test run did not end within ${RUN_TIMEOUT_MS / 60_000} minutes (a test file left a socket or timer open?): ${result.error.message}`);
  process.exit(1);
}
process.exit(result.status ?? 1);
