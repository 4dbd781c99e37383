import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RespDecoder, encodeCommand, encodeFrame, type Frame } from '../../src/codec/index.js';

function decodeAll(bytes: Buffer): Promise<Frame[]> {
  return new Promise((resolve, reject) => {
    const frames: Frame[] = [];
    const decoder = new RespDecoder();
    decoder.on('data', (frame: Frame) => frames.push(frame));
    decoder.on('error', reject);
    decoder.on('end', () => { resolve(frames); });
    decoder.end(bytes);
  });
}

describe('codec smoke', () => {
  it('round-trips the four frame kinds through encodeFrame and RespDecoder', async () => {
    const frames: Frame[] = [
      { type: 'simple', value: 'OK' },
      { type: 'bulk', value: '{"jid":"abc"}' },
      { type: 'null' },
      { type: 'error', code: 'ERR', message: 'unknown command PUS' },
    ];
    assert.deepEqual(await decodeAll(Buffer.concat(frames.map(encodeFrame))), frames);
  });

  it('encodes a command line with compact JSON', () => {
    assert.equal(encodeCommand('ACK', { jid: 'x' }).toString(), 'ACK {"jid":"x"}\r\n');
  });
});
