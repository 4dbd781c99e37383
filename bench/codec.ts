/**
 * Decode throughput of {@link RespDecoder} against raw `redis-parser` on the same mixed reply
 * stream (simple strings, job-sized bulk JSON, 64 KiB bulks, nulls, errors), cut into
 * socket-sized chunks. Prints MB/s and frames/s of each and the ratio
 * `RespDecoder time / raw time` (target: at most 1.15).
 *
 * Run with `npm run bench:codec` or `npx tsx bench/codec.ts [totalMiB] [chunkKiB] [rounds]`.
 */
import { performance } from 'node:perf_hooks';
import RedisParser from 'redis-parser';
import { RespDecoder, encodeFrame, type Frame } from '../src/codec/index.js';

const TOTAL_MIB = Number(process.argv[2] ?? 32);
const CHUNK_KIB = Number(process.argv[3] ?? 64);
const ROUNDS = Number(process.argv[4] ?? 7);
const WARM_UP_ROUNDS = 2;
const TARGET_RATIO = 1.15;

/** A small deterministic PRNG (mulberry32) so every run decodes the same stream. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function jobJson(random: () => number, index: number): string {
  const padding = 'x'.repeat(100 + Math.floor(random() * 300));
  return JSON.stringify({
    jid: `jid-${index.toString(16).padStart(12, '0')}`,
    jobtype: 'SendEmail',
    queue: 'default',
    args: [{ to: 'user@example.com', subject: 'héllo ✓', body: padding }],
    created_at: '2024-01-01T00:00:00.000Z',
    enqueued_at: '2024-01-01T00:00:00.000Z',
    retry: 25,
  });
}

interface Workload {
  readonly chunks: readonly Buffer[];
  readonly bytes: number;
  readonly frames: number;
}

function buildWorkload(totalBytes: number, chunkBytes: number): Workload {
  const random = prng(42);
  const big = 'b'.repeat(64 * 1024);
  const parts: Buffer[] = [];
  let bytes = 0;
  let frames = 0;
  while (bytes < totalBytes) {
    const roll = random();
    const frame: Frame =
      roll < 0.4
        ? { type: 'simple', value: 'OK' }
        : roll < 0.85
          ? { type: 'bulk', value: jobJson(random, frames) }
          : roll < 0.92
            ? { type: 'null' }
            : roll < 0.995
              ? { type: 'error', code: 'ERR', message: `unknown worker w-${frames}` }
              : { type: 'bulk', value: big };
    const encoded = encodeFrame(frame);
    parts.push(encoded);
    bytes += encoded.length;
    frames += 1;
  }
  const stream = Buffer.concat(parts);
  // Each chunk is its own allocation, as socket reads are.
  const chunks: Buffer[] = [];
  for (let start = 0; start < stream.length; start += chunkBytes) {
    chunks.push(Buffer.from(stream.subarray(start, start + chunkBytes)));
  }
  return { chunks, bytes: stream.length, frames };
}

function runRaw(chunks: readonly Buffer[]): Promise<number> {
  let count = 0;
  const parser = new RedisParser({
    returnBuffers: false,
    returnReply: () => {
      count += 1;
    },
    returnError: () => {
      count += 1;
    },
  });
  for (const chunk of chunks) parser.execute(chunk);
  return Promise.resolve(count);
}

function runDecoder(chunks: readonly Buffer[]): Promise<number> {
  return new Promise((resolve, reject) => {
    let count = 0;
    const decoder = new RespDecoder();
    decoder.on('data', () => {
      count += 1;
    });
    decoder.on('error', reject);
    decoder.on('end', () => {
      resolve(count);
    });
    let index = 0;
    const writeMore = (): void => {
      while (index < chunks.length) {
        const chunk = chunks[index]!;
        index += 1;
        if (!decoder.write(chunk)) {
          decoder.once('drain', writeMore);
          return;
        }
      }
      decoder.end();
    };
    writeMore();
  });
}

async function time(run: (chunks: readonly Buffer[]) => Promise<number>, workload: Workload): Promise<number> {
  const start = performance.now();
  const frames = await run(workload.chunks);
  const elapsed = performance.now() - start;
  if (frames !== workload.frames) throw new Error(`decoded ${frames} frames, expected ${workload.frames}`);
  return elapsed;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function fastest(values: readonly number[]): number {
  return Math.min(...values);
}

async function main(): Promise<void> {
  const workload = buildWorkload(TOTAL_MIB * 1024 * 1024, CHUNK_KIB * 1024);
  const mib = workload.bytes / (1024 * 1024);
  console.log(
    `stream: ${mib.toFixed(1)} MiB, ${workload.frames} frames, ${workload.chunks.length} chunks of ${CHUNK_KIB} KiB; ` +
      `${WARM_UP_ROUNDS} warm-up + ${ROUNDS} rounds`,
  );
  for (let round = 0; round < WARM_UP_ROUNDS; round += 1) {
    await time(runRaw, workload);
    await time(runDecoder, workload);
  }
  const raw: number[] = [];
  const decoder: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    // Alternate the order so neither side always runs on a warmer heap.
    if (round % 2 === 0) {
      raw.push(await time(runRaw, workload));
      decoder.push(await time(runDecoder, workload));
    } else {
      decoder.push(await time(runDecoder, workload));
      raw.push(await time(runRaw, workload));
    }
  }
  const rows = [
    { name: 'redis-parser (raw)', times: raw },
    { name: 'RespDecoder', times: decoder },
  ];
  console.log('decoder              median ms   fastest ms     MiB/s      frames/s  (rates from the fastest round)');
  for (const { name, times } of rows) {
    const seconds = fastest(times) / 1000;
    console.log(
      `${name.padEnd(20)} ${median(times).toFixed(1).padStart(9)} ${fastest(times).toFixed(1).padStart(12)} ` +
        `${(mib / seconds).toFixed(0).padStart(9)} ${Math.round(workload.frames / seconds).toLocaleString('en-US').padStart(13)}`,
    );
  }
  // The fastest round is the least disturbed by other processes; the median is shown too.
  const ratio = fastest(decoder) / fastest(raw);
  console.log(
    `ratio (RespDecoder time / raw time): ${ratio.toFixed(3)} fastest, ${(median(decoder) / median(raw)).toFixed(3)} median ` +
      `(target <= ${TARGET_RATIO})`,
  );
}

await main();
