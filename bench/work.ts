/**
 * bench/work: 50,000 no-op jobs through the in-memory server at concurrency 1, 20 and 200, with
 * faktory-rx's worker and with faktory-worker's, in one run. Each run's worker lives in a child
 * process (bench/work-child.mjs: plain Node on compiled JavaScript for both libraries, so run
 * `npm run build` first, as `npm run bench:work` does) so its CPU time and peak RSS are the
 * client's alone; the parent hosts the server and
 * samples its open connections. Prints jobs/s, client CPU per job, socket writes per job (system
 * calls), sockets, peak RSS and ratios.
 *
 *   npm run bench:work               (JOBS=10000 for a quicker run; CONCURRENCY=20 for one level;
 *                                     ROUNDS=5 for five interleaved pairs per level, ratios as
 *                                     median and range; CPU_PROF=dir writes a V8 CPU profile of
 *                                     each child to dir)
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { cpus } from 'node:os';
import { startServer } from '../src/testing/server/index.js';

type Lib = 'faktory-rx' | 'faktory-worker';

interface ChildResult {
  readonly elapsedMs: number;
  readonly cpuUs: number;
  readonly maxRssKb: number;
  /** Socket writes handed to the operating system. */
  readonly writes: number;
}

async function runOne(lib: Lib, url: string, queue: string, concurrency: number, jobs: number, sampleConnections: () => number): Promise<ChildResult & { sockets: number }> {
  const child = fileURLToPath(new URL('work-child.mjs', import.meta.url));
  const profile = process.env.CPU_PROF === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', process.env.CPU_PROF, '--cpu-prof-name', `${lib}-c${concurrency}.cpuprofile`];
  const proc = spawn(process.execPath, [...profile, child, lib, url, queue, String(concurrency), String(jobs)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  proc.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  let sockets = 0;
  const sampler = setInterval(() => {
    sockets = Math.max(sockets, sampleConnections());
  }, 20);
  const code = await new Promise<number | null>((resolve) => proc.on('exit', resolve));
  clearInterval(sampler);
  const line = out.split('\n').find((l) => l.startsWith('RESULT '));
  if (code !== 0 || line === undefined) throw new Error(`${lib} c=${concurrency} failed (exit ${String(code)})`);
  return { ...(JSON.parse(line.slice(7)) as ChildResult), sockets };
}

type Run = ChildResult & { sockets: number };

/** The median of `values` and their spread, as `median (min-max)`. */
function spread(values: readonly number[], digits: number): string {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
  const range = sorted.length > 1 ? ` (${(sorted[0] ?? 0).toFixed(digits)}-${(sorted.at(-1) ?? 0).toFixed(digits)})` : '';
  return `${median.toFixed(digits)}x${range}`;
}

async function main(): Promise<void> {
  const jobs = Number(process.env.JOBS ?? 50_000);
  const rounds = Number(process.env.ROUNDS ?? 1);
  const levels = process.env.CONCURRENCY === undefined ? [1, 20, 200] : [Number(process.env.CONCURRENCY)];
  const server = await startServer({ port: 0 });
  console.log(`bench/work: ${jobs} no-op jobs, ${rounds} round(s), ${cpus().length} CPUs, node ${process.version}`);
  console.log('lib             conc   jobs/s   CPU µs/job  writes/job  sockets  peak RSS MB');
  try {
    for (const concurrency of levels) {
      const ratios = { jobs: [] as number[], cpu: [] as number[], rss: [] as number[] };
      const sockets = { rx: 0, fw: 0 };
      for (let round = 0; round < rounds; round++) {
        const results = new Map<Lib, Run>();
        // Alternate which library goes first, so a drift in the machine's load favours neither.
        const order: Lib[] = round % 2 === 0 ? ['faktory-worker', 'faktory-rx'] : ['faktory-rx', 'faktory-worker'];
        for (const lib of order) {
          const queue = `bench-${lib}-${concurrency}-${round}`;
          for (let i = 0; i < jobs; i++) server.push({ jid: `${queue}-${String(i).padStart(8, '0')}`, jobtype: 'Noop', args: [], queue });
          const r = await runOne(lib, server.url, queue, concurrency, jobs, () => server.stats().connections);
          results.set(lib, r);
          await server.until.connections(0, { timeoutMs: 30_000 }).catch(() => undefined);
          console.log(
            `${lib.padEnd(15)} ${String(concurrency).padStart(4)} ${(jobs / (r.elapsedMs / 1000)).toFixed(0).padStart(8)} ${(r.cpuUs / jobs).toFixed(1).padStart(11)} ${(r.writes / jobs).toFixed(2).padStart(11)} ${String(r.sockets).padStart(8)} ${(r.maxRssKb / 1024).toFixed(0).padStart(12)}`,
          );
        }
        const rx = results.get('faktory-rx');
        const fw = results.get('faktory-worker');
        if (rx === undefined || fw === undefined) continue;
        ratios.jobs.push(fw.elapsedMs / rx.elapsedMs);
        ratios.cpu.push(rx.cpuUs / fw.cpuUs);
        ratios.rss.push(rx.maxRssKb / fw.maxRssKb);
        sockets.rx = Math.max(sockets.rx, rx.sockets);
        sockets.fw = Math.max(sockets.fw, fw.sockets);
      }
      console.log(
        `  ratio rx/fw at c=${concurrency}, median (min-max) of ${ratios.jobs.length}: jobs/s ${spread(ratios.jobs, 2)}, CPU/job ${spread(ratios.cpu, 2)}, RSS ${spread(ratios.rss, 2)}, sockets ${sockets.rx} vs ${sockets.fw}`,
      );
    }
  } finally {
    await server.close();
  }
}

await main();
