// The shortcuts of the server's hot paths (PUSH, PUSHB, FETCH, ACK) must give exactly what the
// straightforward code gives: each is checked here against a plain reference, over random input.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { runCommand } from '../../../src/testing/server/commands.js';
import type { ServerContext } from '../../../src/testing/server/context.js';
import { escapeHtml } from '../../../src/testing/server/go-json.js';
import { decodeJob, encodeJob, type Job } from '../../../src/testing/server/job.js';
import { formatTime } from '../../../src/testing/server/time-format.js';

/** Go's RFC3339Nano in UTC, the obvious way. */
const referenceTime = (ms: number): string =>
  new Date(ms).toISOString().replace(/\.000Z$/, 'Z').replace(/(\.\d*?[1-9])0+Z$/, '$1Z');

/** Go's HTML-safe escaping, the obvious way. */
const referenceEscape = (json: string): string =>
  json.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** A server context whose store only records the jids it is asked to acknowledge. */
function ackRecorder(): { readonly server: ServerContext; readonly acked: string[] } {
  const acked: string[] = [];
  const store = {
    ack: (jid: string): void => {
      acked.push(jid);
    },
  };
  const counters = { connections: 0, totalConnections: 0, commands: 0, taskRuns: new Map<string, number>() };
  const server = { store, counters } as unknown as ServerContext;
  return { server, acked };
}

/** A string of characters that matter to JSON and to the ACK shortcut. */
const trickyText = fc.string({
  unit: fc.oneof(
    fc.constantFrom('"', '\\', '\n', '\r', '\t', '\u0000', '\u001f', '<', '>', '&', '\u2028', '\u2029', 'é', '\ud83d', ' ', '}', '{', ','),
    fc.string({ minLength: 1, maxLength: 1 }),
  ),
  maxLength: 24,
});

describe('in-memory server hot paths', () => {
  it('formats every millisecond as Go RFC3339Nano, also when the same or another millisecond repeats', () => {
    fc.assert(
      // Times from a few seconds (so that milliseconds repeat and share a second) and from the whole range.
      fc.property(fc.array(fc.oneof(fc.integer({ min: 0, max: 3_000 }), fc.integer({ min: -8.64e15, max: 8.64e15 })), { minLength: 1, maxLength: 8 }), (times) => {
        for (const ms of [...times, ...times.reverse(), times[0] ?? 0]) assert.equal(formatTime(ms), referenceTime(ms));
      }),
      { numRuns: 300 },
    );
    for (const ms of [0, 1, 10, 100, 120, 999, 1000, Date.UTC(2030, 0, 1, 0, 0, 0, 500)]) assert.equal(formatTime(ms), referenceTime(ms));
  });

  it('escapes <, >, &, U+2028 and U+2029 exactly where Go does and leaves other text untouched', () => {
    fc.assert(
      fc.property(trickyText, (text) => {
        const json = JSON.stringify(text);
        assert.equal(escapeHtml(json), referenceEscape(json));
      }),
      { numRuns: 500 },
    );
  });

  it('acknowledges the jid JSON.parse reads from any ACK payload, and refuses what it would refuse', () => {
    fc.assert(
      fc.property(trickyText, fc.boolean(), (text, quoted) => {
        const payload = quoted ? `{"jid":${JSON.stringify(text)}}` : `{"jid":"${text}"}`;
        let expected: string | undefined;
        try {
          const value = JSON.parse(payload) as Record<string, unknown>;
          expected = Object.values(value).every((v) => typeof v === 'string') ? (value['jid'] as string) : undefined;
          // Go decodes an escaped lone surrogate as U+FFFD
          if (quoted) expected = expected?.replace(/[\ud800-\udfff]/g, '\ufffd');
        } catch {
          expected = undefined;
        }
        const { server, acked } = ackRecorder();
        const reply = runCommand(server, { worker: undefined }, `ACK ${payload}`);
        if (expected === undefined) {
          assert.equal(reply, `-ERR invalid ACK ${payload.replace(/\n/g, ' ')}\r\n`);
          assert.deepEqual(acked, []);
        } else {
          assert.equal(reply, '+OK\r\n');
          assert.deepEqual(acked, [expected]);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('decodes the job it encoded, field for field, in the server field order', () => {
    const optional = <T>(arbitrary: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(arbitrary, { nil: undefined });
    const jobArbitrary = fc.record({
      jid: fc.string({ minLength: 8 }),
      queue: fc.stringMatching(/^[a-z0-9._-]+$/),
      jobtype: fc.string({ minLength: 1 }),
      args: fc.array(fc.jsonValue(), { maxLength: 3 }),
      created_at: optional(fc.string({ minLength: 1 })),
      enqueued_at: optional(fc.string({ minLength: 1 })),
      at: optional(fc.string({ minLength: 1 })),
      reserve_for: optional(fc.integer({ min: 1, max: 86_400 })),
      retry: optional(fc.integer({ min: -1, max: 25 })),
      backtrace: optional(fc.integer({ min: 1, max: 50 })),
      custom: optional(fc.dictionary(fc.string({ minLength: 1 }), fc.jsonValue(), { minKeys: 1, maxKeys: 3 })),
    });
    const order = ['retry', 'custom', 'jid', 'queue', 'jobtype', 'created_at', 'enqueued_at', 'at', 'args', 'reserve_for', 'backtrace'];
    fc.assert(
      fc.property(jobArbitrary, (fields) => {
        const job = Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as unknown as Job;
        const json = encodeJob(job);
        assert.doesNotMatch(json, /[<>&\u2028\u2029]/);
        const parsed = JSON.parse(json) as Record<string, unknown>;
        assert.deepEqual(Object.keys(parsed), order.filter((key) => key in job || key === 'retry'));
        const decoded = decodeJob(json);
        assert.ok(decoded.ok);
        // (decoded maps have a null prototype, so compare them as JSON values)
        assert.deepEqual(JSON.parse(JSON.stringify(decoded.value)) as unknown, JSON.parse(JSON.stringify(job)) as unknown);
      }),
      { numRuns: 300 },
    );
  });

  it('reports the first value of the wrong type in input order, with the field path, as Go decodes it', () => {
    const error = (value: unknown): string => {
      const decoded = decodeJob(typeof value === 'string' ? value : JSON.stringify(value));
      return decoded.ok ? 'no error' : decoded.error;
    };
    assert.equal(error({ jid: 5, args: 'x' }), 'json: cannot unmarshal number into Go struct field Job.jid of type string');
    assert.equal(error({ args: 'x', jid: 5 }), 'json: cannot unmarshal string into Go struct field Job.args of type []interface {}');
    assert.equal(error({ jid: 'abcdefgh', retry: 1.5 }), 'json: cannot unmarshal number 1.5 into Go struct field Job.retry of type int');
    assert.equal(error('{"retry":9223372036854775808}'), 'json: cannot unmarshal number 9223372036854775808 into Go struct field Job.retry of type int');
    assert.equal(error('{"args":[1e400]}'), 'json: cannot unmarshal number 1e400 into Go struct field Job.args of type float64');
    assert.equal(
      error({ jid: 'abcdefgh', failure: { backtrace: ['a', 7] } }),
      'json: cannot unmarshal number into Go struct field Failure.failure.backtrace of type string',
    );
    assert.equal(error('{"jid":5,"args":[}'), "invalid character '}' looking for beginning of value", 'a syntax error wins');
    assert.deepEqual(decodeJob('{"jid":null,"queue":null,"args":null,"retry":null,"custom":{}}'), { ok: true, value: { jid: '', queue: '', jobtype: '' } });
    assert.deepEqual(decodeJob('{"JID":"abcdefgh","JobType":"T","ARGS":[],"Retry":3,"jid":"last-wins"}'), {
      ok: true,
      value: { jid: 'last-wins', queue: '', jobtype: 'T', args: [], retry: 3 },
    });
    assert.deepEqual(decodeJob('{"jid":"abcdefgh","failure":{"backtrace":["a",null]}}'), {
      ok: true,
      value: { jid: 'abcdefgh', queue: '', jobtype: '', failure: { retry_count: 0, remaining: 0, failed_at: '', backtrace: ['a', ''] } },
    });
  });
});
