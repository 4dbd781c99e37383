// Builds dist/esm (ES modules) and dist/cjs (CommonJS) from src with tsc, each with its own
// type declarations, and marks each folder's module kind so Node and TypeScript read it right.
// The command line (src/cli) is built as ES modules only: the bin is dist/esm/cli/main.js, whose
// `import()` of a handler module must stay a real dynamic import (CommonJS output turns it into
// `require`, which cannot load an ES module from a file URL).
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync, chmodSync, existsSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });
const tsc = ['node_modules/typescript/bin/tsc'];
execFileSync(process.execPath, [...tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
execFileSync(process.execPath, [...tsc, '-p', 'tsconfig.build.cjs.json'], { stdio: 'inherit' });
for (const [dir, type] of [['dist/esm', 'module'], ['dist/cjs', 'commonjs']]) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}/package.json`, JSON.stringify({ type }) + '\n');
}
for (const bin of ['dist/esm/cli/main.js']) if (existsSync(bin)) chmodSync(bin, 0o755);
