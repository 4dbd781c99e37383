#!/usr/bin/env node
/**
 * The `faktory-rx` command line. Subcommands are dispatched from {@link SUBCOMMANDS}. Written
 * without top-level await or `import.meta` so it runs compiled to CommonJS and to ESM.
 * @module
 */
import { runServerCommand } from './server.js';
import { runWorkCommand } from './work.js';

/** A subcommand: runs with the arguments after its name and resolves with the exit code. */
interface Subcommand {
  readonly summary: string;
  readonly run: (argv: string[]) => Promise<number>;
}

/** Every subcommand, by name. */
const SUBCOMMANDS: Readonly<Record<string, Subcommand>> = {
  server: { summary: 'run the in-memory development/test Faktory server (not a production Faktory)', run: runServerCommand },
  work: { summary: 'run a worker with handlers loaded from a module', run: runWorkCommand },
};

function usage(): string {
  const lines = Object.entries(SUBCOMMANDS).map(([name, command]) => `  ${name.padEnd(10)} ${command.summary}`);
  return ['Usage: faktory-rx <command> [options]', '', 'Commands:', ...lines, '', 'Run `faktory-rx <command> --help` for its options.'].join('\n');
}

/** Runs the command line `argv` (without `node` and the script) and resolves with the exit code. */
async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage() + '\n');
    return name === undefined ? 1 : 0;
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
