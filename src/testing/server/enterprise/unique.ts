import type { Job } from '../job.js';
import { reject } from '../replies.js';

interface Lock {
  readonly jid: string;
  readonly expiresAtMs: number;
  readonly until: 'success' | 'start';
}

/**
 * Enterprise unique jobs: a job with `custom.unique_for` (seconds) locks its (queue, jobtype,
 * args) for that long; a duplicate gets `-NOTUNIQUE Job not unique`. The lock is released when
 * the job succeeds (`unique_until: "success"`, the default) or starts (`"start"`), or when it
 * expires. A job that dies keeps the lock until it expires (our reading).
 */
export class UniqueLocks {
  readonly #locks = new Map<string, Lock>();
  readonly #keyOf = new Map<string, string>();

  /** Refuses a duplicate, or takes the lock. */
  admit(job: Job, nowMs: number): void {
    const seconds = job.custom?.['unique_for'];
    if (typeof seconds !== 'number' || seconds <= 0) return;
    const key = `${job.queue}\u0000${job.jobtype}\u0000${JSON.stringify(job.args)}`;
    const held = this.#locks.get(key);
    if (held !== undefined && held.expiresAtMs > nowMs) reject('Job not unique', 'NOTUNIQUE');
    const until = job.custom?.['unique_until'] === 'start' ? 'start' : 'success';
    this.#locks.set(key, { jid: job.jid, expiresAtMs: nowMs + seconds * 1000, until });
    this.#keyOf.set(job.jid, key);
  }

  /** Releases the lock of a job that started or succeeded, if its policy says so. */
  release(job: Job, event: 'start' | 'success'): void {
    const key = this.#keyOf.get(job.jid);
    if (key === undefined) return;
    const lock = this.#locks.get(key);
    if (lock === undefined || lock.jid !== job.jid) {
      this.#keyOf.delete(job.jid);
      return;
    }
    if (lock.until !== event) return;
    this.#locks.delete(key);
    this.#keyOf.delete(job.jid);
  }

  /** Drops expired locks. */
  prune(nowMs: number): void {
    for (const [key, lock] of this.#locks) {
      if (lock.expiresAtMs > nowMs) continue;
      this.#locks.delete(key);
      this.#keyOf.delete(lock.jid);
    }
  }

  /** Drops every lock. */
  clear(): void {
    this.#locks.clear();
    this.#keyOf.clear();
  }
}
