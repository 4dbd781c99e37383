import { Transform, type TransformCallback } from 'node:stream';
import RedisParser from 'redis-parser';
import { InvalidArgumentError, ProtocolError } from '../errors.js';
import { parseErrorText, type Frame } from './frame.js';

/** Options of a {@link RespDecoder}. */
export interface RespDecoderOptions {
  /**
   * The largest frame, in encoded bytes (type byte, length line, body and CRLF), the decoder
   * accepts. A longer frame destroys the stream with a `ProtocolError` as soon as that is
   * known (for a bulk string, when its length line arrives), so at most this much is buffered.
   * Guards memory against a runaway or hostile peer. A positive integer.
   * @defaultValue 67_108_864 (64 MiB)
   */
  readonly maxFrameBytes?: number;
}

/** Defaults of {@link RespDecoderOptions}. */
export const RESP_DECODER_DEFAULTS = Object.freeze({ maxFrameBytes: 64 * 1024 * 1024 });

/**
 * The parts of redis-parser's (3.x) state the decoder reads. `buffer` is the chunk being
 * parsed (null once all of it was consumed) and `offset` where parsing resumes in it (the end
 * of the reply just returned, or the start of an incomplete one); while a bulk string spans
 * chunks, `bigStrSize` is the position, in the chunk where its length line was read, just past
 * its final CRLF (0 otherwise); `arrayCache` holds arrays still being parsed. The property
 * tests pin these semantics down.
 */
interface ParserInternals {
  readonly buffer: Buffer | null;
  readonly offset: number;
  readonly bigStrSize: number;
  readonly arrayCache: readonly unknown[];
}

const PLUS = 0x2b;
const DOLLAR = 0x24;

/**
 * A `Transform` from socket bytes to RESP {@link Frame}s (`readableObjectMode`), built on
 * `redis-parser`.
 *
 * Subscribes to nothing; buffers at most one incomplete frame (bounded by `maxFrameBytes`);
 * emits one frame per complete reply, in order, however the bytes were chunked. A server error
 * reply (`-ERR ...`) is emitted as an `error` frame for the request that caused it, not as a
 * stream error. Bytes that are not RESP (a bad type byte, an integer or an array), a frame
 * larger than `maxFrameBytes`, or a stream that ends inside a frame destroy the stream with a
 * {@link ProtocolError}; frames before the fault are still emitted.
 *
 * @throws {@link InvalidArgumentError} naming `maxFrameBytes` when it is not a positive integer.
 * @example
 * socket.pipe(new RespDecoder()).on('data', (frame: Frame) => console.log(frame));
 */
export class RespDecoder extends Transform {
  readonly #parser: RedisParser;
  readonly #state: ParserInternals;
  readonly #maxFrameBytes: number;
  /** Where, in the parser's buffer, the type byte of the next reply is. */
  #next = 0;
  /** Whether the next reply is the bulk string the parser is gathering across chunks. */
  #spanningBulk = false;
  #fatal: ProtocolError | undefined;

  constructor(options: RespDecoderOptions = {}) {
    super({ readableObjectMode: true, writableObjectMode: false });
    const maxFrameBytes = options.maxFrameBytes ?? RESP_DECODER_DEFAULTS.maxFrameBytes;
    if (!Number.isSafeInteger(maxFrameBytes) || maxFrameBytes <= 0) {
      throw new InvalidArgumentError(`must be a positive integer (got ${String(maxFrameBytes)})`, {
        argument: 'maxFrameBytes',
      });
    }
    this.#maxFrameBytes = maxFrameBytes;
    this.#parser = new RedisParser({
      returnBuffers: false,
      returnReply: (reply: unknown) => {
        this.#onReply(reply);
      },
      returnError: (error: Error) => {
        if (this.#accept()) this.push(parseErrorText(error.message));
      },
      returnFatalError: (error: Error) => {
        this.#fail(`the server sent bytes that are not RESP (${error.message})`, error);
      },
    });
    this.#state = this.#parser as unknown as ParserInternals;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    // An empty chunk would be harmless to us but redis-parser 3 mis-slices a bulk string
    // gathered across chunks when one of them is empty.
    if (this.#fatal === undefined && chunk.length > 0) {
      const state = this.#state;
      // Outside a spanning bulk string the parser starts at the beginning of its (new) buffer.
      if (state.bigStrSize === 0) this.#next = 0;
      else this.#spanningBulk = true;
      this.#parser.execute(chunk);
      // The parser's callbacks may have failed the stream meanwhile.
      if (!this.#failed()) this.#checkPending();
    }
    callback(this.#fatal);
  }

  override _flush(callback: TransformCallback): void {
    if (this.#fatal === undefined && this.#midFrame()) {
      this.#fail('the stream ended in the middle of a reply');
    }
    callback(this.#fatal);
  }

  /** Fails early on an incomplete reply that can only end badly. */
  #checkPending(): void {
    const { buffer, offset, bigStrSize, arrayCache } = this.#state;
    if (arrayCache.length > 0) {
      this.#fail('unexpected RESP reply type (array)');
    } else if (
      // A bulk string spanning chunks announced its exact size; a partial line is at least one
      // byte short of the frame it belongs to.
      bigStrSize > 0 ? bigStrSize - this.#next > this.#maxFrameBytes : buffer !== null && buffer.length - offset >= this.#maxFrameBytes
    ) {
      this.#fail(`a reply exceeds the maximum frame size of ${this.#maxFrameBytes} bytes`);
    }
  }

  /** Whether the parser holds part of a frame. */
  #midFrame(): boolean {
    const { buffer, offset, bigStrSize } = this.#state;
    return bigStrSize > 0 || (buffer !== null && buffer.length > offset);
  }

  /**
   * Whether a reply the parser just completed may be emitted: refuses it after a fatal error
   * or when it is longer than `maxFrameBytes`, and moves past it.
   */
  #accept(): boolean {
    if (this.#fatal !== undefined) return false;
    const end = this.#state.offset;
    const size = end - this.#next;
    this.#next = end;
    if (size > this.#maxFrameBytes) {
      this.#fail(`a reply exceeds the maximum frame size of ${this.#maxFrameBytes} bytes`);
      return false;
    }
    return true;
  }

  #onReply(reply: unknown): void {
    if (this.#spanningBulk) {
      // Its size was checked when its length line arrived; the parser resumes right after it.
      this.#spanningBulk = false;
      this.#next = this.#state.offset;
      if (this.#fatal === undefined) this.push({ type: 'bulk', value: reply as string } satisfies Frame);
      return;
    }
    // redis-parser returns simple and bulk strings alike: tell them apart by the type byte.
    const type = this.#state.buffer?.[this.#next];
    if (!this.#accept()) return;
    if (typeof reply === 'string') {
      this.push({ type: type === PLUS ? 'simple' : 'bulk', value: reply } satisfies Frame);
    } else if (reply === null && type === DOLLAR) {
      this.push({ type: 'null' } satisfies Frame);
    } else {
      // Integers and arrays (a null array too) are valid RESP but Faktory never sends them.
      this.#fail(`unexpected RESP reply type (${Array.isArray(reply) || reply === null ? 'array' : typeof reply})`);
    }
  }

  #failed(): boolean {
    return this.#fatal !== undefined;
  }

  #fail(message: string, cause?: unknown): void {
    this.#fatal ??= new ProtocolError(message, cause === undefined ? {} : { cause });
  }
}
