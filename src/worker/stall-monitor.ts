import { type Observable, type SchedulerLike, defer, filter, interval, map } from 'rxjs';
import type { StallWarningEvent } from './events.js';

/**
 * Watches for event-loop stalls: a tick is scheduled every `checkIntervalMs`; when one arrives
 * `thresholdMs` or more later than due, emits a `stallWarning` with how long the loop was
 * blocked. Never completes on its own; holds one timer.
 * @internal
 */
export function stallWarnings(checkIntervalMs: number, thresholdMs: number, scheduler: SchedulerLike): Observable<StallWarningEvent> {
  return defer(() => {
    let last = scheduler.now();
    return interval(checkIntervalMs, scheduler).pipe(
      map(() => {
        const now = scheduler.now();
        const blockedMs = now - last - checkIntervalMs;
        last = now;
        return blockedMs;
      }),
      filter((blockedMs) => blockedMs >= thresholdMs),
      map((blockedMs): StallWarningEvent => ({ type: 'stallWarning', blockedMs })),
    );
  });
}
