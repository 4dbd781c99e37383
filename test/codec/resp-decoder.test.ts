import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RespDecoder, RESP_DECODER_DEFAULTS, type Frame } from '../../src/codec/index.js';
import { InvalidArgumentError, ProtocolError } from '../../src/errors.js';
import { CHUNKINGS, bulk, cutAt, decodeChunks, inChunksOf } from './decode-chunks.js';

interface GoodCase {
  readonly name: string;
  readonly bytes: string;
  readonly frames: readonly Frame[];
}

const GOOD_CASES: readonly GoodCase[] = [
  { name: 'a simple string', bytes: '+OK\r\n', frames: [{ type: 'simple', value: 'OK' }] },
  { name: 'an empty simple string', bytes: '+\r\n', frames: [{ type: 'simple', value: '' }] },
  { name: 'a simple string holding JSON', bytes: '+HI {"v":2}\r\n', frames: [{ type: 'simple', value: 'HI {"v":2}' }] },
  { name: 'a simple string that looks like a bulk header', bytes: '+$5\r\n', frames: [{ type: 'simple', value: '$5' }] },
  { name: 'a bulk string', bytes: '$5\r\nhello\r\n', frames: [{ type: 'bulk', value: 'hello' }] },
  { name: 'an empty bulk string', bytes: '$0\r\n\r\n', frames: [{ type: 'bulk', value: '' }] },
  { name: 'a bulk string whose body starts with +', bytes: bulk('+OK'), frames: [{ type: 'bulk', value: '+OK' }] },
  { name: 'a bulk string holding CRLF and RESP', bytes: bulk('a\r\n+OK\r\n$-1\r\n-ERR x'), frames: [{ type: 'bulk', value: 'a\r\n+OK\r\n$-1\r\n-ERR x' }] },
  { name: 'a null bulk string', bytes: '$-1\r\n', frames: [{ type: 'null' }] },
  { name: 'an error with a code word', bytes: '-ERR unknown command\r\n', frames: [{ type: 'error', code: 'ERR', message: 'unknown command' }] },
  { name: 'an Enterprise error code', bytes: '-NOTUNIQUE Job not unique\r\n', frames: [{ type: 'error', code: 'NOTUNIQUE', message: 'Job not unique' }] },
  { name: 'an error without a code word', bytes: '-something went wrong\r\n', frames: [{ type: 'error', code: null, message: 'something went wrong' }] },
  { name: 'an error that is only a code word', bytes: '-ERR\r\n', frames: [{ type: 'error', code: 'ERR', message: '' }] },
  { name: 'multi-byte UTF-8 in a simple string', bytes: '+héllo ✓ א 😀\r\n', frames: [{ type: 'simple', value: 'héllo ✓ א 😀' }] },
  { name: 'multi-byte UTF-8 in a bulk string', bytes: bulk('{"args":["א","😀"]}'), frames: [{ type: 'bulk', value: '{"args":["א","😀"]}' }] },
  {
    name: 'every kind of frame in a row',
    bytes: '+OK\r\n' + bulk('{"jid":"1"}') + '$-1\r\n-ERR nope\r\n+\r\n$0\r\n\r\n' + bulk('+x'),
    frames: [
      { type: 'simple', value: 'OK' },
      { type: 'bulk', value: '{"jid":"1"}' },
      { type: 'null' },
      { type: 'error', code: 'ERR', message: 'nope' },
      { type: 'simple', value: '' },
      { type: 'bulk', value: '' },
      { type: 'bulk', value: '+x' },
    ],
  },
];

interface BadCase {
  readonly name: string;
  readonly bytes: string;
  /** Frames emitted before the fault. */
  readonly frames: readonly Frame[];
  readonly message: RegExp;
}

const BAD_CASES: readonly BadCase[] = [
  { name: 'a bad type byte', bytes: '+OK\r\nhello\r\n+B\r\n', frames: [{ type: 'simple', value: 'OK' }], message: /not RESP.*"h"/ },
  { name: 'an integer', bytes: '+A\r\n:1\r\n+B\r\n', frames: [{ type: 'simple', value: 'A' }], message: /unexpected RESP reply type \(number\)/ },
  { name: 'an array', bytes: '*2\r\n+a\r\n+b\r\n+B\r\n', frames: [], message: /unexpected RESP reply type \(array\)/ },
  { name: 'an empty array', bytes: '+A\r\n*0\r\n', frames: [{ type: 'simple', value: 'A' }], message: /\(array\)/ },
  { name: 'a null array', bytes: '*-1\r\n+B\r\n', frames: [], message: /\(array\)/ },
  { name: 'a stream ending inside a simple string', bytes: '+OK\r\n+O', frames: [{ type: 'simple', value: 'OK' }], message: /ended in the middle/ },
  { name: 'a stream ending before the LF of a simple string', bytes: '+OK\r', frames: [], message: /ended in the middle/ },
  { name: 'a stream ending inside a bulk length', bytes: '$1', frames: [], message: /ended in the middle/ },
  { name: 'a stream ending inside a bulk body', bytes: '$5\r\nhel', frames: [], message: /ended in the middle/ },
  { name: 'a stream ending before the final LF of a bulk', bytes: '$5\r\nhello\r', frames: [], message: /ended in the middle/ },
];

describe('RespDecoder', () => {
  for (const chunking of CHUNKINGS) {
    describe(`fed ${chunking.name}`, () => {
      for (const { name, bytes, frames } of GOOD_CASES) {
        it(`decodes ${name}`, async () => {
          const decoded = await decodeChunks(chunking.split(Buffer.from(bytes, 'utf8')));
          assert.equal(decoded.error, undefined);
          assert.deepEqual(decoded.frames, frames);
        });
      }
      for (const { name, bytes, frames, message } of BAD_CASES) {
        it(`is destroyed with a ProtocolError by ${name}, after emitting the frames before it`, async () => {
          const decoded = await decodeChunks(chunking.split(Buffer.from(bytes, 'utf8')));
          assert.ok(decoded.error instanceof ProtocolError, String(decoded.error));
          assert.equal(decoded.error.code, 'FAKTORY_ERR_PROTOCOL');
          assert.ok(decoded.destroyed);
          assert.match(decoded.error.message, message);
          assert.deepEqual(decoded.frames, frames);
        });
      }
    });
  }

  describe('at chunk boundaries', () => {
    it('decodes a frame split inside its CRLF', async () => {
      const chunks = ['+OK\r', '\n$2\r', '\nab\r', '\n-ERR x\r', '\n'].map((text) => Buffer.from(text));
      assert.deepEqual((await decodeChunks(chunks)).frames, [
        { type: 'simple', value: 'OK' },
        { type: 'bulk', value: 'ab' },
        { type: 'error', code: 'ERR', message: 'x' },
      ]);
    });

    it('decodes every two-chunk split of a mixed stream the same way', async () => {
      const bytes = Buffer.from(GOOD_CASES.at(-1)!.bytes, 'utf8');
      for (let cut = 0; cut <= bytes.length; cut += 1) {
        const decoded = await decodeChunks(cutAt(bytes, [cut]));
        assert.deepEqual(decoded.frames, GOOD_CASES.at(-1)!.frames, `cut at ${cut}`);
      }
    });

    it('decodes two frames that arrive in one chunk', async () => {
      const decoded = await decodeChunks([Buffer.from('+OK\r\n' + bulk('{"jid":"1"}'))]);
      assert.deepEqual(decoded.frames, [
        { type: 'simple', value: 'OK' },
        { type: 'bulk', value: '{"jid":"1"}' },
      ]);
    });

    it('decodes a 1 MiB bulk string spread over many chunks, and the simple string sharing its last chunk', async () => {
      const body = '+'.repeat(16) + 'ab✓'.repeat(209_715); // 1 MiB + 1 byte, starting with '+'
      const bytes = Buffer.from(bulk(body) + '+OK\r\n' + bulk('+tail'), 'utf8');
      assert.ok(Buffer.byteLength(body) > 1024 * 1024);
      for (const size of [4093, 65_536]) {
        const decoded = await decodeChunks(inChunksOf(bytes, size));
        assert.equal(decoded.error, undefined);
        assert.equal(decoded.frames.length, 3, `chunks of ${size}`);
        assert.deepEqual(decoded.frames[0], { type: 'bulk', value: body });
        assert.deepEqual(decoded.frames.slice(1), [
          { type: 'simple', value: 'OK' },
          { type: 'bulk', value: '+tail' },
        ]);
      }
    });

    it('decodes multi-byte UTF-8 split at every byte across two chunks', async () => {
      const text = 'a א 😀 ✓';
      const bytes = Buffer.from(`+${text}\r\n${bulk(text)}-ERR ${text}\r\n`, 'utf8');
      for (let cut = 0; cut <= bytes.length; cut += 1) {
        const decoded = await decodeChunks(cutAt(bytes, [cut]));
        assert.deepEqual(
          decoded.frames,
          [
            { type: 'simple', value: text },
            { type: 'bulk', value: text },
            { type: 'error', code: 'ERR', message: text },
          ],
          `cut at ${cut}`,
        );
      }
    });

    it('decodes a bulk string split inside an emoji across three chunks', async () => {
      const bytes = Buffer.from(bulk('😀😀'), 'utf8');
      // '$8\r\n' is 4 bytes: cut inside the first emoji and inside the second.
      const decoded = await decodeChunks(cutAt(bytes, [6, 10]));
      assert.deepEqual(decoded.frames, [{ type: 'bulk', value: '😀😀' }]);
    });

    it('ignores empty chunks, even inside a bulk string gathered across chunks', async () => {
      const chunks = ['', '$3\r\nabc\r', '', '\n', '', '+OK', '', '\r\n'].map((text) => Buffer.from(text));
      assert.deepEqual((await decodeChunks(chunks)).frames, [
        { type: 'bulk', value: 'abc' },
        { type: 'simple', value: 'OK' },
      ]);
    });

    it('emits frames as soon as they are complete, without waiting for the stream to end', async () => {
      const decoder = new RespDecoder();
      const first = new Promise<Frame>((resolve) => decoder.once('data', resolve));
      decoder.write(Buffer.from('$2\r\nh'));
      decoder.write(Buffer.from('i\r\n+O'));
      assert.deepEqual(await first, { type: 'bulk', value: 'hi' });
      decoder.destroy();
    });
  });

  describe('maxFrameBytes', () => {
    /** Writes one chunk and resolves with the error it caused, if any. */
    function write(decoder: RespDecoder, text: string): Promise<Error | undefined> {
      return new Promise((resolve) => {
        decoder.write(Buffer.from(text), (error) => {
          resolve(error ?? undefined);
        });
      });
    }

    it('defaults to 64 MiB, in a frozen defaults object', () => {
      assert.equal(RESP_DECODER_DEFAULTS.maxFrameBytes, 64 * 1024 * 1024);
      assert.ok(Object.isFrozen(RESP_DECODER_DEFAULTS));
    });

    it('refuses a long bulk string as soon as its length line arrives', async () => {
      const decoder = new RespDecoder({ maxFrameBytes: 100 });
      decoder.on('error', () => undefined);
      const error = await write(decoder, '$200\r\nab');
      assert.ok(error instanceof ProtocolError);
      assert.match(error.message, /maximum frame size of 100 bytes/);
    });

    it('refuses by default a bulk string announcing more than 64 MiB, without buffering it', async () => {
      const size = RESP_DECODER_DEFAULTS.maxFrameBytes;
      const accepted = new RespDecoder();
      // '$' + length + CRLF + body + CRLF is exactly 64 MiB: still acceptable.
      const body = size - 1 - String(size).length - 4;
      assert.equal(await write(accepted, `$${body}\r\nab`), undefined);
      accepted.destroy();
      const refused = new RespDecoder();
      refused.on('error', () => undefined);
      assert.ok((await write(refused, `$${body + 1}\r\nab`)) instanceof ProtocolError);
    });

    it('refuses a long unterminated simple string line once it has buffered maxFrameBytes of it', async () => {
      const decoder = new RespDecoder({ maxFrameBytes: 64 });
      decoder.on('error', () => undefined);
      assert.equal(await write(decoder, '+' + 'a'.repeat(40)), undefined);
      assert.equal(await write(decoder, 'a'.repeat(22)), undefined);
      // 64 bytes without their CRLF: the frame can only be longer than 64.
      const error = await write(decoder, 'a');
      assert.ok(error instanceof ProtocolError);
      assert.match(error.message, /maximum frame size/);
    });

    it('refuses an array as soon as its header arrives', async () => {
      const decoder = new RespDecoder();
      decoder.on('error', () => undefined);
      assert.ok((await write(decoder, '*1000000\r\n+a\r\n')) instanceof ProtocolError);
    });

    for (const chunking of CHUNKINGS) {
      it(`accepts a frame of exactly maxFrameBytes and refuses one byte more, fed ${chunking.name}`, async () => {
        for (const text of ['+abcdef\r\n', bulk('abc'), '-ERR x\r\n']) {
          const bytes = Buffer.from('+\r\n' + text, 'utf8');
          const exact = await decodeChunks(chunking.split(bytes), { maxFrameBytes: text.length });
          assert.equal(exact.error, undefined, text);
          assert.equal(exact.frames.length, 2);
          const over = await decodeChunks(chunking.split(bytes), { maxFrameBytes: text.length - 1 });
          assert.ok(over.error instanceof ProtocolError, text);
          assert.deepEqual(over.frames, [{ type: 'simple', value: '' }]);
        }
      });
    }

    for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      it(`is refused with InvalidArgumentError naming maxFrameBytes when it is ${bad}`, () => {
        assert.throws(
          () => new RespDecoder({ maxFrameBytes: bad }),
          (error: unknown) => error instanceof InvalidArgumentError && error.argument === 'maxFrameBytes',
        );
      });
    }
  });

  it('keeps the parser error as the cause of a ProtocolError for bytes that are not RESP', async () => {
    const decoded = await decodeChunks([Buffer.from('!oops\r\n')]);
    assert.ok(decoded.error instanceof ProtocolError);
    assert.ok(decoded.error.cause instanceof Error);
    assert.match(decoded.error.cause.message, /"!" as reply type byte/);
  });

  it('ignores bytes written after it failed', async () => {
    const decoder = new RespDecoder();
    const frames: Frame[] = [];
    decoder.on('data', (frame: Frame) => frames.push(frame));
    const failed = new Promise((resolve) => decoder.once('error', resolve));
    decoder.write(Buffer.from('+A\r\n:1\r\n'));
    decoder.write(Buffer.from('+B\r\n'));
    assert.ok((await failed) instanceof ProtocolError);
    assert.deepEqual(frames, [{ type: 'simple', value: 'A' }]);
  });
});
