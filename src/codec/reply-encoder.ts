import { InvalidArgumentError } from '../errors.js';
import type { Frame } from './frame.js';

const CRLF = /[\r\n]/;

/**
 * Encodes a frame as RESP2 bytes: what a Faktory server writes. Used by the in-memory server
 * and by tests. Simple strings and errors cannot hold CR or LF; bulk lengths count bytes.
 */
export function encodeFrame(frame: Frame): Buffer {
  switch (frame.type) {
    case 'simple':
      assertLine(frame.value, 'simple string');
      return Buffer.from(`+${frame.value}\r\n`, 'utf8');
    case 'bulk': {
      const body = Buffer.from(frame.value, 'utf8');
      return Buffer.concat([Buffer.from(`$${body.length}\r\n`, 'latin1'), body, CRLF_BYTES]);
    }
    case 'null':
      return Buffer.from('$-1\r\n', 'latin1');
    case 'error': {
      const text = frame.code === null ? frame.message : frame.message === '' ? frame.code : `${frame.code} ${frame.message}`;
      assertLine(text, 'error');
      return Buffer.from(`-${text}\r\n`, 'utf8');
    }
  }
}

const CRLF_BYTES = Buffer.from('\r\n', 'latin1');

function assertLine(text: string, what: string): void {
  if (CRLF.test(text)) {
    throw new InvalidArgumentError(`a RESP ${what} cannot contain CR or LF`, { argument: 'frame' });
  }
}
