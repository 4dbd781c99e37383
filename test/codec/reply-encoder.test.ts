import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { encodeFrame, type Frame } from '../../src/codec/index.js';
import { InvalidArgumentError } from '../../src/errors.js';

describe('encodeFrame', () => {
  const CASES: readonly [Frame, string][] = [
    [{ type: 'simple', value: 'OK' }, '+OK\r\n'],
    [{ type: 'simple', value: '' }, '+\r\n'],
    [{ type: 'simple', value: 'héllo 😀' }, '+héllo 😀\r\n'],
    [{ type: 'bulk', value: 'hello' }, '$5\r\nhello\r\n'],
    [{ type: 'bulk', value: '' }, '$0\r\n\r\n'],
    [{ type: 'bulk', value: 'a\r\nb' }, '$4\r\na\r\nb\r\n'],
    [{ type: 'null' }, '$-1\r\n'],
    [{ type: 'error', code: 'ERR', message: 'unknown command' }, '-ERR unknown command\r\n'],
    [{ type: 'error', code: 'ERR', message: '' }, '-ERR\r\n'],
    [{ type: 'error', code: null, message: 'no code word' }, '-no code word\r\n'],
  ];
  for (const [frame, expected] of CASES) {
    it(`encodes ${JSON.stringify(frame)} as ${JSON.stringify(expected)}`, () => {
      assert.equal(encodeFrame(frame).toString('utf8'), expected);
    });
  }

  it('counts the length of a bulk string in UTF-8 bytes, not characters', () => {
    assert.equal(encodeFrame({ type: 'bulk', value: '😀' }).toString('utf8'), '$4\r\n😀\r\n');
    assert.equal(encodeFrame({ type: 'bulk', value: 'א' }).toString('utf8'), '$2\r\nא\r\n');
    assert.equal(encodeFrame({ type: 'bulk', value: 'aא😀' }).length, '$7\r\n'.length + 7 + 2);
  });

  const LINES: readonly Frame[] = [
    { type: 'simple', value: 'a\r\nb' },
    { type: 'simple', value: 'a\n' },
    { type: 'error', code: 'ERR', message: 'a\rb' },
    { type: 'error', code: null, message: '\n' },
    { type: 'error', code: 'E\r\n', message: 'x' },
  ];
  for (const frame of LINES) {
    it(`refuses CR or LF in a ${frame.type} frame: ${JSON.stringify(frame)}`, () => {
      assert.throws(
        () => encodeFrame(frame),
        (error: unknown) => error instanceof InvalidArgumentError && error.argument === 'frame' && /cannot contain CR or LF/.test(error.message),
      );
    });
  }
});
