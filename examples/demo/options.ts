/**
 * The demo's command line: `npm start -- --help`.
 */
import { parseArgs } from 'node:util';
import { InvalidArgumentError } from '../../src/index.js';

/** What the demo runs with. */
export interface DemoOptions {
  /** How many jobs to push and process. */
  readonly jobs: number;
  /** Jobs the worker runs at once. */
  readonly concurrency: number;
  /** The Faktory to use; `undefined` starts the in-memory server in this process. */
  readonly url: string | undefined;
}

/** The demo's defaults. */
export const DEMO_DEFAULTS = Object.freeze({ jobs: 20_000, concurrency: 50 });

/** The text of `--help`. */
export const HELP = `Usage: npm start -- [options]     (or: npx tsx examples/demo.ts [options])

Pushes a realistic mix of jobs with pushJobs (most immediate, some scheduled a few
seconds ahead, 0.5% failing on their first attempt), runs a worker, shows live
progress and prints a summary.

Options:
  -j, --jobs <n>          jobs to push and process (default: ${DEMO_DEFAULTS.jobs})
  -c, --concurrency <n>   jobs the worker runs at once (default: ${DEMO_DEFAULTS.concurrency})
  -u, --url <url>         a Faktory server, e.g. tcp://localhost:7419 or tcp+tls://:pw@host:7419
                          (default: $FAKTORY_URL; when neither is set, an in-memory server is
                          started in this process)
  -h, --help              this text

Ctrl-C stops gracefully: the worker finishes its running jobs, everything is closed.
`;

function positiveInteger(text: string | undefined, fallback: number, option: string): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new InvalidArgumentError(`must be a positive integer (got ${text})`, { argument: option });
  return value;
}

/**
 * Parses the demo's arguments. Returns `'help'` for `--help`; throws `InvalidArgumentError`
 * (or Node's `ERR_PARSE_ARGS_*` TypeError) for bad ones.
 */
export function parseDemoOptions(argv: readonly string[], env: NodeJS.ProcessEnv): DemoOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      jobs: { type: 'string', short: 'j' },
      concurrency: { type: 'string', short: 'c' },
      url: { type: 'string', short: 'u' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help === true) return 'help';
  const fromProvider = env['FAKTORY_PROVIDER'] === undefined ? undefined : env[env['FAKTORY_PROVIDER']];
  const url = values.url ?? (fromProvider !== undefined && fromProvider !== '' ? fromProvider : undefined) ?? nonEmpty(env['FAKTORY_URL']);
  return {
    jobs: positiveInteger(values.jobs, DEMO_DEFAULTS.jobs, '--jobs'),
    concurrency: positiveInteger(values.concurrency, DEMO_DEFAULTS.concurrency, '--concurrency'),
    url,
  };
}

function nonEmpty(text: string | undefined): string | undefined {
  return text === undefined || text === '' ? undefined : text;
}
