// The client side of bench/work: one worker (faktory-rx or faktory-worker) processing a queue of
// no-op jobs, in plain Node on compiled JavaScript for both libraries (faktory-rx from its build,
// `dist/`, via the package's own name), so neither pays for a TypeScript loader. Prints one
// `RESULT {...}` line with the elapsed time, CPU time and peak RSS of this process.
import { Worker as FwWorker } from 'faktory-worker';
import { firstValueFrom, ignoreElements, lastValueFrom } from 'rxjs';
import { createWorker } from 'faktory-rx';
import { Socket } from 'node:net';

// Socket writes handed to the operating system (one write or writev system call each, unless
// the kernel takes only part of one): the main cost of a job on a loopback socket.
let writes = 0;
const writeGeneric = Socket.prototype._writeGeneric;
Socket.prototype._writeGeneric = function (...args) {
  writes++;
  return writeGeneric.apply(this, args);
};

const [lib, url, queue, concurrencyText, jobsText] = process.argv.slice(2);
const concurrency = Number(concurrencyText);
const jobs = Number(jobsText);

let count = 0;
let finish;
const allDone = new Promise((resolve) => {
  finish = resolve;
});
const onJob = () => {
  count++;
  if (count === jobs) finish();
};

function report(elapsedMs, cpu0) {
  const cpu = process.cpuUsage(cpu0);
  const result = { elapsedMs, cpuUs: cpu.user + cpu.system, maxRssKb: process.resourceUsage().maxRSS, writes };
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
}

const cpu0 = process.cpuUsage();
const t0 = performance.now();
if (lib === 'faktory-rx') {
  const worker = createWorker({ connection: { url }, queues: [queue], concurrency, stallWarningMs: false, handlers: { Noop: onJob } });
  // Events are consumed, not kept: holding 100,000 of them would measure the bench, not the worker.
  const all = lastValueFrom(worker.pipe(ignoreElements()), { defaultValue: undefined });
  await allDone;
  const elapsedMs = performance.now() - t0;
  await firstValueFrom(worker.stop(), { defaultValue: undefined });
  await all;
  report(elapsedMs, cpu0);
} else {
  const worker = new FwWorker({ url, queues: [queue], concurrency });
  worker.register('Noop', onJob);
  await worker.work();
  await allDone;
  const elapsedMs = performance.now() - t0;
  report(elapsedMs, cpu0);
  await worker.stop();
}
