import { parseArgs } from 'node:util';
import { startServer } from '../testing/server/index.js';

/** The help text of `faktory-rx server`. */
export const SERVER_USAGE = `Usage: faktory-rx server [options]

Runs the faktory-rx in-memory Faktory server: an in-memory development/test server that speaks
the Faktory protocol. It is NOT a production Faktory: nothing is persisted, jobs are lost when it stops.

Options:
  --port <n>           TCP port (default 7419; 0 picks a free port)
  --host <address>     address to listen on (default 127.0.0.1)
  --password <pw>      require this password (default: $FAKTORY_PASSWORD, else none)
  --enterprise         enable BATCH, TRACK, unique and expiring jobs
  --fetch-wait-ms <n>  how long an empty FETCH waits before answering null (default 2000, as Faktory)
  --help               show this help

Stops cleanly on SIGINT or SIGTERM.`;

/** Output sinks, injectable for tests. */
export interface CliIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

const defaultIo: CliIo = {
  out: (line) => {
    process.stdout.write(line + '\n');
  },
  err: (line) => {
    process.stderr.write(line + '\n');
  },
};

/**
 * `faktory-rx server`: starts the in-memory server, prints its URL (without the password), and
 * resolves with exit code 0 once SIGINT or SIGTERM has closed it; 2 on bad arguments.
 */
export async function runServerCommand(argv: readonly string[], io: CliIo = defaultIo): Promise<number> {
  let values: {
    port?: string | undefined;
    host?: string | undefined;
    password?: string | undefined;
    enterprise?: boolean | undefined;
    'fetch-wait-ms'?: string | undefined;
    help?: boolean | undefined;
  };
  try {
    values = parseArgs({
      args: [...argv],
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        password: { type: 'string' },
        enterprise: { type: 'boolean' },
        'fetch-wait-ms': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }).values;
  } catch (error) {
    io.err(`faktory-rx server: ${error instanceof Error ? error.message : String(error)}\n\n${SERVER_USAGE}`);
    return 2;
  }
  if (values.help === true) {
    io.out(SERVER_USAGE);
    return 0;
  }
  const port = values.port === undefined ? 7419 : Number(values.port);
  const envPassword = process.env['FAKTORY_PASSWORD'];
  const password = values.password ?? (envPassword === undefined || envPassword === '' ? undefined : envPassword);
  let server;
  try {
    server = await startServer({
      port,
      host: values.host ?? '127.0.0.1',
      enterprise: values.enterprise ?? false,
      ...(password === undefined ? {} : { password }),
      ...(values['fetch-wait-ms'] === undefined ? {} : { fetchWaitMs: Number(values['fetch-wait-ms']) }),
    });
  } catch (error) {
    io.err(`faktory-rx server: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  const running = server;
  // The handlers are in place before the first line is printed: whoever reads it may signal at once.
  const stopped = new Promise<number>((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      io.out(`Received ${signal}, stopping.`);
      void running.close().then(() => {
        resolve(0);
      });
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  const shown = password === undefined ? server.url : server.url.replace(/\/\/:[^@]*@/, '//:****@');
  io.out(`faktory-rx in-memory Faktory server listening on ${shown}`);
  io.out('This is an in-memory development/test server, not a production Faktory: nothing is persisted.');
  if (password !== undefined) io.out('A password is required (the URL above hides it).');
  io.out('Press Ctrl-C to stop.');
  return stopped;
}
