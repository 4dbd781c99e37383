import { type Observable, type SchedulerLike, catchError, defer, exhaustMap, map, mergeMap, of, timer } from 'rxjs';
import { ServerError } from '../errors.js';
import type { BeatOptions, BeatReply, BeatState } from '../streams/types.js';
import type { HeartbeatEvent, HeartbeatFailedEvent, ReregisteredEvent } from './events.js';

/** What {@link heartbeat} needs. @internal */
export interface HeartbeatSource {
  readonly wid: string;
  readonly intervalMs: number;
  readonly scheduler: SchedulerLike;
  /** Sends one BEAT on the current beat client. */
  readonly beat: (options: BeatOptions) => Observable<BeatReply>;
  /** Replaces the beat client by a fresh one (new connection, new HELLO), when possible. */
  readonly reregister: () => void;
  /** The state to report, `undefined` while running. */
  readonly currentState: () => BeatState | undefined;
  readonly rssKb: () => number;
}

/** Whether the server has forgotten the worker (`-ERR unknown worker <wid>`). */
export function isUnknownWorker(error: unknown): boolean {
  return error instanceof ServerError && error.serverMessage.startsWith('unknown worker');
}

/** The events of one heartbeat. @internal */
export type HeartbeatOutcome = HeartbeatEvent | HeartbeatFailedEvent | ReregisteredEvent;

/**
 * `BEAT` every `intervalMs` (first one after `intervalMs`), never overlapping: a tick that
 * comes while a BEAT is outstanding is dropped (`exhaustMap`). Emits a `heartbeat` event with
 * the server's reply (`ok`, `quiet`, `terminate`) or `heartbeatFailed`; when the server has
 * forgotten the worker, replaces the beat client, beats again at once and emits `reregistered`
 * before that beat's `heartbeat`. Never completes on its own, never errors.
 * @internal
 */
export function heartbeat(source: HeartbeatSource): Observable<HeartbeatOutcome> {
  const beatOnce = (): Observable<HeartbeatEvent> =>
    defer(() => {
      const rssKb = source.rssKb();
      const currentState = source.currentState();
      const options: BeatOptions = currentState === undefined ? { rssKb } : { rssKb, currentState };
      return source.beat(options).pipe(map((reply): HeartbeatEvent => ({ type: 'heartbeat', reply, rssKb })));
    });
  const failed = (error: unknown): Observable<HeartbeatFailedEvent> => of({ type: 'heartbeatFailed', error });
  const reregister$ = defer(() => {
    source.reregister();
    return beatOnce().pipe(
      mergeMap((event): HeartbeatOutcome[] => [{ type: 'reregistered', wid: source.wid }, event]),
      catchError(failed),
    );
  });
  return timer(source.intervalMs, source.intervalMs, source.scheduler).pipe(
    exhaustMap(() =>
      beatOnce().pipe(catchError((error: unknown): Observable<HeartbeatOutcome> => (isUnknownWorker(error) ? reregister$ : failed(error)))),
    ),
  );
}
