import { createHash } from 'node:crypto';

/**
 * The password hash of Faktory's handshake (`pwdhash` in `HELLO`): `sha256(password + salt)`,
 * then sha256 of the raw digest `iterations - 1` more times, as lowercase hex. The client
 * computes it and the in-memory server checks it, so both live here, below both.
 *
 * @example
 * passwordHash('secret', 'salt', 1) // sha256('secretsalt') in hex
 */
export function passwordHash(password: string, salt: string, iterations: number): string {
  let digest = createHash('sha256').update(password + salt, 'utf8').digest();
  for (let round = 1; round < iterations; round++) digest = createHash('sha256').update(digest).digest();
  return digest.toString('hex');
}
