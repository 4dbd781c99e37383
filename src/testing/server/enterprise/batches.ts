import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';
import { goStringify, goUnmarshal, isRecord } from '../go-json.js';
import { GO_ANY } from '../go-types.js';
import { decodeJob, type Job } from '../job.js';
import { bulk, OK, reject } from '../replies.js';
import type { JobStore } from '../store.js';
import { formatTime } from '../time-format.js';

type CallbackState = '' | '1' | '2';
type JobState = 'pending' | 'failed' | 'success';

interface Batch {
  readonly bid: string;
  readonly parentBid: string | undefined;
  readonly description: string | undefined;
  readonly createdAt: string;
  readonly success: Record<string, unknown> | undefined;
  readonly complete: Record<string, unknown> | undefined;
  committed: boolean;
  readonly jobs: Map<string, JobState>;
  pending: number;
  failed: number;
  readonly children: Set<string>;
  successSt: CallbackState;
  completeSt: CallbackState;
  successJid: string | undefined;
  completeJid: string | undefined;
}

/**
 * Enterprise batches. `BATCH NEW {description?, parent_bid?, success?, complete?}` answers the new
 * bid (a bulk string: our reading); jobs join with `custom.bid`; after `BATCH COMMIT`, the
 * `complete` callback is pushed once every job has run (succeeded or failed at least once) and the
 * `success` callback once every job has succeeded; children (batches made with `parent_bid`) must be
 * complete / successful too. Callbacks carry `custom._bid` (and `_pbid` for a child). `pending`
 * counts jobs not yet succeeded, `failed` those that failed and have not succeeded since.
 */
export class Batches {
  readonly #batches = new Map<string, Batch>();
  readonly #store: JobStore;
  readonly #clock: Clock;

  constructor(store: JobStore, clock: Clock) {
    this.#store = store;
    this.#clock = clock;
  }

  /** `BATCH NEW|OPEN|COMMIT|STATUS ...`. */
  command(payload: string | undefined): string {
    const text = payload ?? '';
    const space = text.indexOf(' ');
    const sub = (space < 0 ? text : text.slice(0, space)).toUpperCase();
    const rest = space < 0 ? '' : text.slice(space + 1);
    switch (sub) {
      case 'NEW':
        return bulk(this.#create(rest));
      case 'OPEN':
        this.#find(rest).committed = false;
        return bulk(rest);
      case 'COMMIT': {
        const batch = this.#find(rest);
        batch.committed = true;
        this.#check(batch);
        return OK;
      }
      case 'STATUS':
        return bulk(goStringify(this.#status(this.#find(rest))));
      default:
        return reject(`unknown BATCH subcommand: ${sub}`);
    }
  }

  #find(bid: string): Batch {
    const batch = this.#batches.get(bid);
    if (batch === undefined) reject(`No such batch ${bid}`);
    return batch;
  }

  #create(json: string): string {
    const parsed = goUnmarshal<unknown>(json, GO_ANY);
    if (!parsed.ok) reject(`invalid JSON: ${parsed.error}`);
    if (!isRecord(parsed.value)) reject('invalid JSON: BATCH NEW expects an object');
    const spec = parsed.value;
    const callback = (name: string): Record<string, unknown> | undefined => {
      const value = spec[name];
      if (value === undefined || value === null) return undefined;
      if (!isRecord(value)) reject(`invalid JSON: ${name} must be a job`);
      return value;
    };
    const success = callback('success');
    const complete = callback('complete');
    if (success === undefined && complete === undefined) reject('batch must have a success or complete callback');
    const parentBid = typeof spec['parent_bid'] === 'string' && spec['parent_bid'] !== '' ? spec['parent_bid'] : undefined;
    const parent = parentBid === undefined ? undefined : this.#find(parentBid);
    const bid = `b-${randomBytes(9).toString('base64url')}`;
    this.#batches.set(bid, {
      bid,
      parentBid,
      description: typeof spec['description'] === 'string' ? spec['description'] : undefined,
      createdAt: formatTime(this.#clock.now()),
      success,
      complete,
      committed: false,
      jobs: new Map(),
      pending: 0,
      failed: 0,
      children: new Set(),
      successSt: '',
      completeSt: '',
      successJid: undefined,
      completeJid: undefined,
    });
    parent?.children.add(bid);
    return bid;
  }

  #status(batch: Batch): Record<string, unknown> {
    return {
      bid: batch.bid,
      ...(batch.parentBid === undefined ? {} : { parent_bid: batch.parentBid }),
      ...(batch.description === undefined ? {} : { description: batch.description }),
      created_at: batch.createdAt,
      total: batch.jobs.size,
      pending: batch.pending,
      failed: batch.failed,
      complete_st: batch.completeSt,
      success_st: batch.successSt,
    };
  }

  /** A job with `custom.bid` was accepted: it joins its batch. */
  admitted(job: Job): void {
    const batch = this.#batchOf(job, 'bid');
    if (batch === undefined || batch.jobs.has(job.jid)) return;
    batch.jobs.set(job.jid, 'pending');
    batch.pending++;
  }

  /** A job succeeded: a member counts as done; a callback marks its batch `2`. */
  acked(job: Job): void {
    const owner = this.#batchOf(job, '_bid');
    if (owner !== undefined) {
      if (owner.successJid === job.jid) owner.successSt = '2';
      if (owner.completeJid === job.jid) owner.completeSt = '2';
    }
    const batch = this.#batchOf(job, 'bid');
    const state = batch?.jobs.get(job.jid);
    if (batch === undefined || state === undefined || state === 'success') return;
    if (state === 'failed') batch.failed--;
    batch.pending--;
    batch.jobs.set(job.jid, 'success');
    this.#check(batch);
  }

  /** A member failed (it may still succeed on a retry). */
  failed(job: Job): void {
    const batch = this.#batchOf(job, 'bid');
    if (batch?.jobs.get(job.jid) !== 'pending') return;
    batch.jobs.set(job.jid, 'failed');
    batch.failed++;
    this.#check(batch);
  }

  #batchOf(job: Job, key: string): Batch | undefined {
    const bid = job.custom?.[key];
    return typeof bid === 'string' ? this.#batches.get(bid) : undefined;
  }

  #isComplete(batch: Batch): boolean {
    return batch.committed && batch.pending === batch.failed && [...batch.children].every((bid) => {
      const child = this.#batches.get(bid);
      return child === undefined || this.#isComplete(child);
    });
  }

  #isSuccess(batch: Batch): boolean {
    return batch.committed && batch.pending === 0 && [...batch.children].every((bid) => {
      const child = this.#batches.get(bid);
      return child === undefined || this.#isSuccess(child);
    });
  }

  #check(batch: Batch): void {
    if (batch.complete !== undefined && batch.completeSt === '' && this.#isComplete(batch)) {
      batch.completeSt = '1';
      batch.completeJid = this.#fire(batch, batch.complete);
    }
    if (batch.success !== undefined && batch.successSt === '' && this.#isSuccess(batch)) {
      batch.successSt = '1';
      batch.successJid = this.#fire(batch, batch.success);
    }
    const parent = batch.parentBid === undefined ? undefined : this.#batches.get(batch.parentBid);
    if (parent !== undefined) this.#check(parent);
  }

  /** Pushes a callback job; a callback the server cannot accept is lost (our reading). */
  #fire(batch: Batch, spec: Record<string, unknown>): string {
    const jid = typeof spec['jid'] === 'string' && spec['jid'].length >= 8 ? spec['jid'] : `cb-${randomBytes(9).toString('base64url')}`;
    const custom = isRecord(spec['custom']) ? spec['custom'] : {};
    const marks = batch.parentBid === undefined ? { _bid: batch.bid } : { _bid: batch.bid, _pbid: batch.parentBid };
    const decoded = decodeJob(JSON.stringify({ ...spec, jid, custom: { ...custom, ...marks } }));
    if (!decoded.ok) return jid;
    try {
      this.#store.push(decoded.value);
    } catch {
      // The callback was refused (e.g. a bad queue name): nothing to run.
    }
    return jid;
  }

  /** Forgets every batch (FLUSH). */
  clear(): void {
    this.#batches.clear();
  }
}
