#!/usr/bin/env node
/**
 * The `faktory-rx` command line. Subcommands are dispatched from {@link SUBCOMMANDS}. The
 * published bin is the ES module build (`dist/esm/cli/main.js`), so `work --require` loads
 * handler modules with a real `import()`, ES modules and CommonJS alike.
 * @module
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runServerCommand, SERVER_USAGE } from './server.js';
import { runWorkCommand, WORK_USAGE } from './work.js';

/** A subcommand: runs with the arguments after its name and resolves with the exit code. */
interface Subcommand {
  readonly summary: string;
  readonly usage: string;
  readonly run: (argv: string[]) => Promise<number>;
}

/** Every subcommand, by name. */
const SUBCOMMANDS: Readonly<Record<string, Subcommand>> = {
  server: { summary: 'run the in-memory development/test Faktory server (not a production Faktory)', usage: SERVER_USAGE, run: runServerCommand },
  work: { summary: 'run a worker with handlers (and worker options) loaded from a module', usage: WORK_USAGE, run: runWorkCommand },
};

function usage(): string {
  const lines = Object.entries(SUBCOMMANDS).map(([name, command]) => `  ${name.padEnd(10)} ${command.summary}`);
  return [
    'Usage: faktory-rx <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Options:',
    '  -v, --version  print the version of faktory-rx',
    '  -h, --help     this text',
    ...Object.values(SUBCOMMANDS).flatMap((command) => ['', '-'.repeat(79), '', command.usage.trimEnd()]),
  ].join('\n');
}

/** The version in the package's own package.json (the first one up from this file named faktory-rx). */
function version(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'faktory-rx' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // No package.json here (or not ours): look further up.
    }
    const parent = dirname(dir);
    if (parent === dir) return 'unknown';
    dir = parent;
  }
}

/** Runs the command line `argv` (without `node` and the script) and resolves with the exit code. */
async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? process.stderr : process.stdout).write(usage() + '\n');
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write(version() + '\n');
    return 0;
  }
  const command = SUBCOMMANDS[name];
  if (command === undefined) {
    process.stderr.write(`faktory-rx: unknown command ${JSON.stringify(name)}\n\n${usage()}\n`);
    return 2;
  }
  return command.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`faktory-rx: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
