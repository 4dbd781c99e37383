import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encodeFrame, type Frame } from '../../src/codec/index.js';
import { ProtocolError } from '../../src/errors.js';
import { byteByByte, cutAt, decodeChunks } from './decode-chunks.js';

const text = fc.string({ unit: 'binary', maxLength: 24 });
/** Fragments that look like RESP framing, so bodies imitate headers, CRLFs and type bytes. */
const framing = fc.constantFrom('+', '$', '-', ':', '*', '\r', '\n', '\r\n', '$-1\r\n', '+OK\r\n', '$3\r\n', 'א', '😀');
const bodyText = fc.oneof(text, fc.array(fc.oneof(text, framing), { maxLength: 8 }).map((parts) => parts.join('')));
const lineText = bodyText.map((value) => value.replace(/[\r\n]/g, ''));
/** Tens of KiB, often starting with '+', so it is gathered across chunks. */
const largeText = fc
  .tuple(fc.constantFrom('+', '+OK', '$', ''), fc.string({ unit: 'binary', minLength: 1, maxLength: 6 }), fc.integer({ min: 2_000, max: 12_000 }))
  .map(([head, unit, times]) => head + unit.repeat(times));

const codeWord = fc.stringMatching(/^[A-Z][A-Z0-9_]{0,11}$/);
const CODE_WORD_START = /^[A-Z][A-Z0-9_]*(?: |$)/;

const simpleFrame = lineText.map((value): Frame => ({ type: 'simple', value }));
const bulkFrame = (large: boolean): fc.Arbitrary<Frame> =>
  (large ? fc.oneof({ weight: 4, arbitrary: bodyText }, { weight: 1, arbitrary: largeText }) : bodyText).map(
    (value): Frame => ({ type: 'bulk', value }),
  );
const nullFrame = fc.constant<Frame>({ type: 'null' });
const errorFrame = fc.oneof(
  fc.tuple(codeWord, lineText).map(([code, message]): Frame => ({ type: 'error', code, message })),
  lineText.filter((message) => !CODE_WORD_START.test(message)).map((message): Frame => ({ type: 'error', code: null, message })),
);
const frameOf = (large: boolean): fc.Arbitrary<Frame> => fc.oneof(simpleFrame, bulkFrame(large), nullFrame, errorFrame);
const frames = (large: boolean, maxLength = 12): fc.Arbitrary<Frame[]> => fc.array(frameOf(large), { maxLength });

/** Random cut points (repeats give empty chunks), or byte by byte for short streams. */
const chunking = fc.oneof(
  { weight: 4, arbitrary: fc.array(fc.nat(), { maxLength: 24 }).map((cuts) => (bytes: Buffer) => cutAt(bytes, cuts.map((cut) => cut % (bytes.length + 1)))) },
  { weight: 1, arbitrary: fc.constant((bytes: Buffer) => (bytes.length <= 4_096 ? byteByByte(bytes) : [bytes])) },
);

const encodeAll = (list: readonly Frame[]): Buffer => Buffer.concat(list.map((frame) => encodeFrame(frame)));

describe('RespDecoder properties', () => {
  it('decodes any sequence of valid frames, cut at any points, to the same frames', async () => {
    await fc.assert(
      fc.asyncProperty(frames(true), chunking, async (list, split) => {
        const decoded = await decodeChunks(split(encodeAll(list)));
        assert.equal(decoded.error, undefined);
        assert.deepEqual(decoded.frames, list);
      }),
      { numRuns: 300 },
    );
  });

  it('tells simple from bulk strings when a large bulk string is completed in the chunk holding the next frames', async () => {
    const tail = fc.array(fc.oneof(simpleFrame, bulkFrame(false), fc.constant<Frame>({ type: 'simple', value: '+' })), { minLength: 1, maxLength: 6 });
    await fc.assert(
      fc.asyncProperty(largeText, tail, fc.array(fc.nat(), { minLength: 1, maxLength: 8 }), async (large, rest, cuts) => {
        const head = encodeFrame({ type: 'bulk', value: large });
        // Every cut falls inside the large frame: its last chunk also carries every frame after it.
        const bytes = Buffer.concat([head, encodeAll(rest)]);
        const decoded = await decodeChunks(cutAt(bytes, cuts.map((cut) => cut % head.length)));
        assert.deepEqual(decoded.frames, [{ type: 'bulk', value: large }, ...rest]);
      }),
      { numRuns: 100 },
    );
  });

  it('is destroyed with a ProtocolError by a bad type byte, however the bytes are cut', async () => {
    const badType = fc.integer({ min: 0, max: 255 }).filter((byte) => !'+-$:*'.includes(String.fromCharCode(byte)));
    await fc.assert(
      fc.asyncProperty(frames(false, 6), badType, fc.uint8Array({ maxLength: 64 }), chunking, async (list, bad, garbage, split) => {
        const bytes = Buffer.concat([encodeAll(list), Buffer.from([bad]), garbage]);
        const decoded = await decodeChunks(split(bytes));
        assert.ok(decoded.error instanceof ProtocolError);
        assert.ok(decoded.destroyed);
        assert.deepEqual(decoded.frames, list);
      }),
      { numRuns: 200 },
    );
  });

  it('is destroyed with a ProtocolError when the stream ends inside a frame, after the frames before it', async () => {
    await fc.assert(
      fc.asyncProperty(frames(false, 6), frameOf(false), fc.nat(), chunking, async (list, last, at, split) => {
        const lastBytes = encodeFrame(last);
        const bytes = Buffer.concat([encodeAll(list), lastBytes.subarray(0, 1 + (at % (lastBytes.length - 1)))]);
        const decoded = await decodeChunks(split(bytes));
        assert.ok(decoded.error instanceof ProtocolError);
        assert.match(decoded.error.message, /ended in the middle/);
        assert.deepEqual(decoded.frames, list);
      }),
      { numRuns: 200 },
    );
  });

  it('refuses the first frame longer than maxFrameBytes, and only such a frame, however the bytes are cut', async () => {
    await fc.assert(
      fc.asyncProperty(frames(false), fc.integer({ min: 1, max: 120 }), chunking, async (list, maxFrameBytes, split) => {
        const sizes = list.map((frame) => encodeFrame(frame).length);
        const firstTooLong = sizes.findIndex((size) => size > maxFrameBytes);
        const decoded = await decodeChunks(split(encodeAll(list)), { maxFrameBytes });
        if (firstTooLong === -1) {
          assert.equal(decoded.error, undefined);
          assert.deepEqual(decoded.frames, list);
        } else {
          assert.ok(decoded.error instanceof ProtocolError);
          assert.match(decoded.error.message, /maximum frame size/);
          assert.deepEqual(decoded.frames, list.slice(0, firstTooLong));
        }
      }),
      { numRuns: 300 },
    );
  });
});
