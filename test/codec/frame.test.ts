import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseErrorText } from '../../src/codec/index.js';

describe('parseErrorText', () => {
  const CASES: readonly [string, string | null, string][] = [
    ['ERR unknown command', 'ERR', 'unknown command'],
    ['NOTUNIQUE Job not unique', 'NOTUNIQUE', 'Job not unique'],
    ['ERR', 'ERR', ''],
    ['ERR ', 'ERR', ''],
    ['ERR  two spaces', 'ERR', ' two spaces'],
    ['E_2X code with digits and underscore', 'E_2X', 'code with digits and underscore'],
    ['ERR line\nbreak', 'ERR', 'line\nbreak'],
    ['something went wrong', null, 'something went wrong'],
    ['Err mixed case is no code word', null, 'Err mixed case is no code word'],
    ['1ERR starts with a digit', null, '1ERR starts with a digit'],
    ['ERR: followed by a colon', null, 'ERR: followed by a colon'],
    ['', null, ''],
  ];
  for (const [text, code, message] of CASES) {
    it(`splits ${JSON.stringify(text)} into code ${String(code)} and message ${JSON.stringify(message)}`, () => {
      assert.deepEqual(parseErrorText(text), { type: 'error', code, message });
    });
  }
});
