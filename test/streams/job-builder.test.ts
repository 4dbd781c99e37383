import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validate as isUuid, version as uuidVersion } from 'uuid';
import { job } from '../../src/streams/index.js';

describe('job builder', () => {
  it('builds a payload with only the fields that were set (validateJob adds the default retry)', () => {
    assert.deepEqual(job('Email', 'a@b.c', 7).jid('abcdefgh1').build(), { jid: 'abcdefgh1', jobtype: 'Email', args: ['a@b.c', 7] });
  });

  it('sets every field', () => {
    const payload = job('Email')
      .jid('abcdefgh1')
      .queue('critical')
      .at(new Date(Date.UTC(2030, 0, 1)))
      .retry(3)
      .reserveFor(120)
      .backtrace(10)
      .custom({ a: 1 })
      .custom({ b: 2 })
      .unique({ forSeconds: 60, until: 'start' })
      .expiresIn(1500)
      .build();
    assert.deepEqual(payload, {
      jid: 'abcdefgh1',
      jobtype: 'Email',
      args: [],
      queue: 'critical',
      at: '2030-01-01T00:00:00.000Z',
      retry: 3,
      reserve_for: 120,
      backtrace: 10,
      custom: { a: 1, b: 2, unique_for: 60, unique_until: 'start', expires_in: 2 },
    });
  });

  it('is immutable: each method returns a new builder', () => {
    const base = job('Email').jid('abcdefgh1');
    const critical = base.queue('critical');
    assert.equal(base.build().queue, undefined);
    assert.equal(critical.build().queue, 'critical');
  });

  it('counts .in() from the build time and lets .at() and .in() replace each other', () => {
    const now = Date.UTC(2030, 0, 1);
    assert.equal(job('A').in(90_000).build(now).at, '2030-01-01T00:01:30.000Z');
    assert.equal(job('A').in(90_000).at('2031-01-01T00:00:00Z').build(now).at, '2031-01-01T00:00:00Z');
    assert.equal(job('A').at('2031-01-01T00:00:00Z').in(0).build(now).at, '2030-01-01T00:00:00.000Z');
  });

  it('lets expiresAt and expiresIn replace each other', () => {
    assert.deepEqual(job('A').expiresIn(1000).expiresAt('2030-01-01T00:00:00Z').build().custom, { expires_at: '2030-01-01T00:00:00Z' });
    assert.deepEqual(job('A').expiresAt('2030-01-01T00:00:00Z').expiresIn(1000).build().custom, { expires_in: 1 });
  });

  it('generates a UUID v4 jid once per builder: every build of one builder has the same jid', () => {
    const builder = job('A');
    const first = builder.build().jid;
    assert.ok(isUuid(first));
    assert.equal(uuidVersion(first), 4);
    assert.equal(builder.build().jid, first);
  });

  it('gives every derived builder a jid of its own unless one is pinned', () => {
    const base = job('A');
    const jids = [base, base.queue('a'), base.queue('b'), job('A')].map((b) => b.build().jid);
    assert.equal(new Set(jids).size, 4);
    const pinned = base.jid('pinned-jid-1');
    assert.equal(pinned.queue('c').build().jid, 'pinned-jid-1');
  });
});
