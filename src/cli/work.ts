import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { InvalidArgumentError } from '../errors.js';
import { type JobHandlers, runWorker } from '../worker/index.js';

const HELP = `Usage: faktory-rx work --require <module> [options]

Runs a worker with the handlers exported by a module (its default export, or its
\`handlers\` export: an object of jobtype to handler).

Options:
  -r, --require <path>      module with the handlers (required)
  -q, --queues <list>       queues in strict priority order, comma separated (default: default)
  -c, --concurrency <n>     jobs run at once (default: 20)
  -t, --timeout <seconds>   shutdown timeout: how long SIGTERM waits for running jobs (default: 25)
  -u, --url <url>           server URL (default: FAKTORY_PROVIDER / FAKTORY_URL / tcp://localhost:7419)
  -l, --label <label>       a label shown in the Web UI (repeatable)
  -h, --help                this text

Signals: SIGTERM/SIGINT stop gracefully (a second SIGINT forces), SIGTSTP quiets,
SIGTTIN prints the jobs in flight.
`;

function positiveNumber(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`must be a number >= 0, got ${value}`, { argument: `--${name}` });
  return n;
}

async function loadHandlers(path: string): Promise<JobHandlers> {
  const mod = (await import(pathToFileURL(resolve(path)).href)) as { default?: unknown; handlers?: unknown };
  const handlers = mod.handlers ?? mod.default;
  if (typeof handlers !== 'object' || handlers === null) throw new InvalidArgumentError(`${path} exports no handlers (a default export or \`handlers\`)`, { argument: '--require' });
  return handlers;
}

/**
 * `faktory-rx work`: runs a worker in this process with handlers loaded from a module, wiring
 * signals (see `runWorker`). Resolves with the exit code: 0 after a clean stop, 1 when the
 * worker failed, 2 for bad arguments.
 *
 * @example
 * // faktory-rx work --require ./jobs.js -q critical,default -c 50 -t 25
 * process.exitCode = await runWorkCommand(process.argv.slice(3));
 */
export async function runWorkCommand(argv: readonly string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        require: { type: 'string', short: 'r' },
        queues: { type: 'string', short: 'q' },
        concurrency: { type: 'string', short: 'c' },
        timeout: { type: 'string', short: 't' },
        url: { type: 'string', short: 'u' },
        label: { type: 'string', short: 'l', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${HELP}`);
    return 2;
  }
  if (values.help === true) {
    process.stdout.write(HELP);
    return 0;
  }
  try {
    if (values.require === undefined) throw new InvalidArgumentError('is required', { argument: '--require' });
    const handlers = await loadHandlers(values.require);
    const concurrency = positiveNumber(values.concurrency, 'concurrency');
    const timeoutS = positiveNumber(values.timeout, 'timeout');
    const queues = values.queues?.split(',').map((q) => q.trim()).filter((q) => q.length > 0);
    return await runWorker({
      handlers,
      ...(queues === undefined ? {} : { queues }),
      ...(concurrency === undefined ? {} : { concurrency }),
      ...(timeoutS === undefined ? {} : { shutdownTimeoutMs: timeoutS * 1000 }),
      ...(values.label === undefined ? {} : { labels: values.label }),
      connection: values.url === undefined ? {} : { url: values.url },
    });
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
}
