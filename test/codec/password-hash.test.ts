import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { passwordHash } from '../../src/codec/index.js';

describe('passwordHash', () => {
  it('is sha256(password + salt), then i - 1 more hashes of the raw digest, in hex', () => {
    let digest = createHash('sha256').update('secretsalt').digest();
    digest = createHash('sha256').update(digest).digest();
    digest = createHash('sha256').update(digest).digest();
    assert.equal(passwordHash('secret', 'salt', 3), digest.toString('hex'));
    assert.equal(passwordHash('secret', 'salt', 1), createHash('sha256').update('secretsalt').digest('hex'));
  });

  it('hashes the password as UTF-8', () => {
    assert.equal(passwordHash('pässwörd', 'ß', 1), createHash('sha256').update(Buffer.from('pässwördß', 'utf8')).digest('hex'));
  });
});
