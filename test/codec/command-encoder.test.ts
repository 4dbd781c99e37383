import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encodeCommand, formatCommand, type CommandArg } from '../../src/codec/index.js';
import { InvalidArgumentError } from '../../src/errors.js';

/** Asserts that `run` throws an InvalidArgumentError naming `argument`, and returns it. */
function assertRefused(run: () => unknown, argument: string): InvalidArgumentError {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof InvalidArgumentError, `expected InvalidArgumentError, got ${String(caught)}`);
  assert.equal(caught.argument, argument);
  assert.equal(caught.code, 'FAKTORY_ERR_INVALID_ARGUMENT');
  return caught;
}

describe('encodeCommand', () => {
  it('writes the verb and its words separated by single spaces, ending in CRLF', () => {
    assert.equal(encodeCommand('FETCH', 'critical', 'default').toString('utf8'), 'FETCH critical default\r\n');
    assert.equal(encodeCommand('END').toString('utf8'), 'END\r\n');
  });

  it('writes finite numbers in decimal', () => {
    assert.equal(formatCommand('X', 0, -1, 1.5, 1e21), 'X 0 -1 1.5 1e+21');
  });

  it('keeps א and emoji in JSON arguments intact, counting bytes', () => {
    const job = { jid: 'j1', jobtype: 'Greet', args: ['א', '😀', { name: 'שלום 👋' }] };
    const bytes = encodeCommand('PUSH', job);
    const line = bytes.toString('utf8');
    assert.ok(line.startsWith('PUSH ') && line.endsWith('\r\n'));
    assert.deepEqual(JSON.parse(line.slice('PUSH '.length, -2)), job);
    assert.equal(bytes.length, Buffer.byteLength(`PUSH ${JSON.stringify(job)}\r\n`, 'utf8'));
    assert.ok(bytes.includes(Buffer.from('😀', 'utf8')));
  });

  it('serialises an object once, as compact JSON', () => {
    let calls = 0;
    const payload = {
      toJSON() {
        calls += 1;
        return { jid: 'x', errtype: 'Boom', backtrace: ['a', 'b'] };
      },
    };
    assert.equal(encodeCommand('FAIL', payload).toString('utf8'), 'FAIL {"jid":"x","errtype":"Boom","backtrace":["a","b"]}\r\n');
    assert.equal(calls, 1);
  });

  it('serialises an array argument as a JSON array', () => {
    assert.equal(formatCommand('PUSHB', [{ jid: 'a' }, { jid: 'b' }]), 'PUSHB [{"jid":"a"},{"jid":"b"}]');
  });

  it('writes any JSON object or array so that it parses back to the same value', () => {
    const container = fc.oneof(fc.dictionary(fc.string({ unit: 'binary' }), fc.jsonValue({ stringUnit: 'binary' })), fc.array(fc.jsonValue({ stringUnit: 'binary' })));
    fc.assert(
      fc.property(container, (value) => {
        const line = encodeCommand('PUSH', value).toString('utf8');
        assert.ok(line.endsWith('\r\n'));
        assert.ok(!line.slice(0, -2).includes('\n') && !line.slice(0, -2).includes('\r'));
        assert.deepEqual(JSON.parse(line.slice('PUSH '.length, -2)), JSON.parse(JSON.stringify(value)));
      }),
    );
  });

  const BAD_WORDS: readonly [string, string][] = [
    ['empty', ''],
    ['a space', 'a b'],
    ['a leading space', ' a'],
    ['a tab', 'a\tb'],
    ['a CR', 'a\rb'],
    ['an LF', 'a\n'],
    ['a CRLF', 'PUSH\r\nEND'],
    ['a Unicode line separator', 'a\u2028b'],
  ];
  for (const [what, word] of BAD_WORDS) {
    it(`refuses a verb that is ${what} with InvalidArgumentError naming the verb`, () => {
      assertRefused(() => encodeCommand(word, 'default'), 'verb');
    });

    it(`refuses a word argument that is ${what} with InvalidArgumentError naming the argument and the verb`, () => {
      const error = assertRefused(() => encodeCommand('FETCH', 'critical', word), 'argument 2 of FETCH');
      assert.equal(error.verb, 'FETCH');
    });
  }

  it('refuses a bad verb before looking at its arguments', () => {
    assertRefused(() => encodeCommand('', 'a b'), 'verb');
  });

  it('refuses a cyclic object, keeping the serialisation error as the cause', () => {
    const job: Record<string, unknown> = { jid: 'x' };
    job.self = job;
    const error = assertRefused(() => encodeCommand('PUSH', job), 'argument 1 of PUSH');
    assert.ok(error.cause instanceof TypeError);
  });

  it('refuses an object holding a BigInt', () => {
    assertRefused(() => encodeCommand('PUSH', { jid: 'x', args: [10n] }), 'argument 1 of PUSH');
  });

  it('refuses an object that serialises to nothing', () => {
    assertRefused(() => encodeCommand('PUSH', { toJSON: () => undefined }), 'argument 1 of PUSH');
  });

  for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
    it(`refuses the non-finite number ${bad}`, () => {
      const error = assertRefused(() => encodeCommand('X', 'a', bad), 'argument 2 of X');
      assert.match(error.message, /not a finite number/);
    });
  }

  // JavaScript callers are not bound by the types.
  const UNTYPED: readonly [string, unknown][] = [
    ['null', null],
    ['undefined', undefined],
    ['a boolean', true],
    ['a BigInt', 1n],
    ['a function', () => 1],
  ];
  for (const [what, value] of UNTYPED) {
    it(`refuses ${what} as an argument, naming its type`, () => {
      const error = assertRefused(() => encodeCommand('X', value as CommandArg), 'argument 1 of X');
      assert.match(error.message, new RegExp(`a ${value === null ? 'null' : typeof value} cannot be sent`));
    });
  }
});
