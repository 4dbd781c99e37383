import { defer, map, type Observable } from 'rxjs';
import { InvalidArgumentError } from '../errors.js';
import { assertWord, type CommandSender } from './command-sender.js';
import { expectObject, ok } from './replies.js';
import { isRfc3339, toRfc3339 } from './rfc3339.js';
import type { TrackStatus } from './server-info.js';

/** What `TRACK SET` records about a running job. */
export interface TrackUpdate {
  readonly jid: string;
  /** Progress, an integer 0..100. */
  readonly percent?: number;
  /** A short description of the current step. */
  readonly desc?: string;
  /** Extends the job's reservation to this time (at most 24 h ahead; it never shortens it). */
  readonly reserveUntil?: Date | string;
}

/**
 * Enterprise job tracking (push with `custom.track = 1`). Each method returns a cold
 * Observable. An open-source server answers every `TRACK` command with a `ServerError`.
 */
export interface TrackCommands {
  /** `TRACK GET`: a tracked job's progress and state. */
  get(jid: string): Observable<TrackStatus>;
  /** `TRACK SET`: report progress, or extend the reservation of a running job. */
  set(update: TrackUpdate): Observable<void>;
}

/** @internal */
export function trackCommands(send: CommandSender): TrackCommands {
  return {
    get: (jid) =>
      defer(() => {
        assertWord(jid, 'jid', 'TRACK GET');
        return send('TRACK', ['GET', jid]).pipe(map((reply) => expectObject(reply, 'TRACK') as unknown as TrackStatus));
      }),
    set: (update) =>
      defer(() => {
        assertWord(update.jid, 'jid', 'TRACK SET');
        const { percent, desc, reserveUntil } = update;
        if (percent !== undefined && (!Number.isInteger(percent) || percent < 0 || percent > 100)) {
          throw new InvalidArgumentError(`must be an integer 0..100 (got ${String(percent)})`, { argument: 'percent', verb: 'TRACK' });
        }
        const until = reserveUntil === undefined ? undefined : toRfc3339(reserveUntil);
        if (until !== undefined && !isRfc3339(until)) {
          throw new InvalidArgumentError(`must be a Date or an RFC 3339 time (got ${until})`, { argument: 'reserveUntil', verb: 'TRACK' });
        }
        const payload = {
          jid: update.jid,
          ...(percent === undefined ? {} : { percent }),
          ...(desc === undefined ? {} : { desc }),
          ...(until === undefined ? {} : { reserve_until: until }),
        };
        return send('TRACK', ['SET', payload]).pipe(ok('TRACK'));
      }),
  };
}
