/** Helpers shared by the codec tests: feed chunks to a RespDecoder and collect what it emits. */
import { RespDecoder, type Frame, type RespDecoderOptions } from '../../src/codec/index.js';

/** What a decoder emitted: its frames, and the error that destroyed it (undefined when it ended). */
export interface Decoded {
  readonly frames: readonly Frame[];
  readonly error: unknown;
  /** Whether the decoder was destroyed when it ended or failed. */
  readonly destroyed: boolean;
}

/** Writes every chunk to a fresh decoder, ends it, and resolves once it has ended or failed. */
export function decodeChunks(chunks: Iterable<Buffer>, options?: RespDecoderOptions): Promise<Decoded> {
  const decoder = new RespDecoder(options);
  const frames: Frame[] = [];
  const done = new Promise<Decoded>((resolve) => {
    decoder.on('data', (frame: Frame) => frames.push(frame));
    decoder.once('error', (error) => {
      resolve({ frames, error, destroyed: decoder.destroyed });
    });
    decoder.once('end', () => {
      resolve({ frames, error: undefined, destroyed: decoder.destroyed });
    });
  });
  for (const chunk of chunks) {
    if (decoder.destroyed) break;
    decoder.write(chunk);
  }
  if (!decoder.destroyed) decoder.end();
  return done;
}

/** The bytes as one chunk per byte. */
export function byteByByte(bytes: Buffer): Buffer[] {
  const chunks: Buffer[] = [];
  for (let index = 0; index < bytes.length; index += 1) chunks.push(bytes.subarray(index, index + 1));
  return chunks;
}

/** The bytes cut at the given positions (clamped, sorted; a repeated position gives an empty chunk). */
export function cutAt(bytes: Buffer, positions: readonly number[]): Buffer[] {
  const cuts = positions.map((position) => Math.min(Math.max(position, 0), bytes.length)).sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let start = 0;
  for (const cut of cuts) {
    chunks.push(bytes.subarray(start, cut));
    start = cut;
  }
  chunks.push(bytes.subarray(start));
  return chunks;
}

/** The bytes in chunks of `size` bytes, each its own allocation as socket reads are. */
export function inChunksOf(bytes: Buffer, size: number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let start = 0; start < bytes.length; start += size) chunks.push(Buffer.from(bytes.subarray(start, start + size)));
  return chunks;
}

/** The two chunkings every table case runs with. */
export const CHUNKINGS: readonly { readonly name: string; readonly split: (bytes: Buffer) => Buffer[] }[] = [
  { name: 'as one chunk', split: (bytes) => [bytes] },
  { name: 'byte by byte', split: byteByByte },
];

/** `$<bytes>\r\n<value>\r\n`, the length counted in UTF-8 bytes. */
export function bulk(value: string): string {
  return `$${Buffer.byteLength(value, 'utf8')}\r\n${value}\r\n`;
}
