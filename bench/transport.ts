/**
 * Round trips per second on one `Connection` against the in-memory server, for an `INFO`-sized
 * exchange (short command, ~0.5 KiB bulk reply) and a `PUSH`-sized one (~0.5 KiB job, `+OK`),
 * with one command in flight and with `window` commands pipelined. Prints each rate and the
 * pipelining speed-up.
 *
 * Run with `npx tsx bench/transport.ts [commands] [window]` (defaults: 20000, 100).
 */
import { performance } from 'node:perf_hooks';
import { lastValueFrom, type Observable } from 'rxjs';
import { startServer } from '../src/testing/server/index.js';
import { Connection, resolveConfig } from '../src/transport/index.js';
import type { CommandArg } from '../src/codec/index.js';

const COMMANDS = Number(process.argv[2] ?? 20_000);
const WINDOW = Number(process.argv[3] ?? 100);

function once<T>(source: Observable<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    source.subscribe({ next: resolve, error: reject });
  });
}

/** Runs `count` commands keeping `window` in flight; returns round trips per second. */
async function run(connection: Connection, count: number, window: number, command: (i: number) => [string, CommandArg[]]): Promise<number> {
  const started = performance.now();
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < count) {
      const [verb, args] = command(next++);
      await once(connection.request(verb, args));
    }
  };
  await Promise.all(Array.from({ length: Math.min(window, count) }, lane));
  return count / ((performance.now() - started) / 1000);
}

const server = await startServer();
const connection = await once(Connection.open(resolveConfig({ url: server.url }, {}), { maxInFlight: WINDOW, maxQueued: WINDOW }));
const padding = 'x'.repeat(400);
const info = (): [string, CommandArg[]] => ['INFO', []];
const push = (i: number): [string, CommandArg[]] => ['PUSH', [{ jid: `bench-${i}-${padding.length}`, jobtype: 'Bench', args: [i, padding], queue: 'bench' }]];

const rows: string[] = [];
for (const [name, command] of [['INFO', info], ['PUSH', push]] as const) {
  await run(connection, 2_000, WINDOW, command); // warm up
  await once(connection.request('FLUSH'));
  const single = await run(connection, Math.ceil(COMMANDS / 4), 1, command);
  await once(connection.request('FLUSH'));
  const pipelined = await run(connection, COMMANDS, WINDOW, command);
  await once(connection.request('FLUSH'));
  rows.push(`${name.padEnd(5)} one in flight ${single.toFixed(0).padStart(8)}/s   ${WINDOW} in flight ${pipelined.toFixed(0).padStart(8)}/s   speed-up ${(pipelined / single).toFixed(1)}x`);
}
console.log(`transport round trips on one connection (node ${process.version})`);
for (const row of rows) console.log(row);
await lastValueFrom(connection.close(), { defaultValue: undefined });
await server.close();
