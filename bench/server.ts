// Benchmark of the in-memory server: faktory-worker pushes 10,000 jobs to a fresh server and its
// worker processes them. Prints the wall time and the server's commands per second.
// Run: npx tsx bench/server.ts [jobs] [concurrency]
import { Client, Worker } from 'faktory-worker';
import { startServer } from '../src/testing/index.js';

const JOBS = Number(process.argv[2] ?? 10_000);
const CONCURRENCY = Number(process.argv[3] ?? 20);

const server = await startServer();
const client = new Client({ url: server.url, poolSize: 10 });
const worker = new Worker({ url: server.url, concurrency: CONCURRENCY, registry: { Noop: () => undefined } });

const started = performance.now();
const batch = 1_000;
for (let i = 0; i < JOBS; i += batch) {
  await client.pushBulk(Array.from({ length: Math.min(batch, JOBS - i) }, (_, k) => client.job('Noop', i + k)));
}
const pushedAt = performance.now();
const pushCommands = server.stats().commands;
await worker.work();
await server.until.processed(JOBS, { timeoutMs: 300_000 });
const doneAt = performance.now();
const { commands, totalConnections } = server.stats();
await worker.stop();
await client.close();
await server.close();

const seconds = (doneAt - started) / 1000;
console.log(`jobs: ${JOBS}, worker concurrency: ${CONCURRENCY}`);
console.log(`push (PUSHB x ${Math.ceil(JOBS / batch)}): ${((pushedAt - started) / 1000).toFixed(2)} s`);
console.log(`work (FETCH + ACK per job): ${((doneAt - pushedAt) / 1000).toFixed(2)} s`);
console.log(`wall time: ${seconds.toFixed(2)} s (${Math.round(JOBS / seconds)} jobs/s)`);
console.log(`server commands: ${commands} (${Math.round(commands / seconds)} commands/s overall, ` +
  `${Math.round((commands - pushCommands) / ((doneAt - pushedAt) / 1000))} commands/s while working)`);
console.log(`sockets used: ${totalConnections}`);
