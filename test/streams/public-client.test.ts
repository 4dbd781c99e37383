import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { from, toArray } from 'rxjs';
import { createClient, job, pushJobs, type FaktoryClient } from '../../src/streams/index.js';
import { first } from './await.js';
import { bulk, FakePool } from './fake-pool.js';

describe('a client of the published FaktoryClient type', () => {
  it('is enough for pushJobs: it needs no member the typings strip', async () => {
    const pool = new FakePool(() => bulk({}));
    const real = createClient({ pool });
    // A wrapper with exactly the published members: what a user may write around a client.
    const hidden = new Set<PropertyKey>(['prepareSync']);
    const published = new Proxy(real, {
      get: (target, key) => {
        if (hidden.has(key)) return undefined;
        const value: unknown = Reflect.get(target, key, target);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    }) satisfies FaktoryClient;
    const results = await first(from([job('A').jid('abcdefgh1'), job('B').jid('abcdefgh2')]).pipe(pushJobs(published), toArray()));
    assert.deepEqual(results.map((r) => [r.status, r.job?.jid]), [['pushed', 'abcdefgh1'], ['pushed', 'abcdefgh2']]);
    assert.equal(pool.lines.length, 1);
    assert.match(pool.lines[0] ?? '', /^PUSHB /);
  });
});
