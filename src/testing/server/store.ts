import type { Clock } from './clock.js';
import { copyJob, reserveSeconds, VALID_QUEUE_NAME, type DecodedJob, type Job } from './job.js';
import { JobSet } from './job-set.js';
import { reject } from './replies.js';
import { applyFailure, DEAD_TTL_MS, DEFAULT_RETRY, type FailOutcome, type FailReport } from './retry-policy.js';
import { RingQueue } from './ring-queue.js';
import { goQuote } from './go-json.js';
import { formatTime, parseGoTime, parseTime } from './time-format.js';

/** A job held by a worker until `expiresAtMs`. */
export interface Reservation {
  readonly job: Job;
  expiresAtMs: number;
  readonly reservedAtMs: number;
  readonly wid: string | undefined;
}

/** Hooks of the Enterprise features into the job lifecycle. */
export interface StoreHooks {
  /** A valid job is about to be accepted; may refuse it by throwing a ServerError. */
  admit(job: Job): void;
  /** Whether a queued job has expired and must be dropped at fetch time. */
  isExpired(job: Job): boolean;
  /** A job was fetched. */
  reserved(job: Job): void;
  /** A job was acknowledged. */
  acked(job: Job): void;
  /** A job failed, with where it went. */
  failed(job: Job, outcome: FailOutcome): void;
  /** FLUSH ran. */
  flushed(): void;
}

interface FetchWaiter {
  readonly queues: readonly string[];
  readonly wid: string | undefined;
  readonly deliver: (job: Job) => void;
}

/** The errtype of a reservation that ran out. */
export const RESERVATION_EXPIRED = 'ReservationExpired';

/**
 * The server's state: queues (O(1) ring buffers), the scheduled, retries and dead sets, the
 * reservations (indexed by jid), counters, and the FETCH calls waiting for a job. Commands and the
 * inspection API both go through it; it knows nothing of sockets.
 */
export class JobStore {
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #queues = new Map<string, RingQueue<Job>>();
  readonly #paused = new Set<string>();
  readonly #waiters = new Set<FetchWaiter>();
  readonly #working = new Map<string, Reservation>();
  /** Jobs due at a time in the future. */
  readonly scheduled = new JobSet();
  /** Failed jobs waiting for their next attempt. */
  readonly retries = new JobSet();
  /** Jobs out of retries, scored by when they expire. */
  readonly dead = new JobSet();
  /** Enterprise hooks, when Enterprise mode is on. */
  hooks: StoreHooks | undefined;
  /** Jobs acknowledged since start (or FLUSH). */
  processed = 0;
  /** Failures since start (or FLUSH), reservation expiries included. */
  failures = 0;
  /** What the periodic tasks did since start, for INFO's `tasks`. */
  readonly stats = { scheduledEnqueued: 0, retriesEnqueued: 0, deadExpired: 0, reservationsReaped: 0 };

  constructor(clock: Clock, random: () => number) {
    this.#clock = clock;
    this.#random = random;
  }

  /** Validates a decoded job as `PUSH` does, fills the server's defaults and stores it (the store takes the object over). */
  push(decoded: DecodedJob): void {
    const job = validate(decoded, this.#clock.now());
    let scheduleAtMs: number | undefined;
    if (job.at !== undefined) {
      const at = parseGoTime(job.at);
      if (!at.ok) reject(`invalid timestamp for 'at': ${goQuote(job.at)}: ${at.error}`);
      if (at.ms > this.#clock.now()) scheduleAtMs = at.ms;
    }
    if (scheduleAtMs === undefined && !this.#isValidQueue(job.queue)) reject(queueNameError(job.queue));
    this.hooks?.admit(job);
    if (scheduleAtMs === undefined) this.enqueue(job);
    else this.scheduled.add(job, scheduleAtMs);
  }

  /**
   * Puts a job on its queue (stamping `enqueued_at` unless `stamp` is false, as for MUTATE's
   * requeue), or straight into a waiting FETCH. A job with an invalid queue name is silently
   * lost, as the real server loses a scheduled one.
   */
  enqueue(job: Job, { stamp = true }: { readonly stamp?: boolean } = {}): void {
    let queue = this.#queues.get(job.queue);
    if (queue === undefined) {
      if (!VALID_QUEUE_NAME.test(job.queue)) return;
      queue = new RingQueue<Job>();
      this.#queues.set(job.queue, queue);
    }
    if (stamp) job.enqueued_at = formatTime(this.#clock.now());
    if (this.#waiters.size > 0 && !this.#paused.has(job.queue) && queue.size === 0) {
      for (const waiter of this.#waiters) {
        if (!waiter.queues.includes(job.queue)) continue;
        if (this.hooks?.isExpired(job) === true) return;
        this.#waiters.delete(waiter);
        waiter.deliver(this.#reserve(job, waiter.wid));
        return;
      }
    }
    queue.push(job);
  }

  /** Whether a queue name is valid: a known queue is, without running the pattern again. */
  #isValidQueue(name: string): boolean {
    return this.#queues.has(name) || VALID_QUEUE_NAME.test(name);
  }

  /** Takes and reserves the first job of the first non-empty, unpaused queue, in the order given. */
  tryFetch(queues: readonly string[], wid: string | undefined): Job | undefined {
    for (const name of queues) {
      if (this.#paused.has(name)) continue;
      const queue = this.#queues.get(name);
      if (queue === undefined) continue;
      for (let job = queue.shift(); job !== undefined; job = queue.shift()) {
        if (this.hooks?.isExpired(job) === true) continue;
        return this.#reserve(job, wid);
      }
    }
    return undefined;
  }

  /** Waits for a job on any of these queues; returns a function that stops waiting. */
  waitFetch(queues: readonly string[], wid: string | undefined, deliver: (job: Job) => void): () => void {
    const waiter: FetchWaiter = { queues, wid, deliver };
    this.#waiters.add(waiter);
    return () => this.#waiters.delete(waiter);
  }

  #reserve(job: Job, wid: string | undefined): Job {
    const now = this.#clock.now();
    this.#working.set(job.jid, { job, expiresAtMs: now + reserveSeconds(job) * 1000, reservedAtMs: now, wid });
    this.hooks?.reserved(job);
    return job;
  }

  /** Gives waiting FETCH calls the jobs they can now take (after RESUME). */
  #serveWaiters(): void {
    for (const waiter of this.#waiters) {
      const job = this.tryFetch(waiter.queues, waiter.wid);
      if (job === undefined) continue;
      this.#waiters.delete(waiter);
      waiter.deliver(job);
    }
  }

  /** Acknowledges a job: its reservation is deleted; an unknown jid is fine. */
  ack(jid: string): void {
    const reservation = this.#working.get(jid);
    if (reservation === undefined) return;
    this.#working.delete(jid);
    this.processed++;
    this.hooks?.acked(reservation.job);
  }

  /** Fails a reserved job and applies its retry policy. */
  fail(jid: string, report: FailReport): void {
    if (jid === '') reject('missing JID');
    const reservation = this.#working.get(jid);
    if (reservation === undefined) reject(`Job not found ${jid}`);
    this.#working.delete(jid);
    this.#failJob(reservation.job, report);
  }

  /** A FAIL or an expired reservation: counted as a failure (INFO's `total_processed` counts it too). */
  #failJob(job: Job, report: FailReport): void {
    this.failures++;
    const now = this.#clock.now();
    const outcome = applyFailure(job, report, now, this.#random);
    if (outcome.kind === 'retry') this.retries.add(job, outcome.atMs);
    else if (outcome.kind === 'dead') this.dead.add(job, now + DEAD_TTL_MS);
    this.hooks?.failed(job, outcome);
  }

  /** The reservation of a jid, if it is being worked on. */
  reservation(jid: string): Reservation | undefined {
    return this.#working.get(jid);
  }

  /** The scheduler tick: due scheduled and retry jobs go to their queues; expired dead jobs go. */
  tick(): void {
    const now = this.#clock.now();
    for (const job of this.scheduled.takeDue(now)) {
      this.enqueue(job);
      this.stats.scheduledEnqueued++;
    }
    for (const job of this.retries.takeDue(now)) {
      this.enqueue(job);
      this.stats.retriesEnqueued++;
    }
    this.stats.deadExpired += this.dead.takeDue(now).length;
  }

  /** Fails every reservation that has run out, as `ReservationExpired`. */
  sweepReservations(): void {
    const now = this.#clock.now();
    for (const [jid, reservation] of this.#working) {
      if (reservation.expiresAtMs > now) continue;
      this.#working.delete(jid);
      this.stats.reservationsReaped++;
      this.#failJob(reservation.job, { errtype: RESERVATION_EXPIRED, message: 'Faktory job reservation expired' });
    }
  }

  /** Pauses queues (`*` for every known queue); a queue that does not exist yet is not paused. */
  pause(names: readonly string[]): void {
    for (const name of this.#expand(names)) if (this.#queues.has(name)) this.#paused.add(name);
  }

  /** Resumes queues (`*` for every paused queue) and serves waiting fetches. */
  resume(names: readonly string[]): void {
    if (names.includes('*')) this.#paused.clear();
    for (const name of names) this.#paused.delete(name);
    this.#serveWaiters();
  }

  /** Deletes queues and their jobs (`*` for every queue), un-pausing them. */
  remove(names: readonly string[]): void {
    for (const name of this.#expand(names)) {
      this.#queues.delete(name);
      this.#paused.delete(name);
    }
  }

  /** Whether a queue is paused. */
  isPaused(name: string): boolean {
    return this.#paused.has(name);
  }

  /** The age of the oldest job of a queue, in seconds (0 when empty or unknown). */
  latencySeconds(name: string): number {
    const head = this.#queues.get(name)?.peek();
    const enqueuedMs = head?.enqueued_at === undefined ? undefined : parseTime(head.enqueued_at);
    return enqueuedMs === undefined ? 0 : Math.max(0, this.#clock.now() - enqueuedMs) / 1000;
  }

  #expand(names: readonly string[]): string[] {
    return names.includes('*') ? [...this.#queues.keys()] : [...names];
  }

  /** The sizes of the known queues, by name. */
  queueSizes(): Map<string, number> {
    const sizes = new Map<string, number>();
    for (const [name, queue] of this.#queues) sizes.set(name, queue.size);
    return sizes;
  }

  /** Copies of the jobs of a queue, head first. */
  queueJobs(name: string): Job[] {
    return (this.#queues.get(name)?.toArray() ?? []).map(copyJob);
  }

  /** The number of jobs in a queue. */
  queueSize(name: string): number {
    return this.#queues.get(name)?.size ?? 0;
  }

  /** Copies of the reservations. */
  reservations(): Reservation[] {
    return [...this.#working.values()].map((r) => ({ ...r, job: copyJob(r.job) }));
  }

  /** The number of reserved jobs. */
  get workingCount(): number {
    return this.#working.size;
  }

  /**
   * Wipes every queue, set, reservation and counter (the pause list too); waiting fetches stay.
   * Where we differ: the real 1.9.4 clears Redis only, so its reservations (an ACK after FLUSH
   * still counts), its pause list and its known queue names (listed with size 0) survive a FLUSH.
   * Those are bugs; here FLUSH leaves nothing behind.
   */
  flush(): void {
    this.#queues.clear();
    this.#paused.clear();
    this.#working.clear();
    this.scheduled.clear();
    this.retries.clear();
    this.dead.clear();
    this.processed = 0;
    this.failures = 0;
    this.hooks?.flushed();
  }
}

function queueNameError(queue: string): string {
  return `cannot get ${goQuote(queue)} queue: queue names must match \\A[a-zA-Z0-9._-]+\\z`;
}

/**
 * The server's job rules, in its order: a jid of at least 8 bytes (UTF-8, as Go counts), a
 * jobtype, an args array, `reserve_for` at most a day; then the defaults (`created_at`, `queue`,
 * `retry` 25). The decoded job is fresh (the decoder made it), so it becomes the stored job in
 * place: no copy per push.
 *
 * Where we differ: in the real 1.9.4 a job without `retry` shares the server's default by
 * pointer, so a later PUSH that carries `retry` (even one then refused) changes the default of
 * every job pushed after it without one. That is a bug; here the default stays 25.
 */
function validate(decoded: DecodedJob, nowMs: number): Job {
  if (decoded.jid.length < 8 && Buffer.byteLength(decoded.jid, 'utf8') < 8) reject('jobs must have a reasonable jid parameter');
  if (decoded.jobtype === '') reject('jobs must have a jobtype parameter');
  if (decoded.args === undefined) reject('jobs must have an args parameter');
  if ((decoded.reserve_for ?? 0) > 86_400) reject('jobs cannot be reserved for more than one day');
  const job = decoded as Job; // args was checked just above
  job.created_at ??= formatTime(nowMs);
  if (job.queue === '') job.queue = 'default';
  job.retry ??= DEFAULT_RETRY;
  return job;
}
