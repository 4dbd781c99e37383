import { Transform, type TransformCallback } from 'node:stream';
import RedisParser from 'redis-parser';
import { ProtocolError } from '../errors.js';
import { parseErrorText, type Frame } from './frame.js';

/** Options of a {@link RespDecoder}. */
export interface RespDecoderOptions {
  /**
   * The largest frame, in bytes, the decoder will buffer before giving up with a
   * `ProtocolError`. Guards memory against a runaway or hostile peer.
   * @defaultValue 67_108_864 (64 MiB)
   */
  readonly maxFrameBytes?: number;
}

/** Defaults of {@link RespDecoderOptions}. */
export const RESP_DECODER_DEFAULTS = Object.freeze({ maxFrameBytes: 64 * 1024 * 1024 });

/** The parts of redis-parser's state the decoder reads to bound memory and tell frame types apart. */
interface ParserInternals {
  buffer: Buffer | null;
  offset: number;
  bigStrSize: number;
}

const PLUS = 0x2b;

/**
 * A `Transform` from socket bytes to RESP {@link Frame}s (`readableObjectMode`), built on
 * `redis-parser`.
 *
 * Subscribes to nothing; buffers at most one incomplete frame (bounded by `maxFrameBytes`);
 * emits one frame per complete reply, in order, however the bytes were chunked. A server error
 * reply (`-ERR ...`) is emitted as an `error` frame for the request that caused it, not as a
 * stream error. Bytes that are not RESP, a frame larger than `maxFrameBytes`, or a stream that
 * ends inside a frame destroy the stream with a {@link ProtocolError}.
 *
 * @example
 * socket.pipe(new RespDecoder()).on('data', (frame: Frame) => console.log(frame));
 */
export class RespDecoder extends Transform {
  readonly #parser: RedisParser;
  readonly #state: ParserInternals;
  readonly #maxFrameBytes: number;
  #fatal: ProtocolError | undefined;

  constructor(options: RespDecoderOptions = {}) {
    super({ readableObjectMode: true, writableObjectMode: false });
    this.#maxFrameBytes = options.maxFrameBytes ?? RESP_DECODER_DEFAULTS.maxFrameBytes;
    this.#parser = new RedisParser({
      returnBuffers: true,
      returnReply: (reply: unknown) => {
        this.#onReply(reply);
      },
      returnError: (error: Error) => {
        if (this.#fatal === undefined) this.push(parseErrorText(error.message));
      },
      returnFatalError: (error: Error) => {
        this.#fail('the server sent bytes that are not RESP', error);
      },
    });
    this.#state = this.#parser as unknown as ParserInternals;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.#fatal === undefined) {
      this.#parser.execute(chunk);
      if (!this.#failed() && this.#pendingBytes() > this.#maxFrameBytes) {
        this.#fail(`a reply exceeds the maximum frame size of ${this.#maxFrameBytes} bytes`);
      }
    }
    callback(this.#fatal);
  }

  override _flush(callback: TransformCallback): void {
    if (this.#fatal === undefined && this.#pendingBytes() > 0) {
      this.#fail('the stream ended in the middle of a reply');
    }
    callback(this.#fatal);
  }

  /** Bytes held for a frame not yet complete (for a long bulk string, the size it announced). */
  #pendingBytes(): number {
    const { buffer, offset, bigStrSize } = this.#state;
    if (bigStrSize > 0) return bigStrSize;
    return buffer === null ? 0 : buffer.length - offset;
  }

  #onReply(reply: unknown): void {
    if (this.#fatal !== undefined) return;
    if (reply === null) {
      this.push({ type: 'null' } satisfies Frame);
    } else if (Buffer.isBuffer(reply)) {
      this.push({ type: this.#isSimpleString(reply) ? 'simple' : 'bulk', value: reply.toString('utf8') } satisfies Frame);
    } else {
      // Integers and arrays are valid RESP but Faktory never sends them.
      this.#fail(`unexpected RESP reply type (${Array.isArray(reply) ? 'array' : typeof reply})`);
    }
  }

  /**
   * redis-parser returns simple and bulk strings alike. A simple string is a view into the
   * parser's current buffer right after its `+` type byte; a bulk string is preceded by the
   * `\n` of its length line, or was assembled in a separate pool when it spanned chunks.
   */
  #isSimpleString(reply: Buffer): boolean {
    const buffer = this.#state.buffer;
    if (buffer === null || reply.buffer !== buffer.buffer) return false;
    const index = reply.byteOffset - buffer.byteOffset - 1;
    return index >= 0 && index < buffer.length && buffer[index] === PLUS;
  }

  /** Whether a fatal error was raised (callbacks inside `execute` may have set it). */
  #failed(): boolean {
    return this.#fatal !== undefined;
  }

  #fail(message: string, cause?: unknown): void {
    this.#fatal ??= new ProtocolError(message, cause === undefined ? {} : { cause });
  }
}
