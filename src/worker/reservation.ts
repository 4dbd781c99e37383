import type { JobPayload } from '../streams/types.js';

/** The server's default reservation, in seconds. */
const DEFAULT_RESERVE_FOR_S = 1_800;
/** The server raises shorter reservations to this, in seconds. */
const MIN_RESERVE_FOR_S = 60;

/**
 * How long the server holds a fetched job's reservation, in milliseconds, following the
 * server's rules: 0 or absent means 1800 s, below 60 s is raised to 60 s.
 */
export function reservationMs(job: Pick<JobPayload, 'reserve_for'>): number {
  const seconds = job.reserve_for;
  if (seconds === undefined || seconds <= 0) return DEFAULT_RESERVE_FOR_S * 1000;
  return Math.max(MIN_RESERVE_FOR_S, seconds) * 1000;
}
