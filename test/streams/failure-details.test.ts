import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeFailure } from '../../src/streams/failure-details.js';

describe('describeFailure (the FAIL payload)', () => {
  it('takes errtype from the error name and the backtrace from its stack frames', () => {
    const error = new RangeError('too big');
    const details = describeFailure(error, 30);
    assert.equal(details.errtype, 'RangeError');
    assert.equal(details.message, 'too big');
    assert.ok(details.backtrace.length > 0);
    assert.ok(details.backtrace.every((line) => line.startsWith('at ')));
  });

  it('includes the cause chain as Caused by lines', () => {
    const root = new TypeError('socket reset');
    const error = new Error('could not send', { cause: new Error('retry failed', { cause: root }) });
    const lines = describeFailure(error, 500).backtrace;
    const causes = lines.filter((line) => line.startsWith('Caused by:'));
    assert.deepEqual(causes, ['Caused by: Error: retry failed', 'Caused by: TypeError: socket reset']);
    assert.ok(lines.indexOf(causes[0]!) > 0);
  });

  it('trims the backtrace to the asked number of lines', () => {
    const error = new Error('outer', { cause: new Error('inner') });
    assert.equal(describeFailure(error, 3).backtrace.length, 3);
    assert.deepEqual(describeFailure(error, 0).backtrace, []);
  });

  it('wraps a thrown string as an Error with the string as message', () => {
    assert.deepEqual(describeFailure('boom', 30), { errtype: 'Error', message: 'boom', backtrace: [] });
  });

  it('never reports undefined as errtype for other thrown values', () => {
    assert.deepEqual(describeFailure(undefined, 30), { errtype: 'Error', message: 'undefined', backtrace: [] });
    assert.equal(describeFailure({ code: 42 }, 30).message, '{"code":42}');
    assert.deepEqual(describeFailure({ message: 'plain object' }, 30), { errtype: 'Error', message: 'plain object', backtrace: [] });
    assert.deepEqual(describeFailure({ name: 'AbortError', message: 'aborted' }, 30), { errtype: 'AbortError', message: 'aborted', backtrace: [] });
  });

  it('survives a cause cycle', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    const lines = describeFailure(a, 1000).backtrace.filter((line) => line.startsWith('Caused by:'));
    assert.deepEqual(lines, ['Caused by: Error: b']);
  });

  it('trims errtype and message to the server limits', () => {
    const error = new Error('m'.repeat(2000));
    error.name = 'N'.repeat(200);
    const details = describeFailure(error, 30);
    assert.equal(details.errtype.length, 100);
    assert.equal(details.message.length, 1000);
  });
});
