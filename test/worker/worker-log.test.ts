import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { streamLogger, workerLogRecord } from '../../src/worker/worker-log.js';

describe('workerLogRecord', () => {
  it('logs a job that succeeded at debug and one that failed at warn, with jid, jobtype and duration', () => {
    assert.deepEqual(workerLogRecord({ type: 'succeeded', jid: 'j1', jobtype: 'Email', durationMs: 12.4 }), {
      level: 'debug',
      message: 'job j1 (Email) succeeded in 12 ms',
      fields: { jid: 'j1', jobtype: 'Email', durationMs: 12.4, outcome: 'succeeded' },
    });
    const failed = workerLogRecord({ type: 'failed', jid: 'j2', jobtype: 'Email', durationMs: 3, reason: 'error', error: new TypeError('bad') });
    assert.equal(failed!.level, 'warn');
    assert.equal(failed!.message, 'job j2 (Email) failed (error): TypeError: bad');
    assert.equal(failed!.fields.errtype, 'TypeError');
  });

  it('logs a FETCH that cannot reach the server at once, then at attempts 2, 4, 8 (backoff)', () => {
    const logged = [1, 2, 3, 4, 5, 6, 7, 8, 9].filter(
      (attempt) => workerLogRecord({ type: 'fetchRetried', attempt, delayMs: 100, error: new Error('ECONNREFUSED') }) !== undefined,
    );
    assert.deepEqual(logged, [1, 2, 4, 8]);
  });

  it('logs an undelivered ACK as an error that says the server will retry the job', () => {
    const line = workerLogRecord({ type: 'deliveryLost', command: 'ACK', jid: 'j', jobtype: 'T', reason: 'expired', error: new Error('x') });
    assert.equal(line!.level, 'error');
    assert.match(line!.message, /retries the job when its reservation ends/);
  });

  it('says nothing of a FETCH or BEAT that went as planned', () => {
    assert.equal(workerLogRecord({ type: 'fetched', jid: 'j', jobtype: 'T', queue: 'q', job: { jid: 'j', jobtype: 'T', args: [] }, atMs: 0 }), undefined);
    assert.equal(workerLogRecord({ type: 'heartbeat', reply: 'ok', rssKb: 1 }), undefined);
  });
});

describe('streamLogger', () => {
  const now = () => new Date('2026-12-01T10:00:00.000Z');
  it('writes text lines with quoted values where needed, dropping levels below its own', () => {
    const lines: string[] = [];
    const logger = streamLogger({ write: (l) => lines.push(l), now, level: 'info' });
    logger.debug('hidden');
    logger.warn('job failed', { jid: 'a b', attempt: 2, skipped: undefined });
    assert.deepEqual(lines, ['2026-12-01T10:00:00.000Z WARN  job failed jid="a b" attempt=2']);
  });

  it('writes one JSON object a line with time, level, msg and the fields', () => {
    const lines: string[] = [];
    const logger = streamLogger({ write: (l) => lines.push(l), now, format: 'json', level: 'debug' });
    logger.debug('job done', { jid: 'j' });
    assert.deepEqual(JSON.parse(lines[0] ?? ''), { time: '2026-12-01T10:00:00.000Z', level: 'debug', msg: 'job done', jid: 'j' });
  });
});
