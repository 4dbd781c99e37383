import type { Clock } from '../clock.js';
import type { SubsystemHandler } from '../context.js';
import type { Job } from '../job.js';
import type { JobStore, StoreHooks } from '../store.js';
import { formatTime, parseTime } from '../time-format.js';
import { Batches } from './batches.js';
import { Tracker } from './tracking.js';
import { UniqueLocks } from './unique.js';

/** The Enterprise features wired into a store. */
export interface Enterprise {
  readonly batch: SubsystemHandler;
  readonly track: SubsystemHandler;
  /** Drops expired unique locks (run by the scheduler tick). */
  prune(): void;
}

/**
 * Turns on the Enterprise features for a store: batches, tracking, unique jobs, and expiring
 * jobs (`custom.expires_at`, or `custom.expires_in` seconds, which is turned into `expires_at` at
 * push time: our reading), which are dropped when a FETCH reaches them.
 */
export function enableEnterprise(store: JobStore, clock: Clock): Enterprise {
  const batches = new Batches(store, clock);
  const tracker = new Tracker(store, clock);
  const unique = new UniqueLocks();
  const hooks: StoreHooks = {
    admit(job: Job): void {
      unique.admit(job, clock.now());
      const expiresIn = job.custom?.['expires_in'];
      if (job.custom !== undefined && typeof expiresIn === 'number' && job.custom['expires_at'] === undefined) {
        job.custom['expires_at'] = formatTime(clock.now() + expiresIn * 1000);
      }
      batches.admitted(job);
      tracker.admitted(job);
    },
    isExpired(job: Job): boolean {
      const expiresAt = job.custom?.['expires_at'];
      if (typeof expiresAt !== 'string') return false;
      const atMs = parseTime(expiresAt);
      return atMs !== undefined && atMs <= clock.now();
    },
    reserved(job: Job): void {
      unique.release(job, 'start');
      tracker.update(job, 'working');
    },
    acked(job: Job): void {
      unique.release(job, 'success');
      tracker.update(job, 'success');
      batches.acked(job);
    },
    failed(job, outcome): void {
      tracker.failed(job, outcome);
      batches.failed(job);
    },
    flushed(): void {
      batches.clear();
      tracker.clear();
      unique.clear();
    },
  };
  store.hooks = hooks;
  return {
    batch: (payload) => batches.command(payload),
    track: (payload) => tracker.command(payload),
    prune: () => {
      unique.prune(clock.now());
    },
  };
}
