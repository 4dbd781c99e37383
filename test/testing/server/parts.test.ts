import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createManualClock } from '../../../src/testing/index.js';
import { RingQueue } from '../../../src/testing/server/ring-queue.js';
import { JobSet } from '../../../src/testing/server/job-set.js';
import { globToRegExp } from '../../../src/testing/server/glob.js';
import { formatTime, parseGoTime, parseTime } from '../../../src/testing/server/time-format.js';

describe('in-memory server parts', () => {
  it('ManualClock fires due timers in due order, including ones set while advancing, and skips cleared ones', () => {
    const clock = createManualClock(1_000);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push(`b@${clock.now()}`), 20);
    const cleared = clock.setTimeout(() => fired.push('never'), 5);
    clock.setTimeout(() => {
      fired.push(`a@${clock.now()}`);
      clock.setTimeout(() => fired.push(`c@${clock.now()}`), 5);
    }, 10);
    clock.clearTimeout(cleared);
    clock.advance(19);
    assert.deepEqual(fired, ['a@1010', 'c@1015']);
    clock.advance(100);
    assert.deepEqual(fired, ['a@1010', 'c@1015', 'b@1020']);
    assert.equal(clock.now(), 1_119);
    assert.equal(clock.pendingTimers(), 0);
  });

  it('RingQueue behaves as a FIFO array under random operations', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.integer(), fc.constant(null)), { maxLength: 3000 }), (ops) => {
        const queue = new RingQueue<number>();
        const model: number[] = [];
        for (const op of ops) {
          if (op === null) assert.equal(queue.shift(), model.shift());
          else {
            queue.push(op);
            model.push(op);
          }
          assert.equal(queue.size, model.length);
        }
        assert.deepEqual(queue.toArray(), model);
      }),
      { numRuns: 50 },
    );
  });

  it('JobSet takes due jobs earliest first, keyed by payload as Redis sorted sets: same payload moves, same jid twice is two', () => {
    const set = new JobSet();
    const job = (jid: string, args: unknown[] = []) => ({ jid, queue: 'q', jobtype: 'T', args });
    set.add(job('c'), 30);
    set.add(job('a'), 10);
    set.add(job('b'), 20);
    set.add(job('d'), 5);
    const d = set.entries()[0];
    assert.ok(d !== undefined && set.remove(d));
    assert.equal(set.remove(d), false);
    set.add(job('b'), 40);
    set.add(job('b', [2]), 50);
    assert.deepEqual(set.takeDue(30).map((j) => j.jid), ['a', 'c']);
    assert.equal(set.size, 2);
    assert.deepEqual(set.entries().map((e) => [e.job.jid, e.atMs]), [['b', 40], ['b', 50]]);
  });

  it('compiles Redis globs: *, ?, classes, negation and escapes', () => {
    assert.ok(globToRegExp('*foo*').test('a foo b'));
    assert.ok(!globToRegExp('foo').test('a foo'));
    assert.ok(globToRegExp('h?llo').test('hello'));
    assert.ok(globToRegExp('h[ae]llo').test('hallo') && !globToRegExp('h[ae]llo').test('hillo'));
    assert.ok(globToRegExp('h[^e]llo').test('hallo') && !globToRegExp('h[^e]llo').test('hello'));
    assert.ok(globToRegExp('a\\*b').test('a*b') && !globToRegExp('a\\*b').test('axb'));
  });

  it('formats times as Go RFC3339Nano and parses them by Go RFC3339Nano rules, with its error texts', () => {
    assert.equal(formatTime(Date.UTC(2030, 0, 1)), '2030-01-01T00:00:00Z');
    assert.equal(formatTime(Date.UTC(2030, 0, 1, 0, 0, 0, 500)), '2030-01-01T00:00:00.5Z');
    assert.equal(parseTime('2030-01-01T01:00:00.25+01:00'), Date.UTC(2030, 0, 1, 0, 0, 0, 250));
    assert.equal(parseTime('2030-01-01T1:00:00,5-00:30'), Date.UTC(2030, 0, 1, 1, 30, 0, 500), 'one-digit hour, comma fraction');
    assert.equal(parseTime('0050-01-01T00:00:00Z'), -60_589_296_000_000, 'year 50 is not 1950');
    const layout = '"2006-01-02T15:04:05.999999999Z07:00"';
    const errors: Record<string, string> = {
      soon: `parsing time "soon" as ${layout}: cannot parse "soon" as "2006"`,
      '2030-01-01t00:00:00Z': `parsing time "2030-01-01t00:00:00Z" as ${layout}: cannot parse "t00:00:00Z" as "T"`,
      '2030-01-01T00:00:00z': `parsing time "2030-01-01T00:00:00z" as ${layout}: cannot parse "z" as "Z07:00"`,
      '2030-1-01T00:00:00Z': `parsing time "2030-1-01T00:00:00Z" as ${layout}: cannot parse "1-01T00:00:00Z" as "01"`,
      '2030-01-01 00:00:00': `parsing time "2030-01-01 00:00:00" as ${layout}: cannot parse " 00:00:00" as "T"`,
      '2030-13-01T00:00:00Z': 'parsing time "2030-13-01T00:00:00Z": month out of range',
      '2030-02-30T00:00:00Z': 'parsing time "2030-02-30T00:00:00Z": day out of range',
      '2030-01-01T24:00:00Z': 'parsing time "2030-01-01T24:00:00Z": hour out of range',
      '2030-01-01T00:00:00+25:00': 'parsing time "2030-01-01T00:00:00+25:00": time zone offset hour out of range',
      '2030-01-01T00:00:00Z!': 'parsing time "2030-01-01T00:00:00Z!": extra text: "!"',
      '2030-01-01T00:00:00+0100': `parsing time "2030-01-01T00:00:00+0100" as ${layout}: cannot parse "+0100" as "Z07:00"`,
      'é': `parsing time "\\xc3\\xa9" as ${layout}: cannot parse "\\xc3\\xa9" as "2006"`,
    };
    for (const [text, error] of Object.entries(errors)) assert.deepEqual(parseGoTime(text), { ok: false, error }, text);
  });
});
