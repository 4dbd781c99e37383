import type { Clock } from '../clock.js';
import { goStringify, goUnmarshal } from '../go-json.js';
import { GO_INT, GO_STRING, goStruct } from '../go-types.js';
import type { Job } from '../job.js';
import { bulk, OK, reject } from '../replies.js';
import type { FailOutcome } from '../retry-policy.js';
import type { JobStore } from '../store.js';
import { formatTime, parseTime } from '../time-format.js';

/** The payload of `TRACK SET`. */
const GO_JOB_TRACK = goStruct('client.JobTrack', { jid: GO_STRING, percent: GO_INT, desc: GO_STRING, reserve_until: GO_STRING });

/** The states `TRACK GET` reports. */
export type TrackState = 'unknown' | 'enqueued' | 'working' | 'success' | 'failed' | 'dead';

interface TrackRecord {
  percent: number;
  desc: string;
  state: TrackState;
  updatedAt: string;
}

/** The furthest `reserve_until` may push a reservation: 24 h, in milliseconds. */
export const MAX_RESERVE_EXTENSION_MS = 24 * 3600 * 1000;

/**
 * Enterprise job tracking: jobs pushed with `custom.track = 1`, and any jid given to `TRACK SET`,
 * are followed through enqueued, working, success, failed and dead. `TRACK GET <jid>` answers
 * `{jid, percent?, desc?, state, updated_at}` (`percent` and `desc` omitted while unset, like Go's
 * `omitempty`: our reading); an unknown jid has state `unknown`.
 */
export class Tracker {
  readonly #records = new Map<string, TrackRecord>();
  readonly #store: JobStore;
  readonly #clock: Clock;

  constructor(store: JobStore, clock: Clock) {
    this.#store = store;
    this.#clock = clock;
  }

  /** A pushed job: starts following it when it asks to be tracked. */
  admitted(job: Job): void {
    const track = job.custom?.['track'];
    if (track === 1 || track === true || track === '1') this.#set(job.jid, 'enqueued');
  }

  /** Lifecycle updates for followed jobs. */
  update(job: Job, state: TrackState): void {
    if (this.#records.has(job.jid)) this.#set(job.jid, state);
  }

  /** A failure's state: `dead` when it went to the dead set, else `failed`. */
  failed(job: Job, outcome: FailOutcome): void {
    this.update(job, outcome.kind === 'dead' ? 'dead' : 'failed');
  }

  #set(jid: string, state: TrackState): TrackRecord {
    const record = this.#records.get(jid) ?? { percent: 0, desc: '', state, updatedAt: '' };
    record.state = state;
    record.updatedAt = formatTime(this.#clock.now());
    this.#records.set(jid, record);
    return record;
  }

  /** `TRACK GET <jid>` or `TRACK SET {json}`. */
  command(payload: string | undefined): string {
    const text = payload ?? '';
    const space = text.indexOf(' ');
    const sub = (space < 0 ? text : text.slice(0, space)).toUpperCase();
    const rest = space < 0 ? '' : text.slice(space + 1);
    if (sub === 'GET') return this.#get(rest);
    if (sub === 'SET') return this.#setCommand(rest);
    return reject(`unknown TRACK subcommand: ${sub}`);
  }

  #get(jid: string): string {
    const record = this.#records.get(jid);
    const out: Record<string, unknown> = { jid };
    if (record !== undefined && record.percent !== 0) out['percent'] = record.percent;
    if (record !== undefined && record.desc !== '') out['desc'] = record.desc;
    out['state'] = record?.state ?? 'unknown';
    out['updated_at'] = record?.updatedAt ?? '';
    return bulk(goStringify(out));
  }

  #setCommand(json: string): string {
    const parsed = goUnmarshal<{ jid?: string; percent?: number; desc?: string; reserve_until?: string }>(json, GO_JOB_TRACK);
    if (!parsed.ok) reject(`invalid JSON: ${parsed.error}`);
    const { jid, percent, desc, reserve_until: reserveUntil } = parsed.value;
    if (jid === undefined || jid === '') reject('missing JID');
    const reservation = this.#store.reservation(jid);
    if (reserveUntil !== undefined && reserveUntil !== '') {
      const untilMs = parseTime(reserveUntil);
      if (untilMs === undefined) reject(`invalid timestamp for 'reserve_until': '${reserveUntil}'`);
      if (reservation !== undefined) {
        const limit = Math.min(untilMs, this.#clock.now() + MAX_RESERVE_EXTENSION_MS);
        if (limit > reservation.expiresAtMs) reservation.expiresAtMs = limit;
      }
    }
    const record = this.#set(jid, this.#records.get(jid)?.state ?? (reservation === undefined ? 'unknown' : 'working'));
    if (percent !== undefined) record.percent = percent;
    if (desc !== undefined) record.desc = desc;
    return OK;
  }

  /** Forgets everything (FLUSH). */
  clear(): void {
    this.#records.clear();
  }
}
