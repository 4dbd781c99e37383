/** An opaque handle of a timer set with {@link Clock.setTimeout}. */
export type ClockTimer = object;

/**
 * The server's only source of time. Every timer of the in-memory server (the 2 s handshake
 * deadline, the FETCH wait (`fetchWaitMs`), the 5 s scheduler tick, the 15 s reservation and heartbeat
 * sweeps) goes through one, so a test can inject {@link createManualClock} and move time at will.
 */
export interface Clock {
  /** The current time in milliseconds since the Unix epoch. */
  now(): number;
  /** Calls `fn` once, `ms` milliseconds from now; returns a handle for {@link Clock.clearTimeout}. */
  setTimeout(fn: () => void, ms: number): ClockTimer;
  /** Cancels a timer; a handle that already fired or was cleared is ignored. */
  clearTimeout(handle: ClockTimer): void;
}

/** A {@link Clock} that only moves when told to. */
export interface ManualClock extends Clock {
  /**
   * Moves time forward by `ms` milliseconds, firing every timer that comes due on the way in
   * order of due time (timers set by those callbacks fire too when they fall inside the step).
   * While a timer runs, `now()` is its due time.
   */
  advance(ms: number): void;
  /** How many timers are waiting to fire. */
  pendingTimers(): number;
}

interface RealTimer {
  readonly timeout: NodeJS.Timeout;
}

/** The wall clock: `Date.now()` and Node's timers. The default clock of the server. */
export const realClock: Clock = Object.freeze({
  now: () => Date.now(),
  setTimeout: (fn: () => void, ms: number): ClockTimer => ({ timeout: setTimeout(fn, ms) }) satisfies RealTimer,
  clearTimeout: (handle: ClockTimer): void => {
    clearTimeout((handle as RealTimer).timeout);
  },
});

interface ManualTimer {
  readonly due: number;
  readonly seq: number;
  readonly fn: () => void;
  cancelled: boolean;
}

/**
 * Creates a clock for tests that stands still until {@link ManualClock.advance} is called.
 *
 * @param startMs - the initial time in milliseconds since the epoch; defaults to `Date.now()`
 *   at creation, so timestamps written by real clients (e.g. a job's `at`) stay comparable.
 * @example
 * const clock = createManualClock();
 * const server = await startServer({ clock });
 * // push a job with `at` one hour ahead, then:
 * clock.advance(3_600_000 + 5_000); // due, and the 5 s scheduler tick has run
 */
export function createManualClock(startMs: number = Date.now()): ManualClock {
  let now = startMs;
  let seq = 0;
  const timers = new Set<ManualTimer>();
  const nextDue = (limit: number): ManualTimer | undefined => {
    let best: ManualTimer | undefined;
    for (const timer of timers) {
      if (timer.due > limit) continue;
      if (best === undefined || timer.due < best.due || (timer.due === best.due && timer.seq < best.seq)) best = timer;
    }
    return best;
  };
  return {
    now: () => now,
    setTimeout(fn: () => void, ms: number): ClockTimer {
      const timer: ManualTimer = { due: now + Math.max(0, ms), seq: seq++, fn, cancelled: false };
      timers.add(timer);
      return timer;
    },
    clearTimeout(handle: ClockTimer): void {
      const timer = handle as ManualTimer;
      timer.cancelled = true;
      timers.delete(timer);
    },
    advance(ms: number): void {
      const target = now + Math.max(0, ms);
      for (let timer = nextDue(target); timer !== undefined; timer = nextDue(target)) {
        timers.delete(timer);
        now = Math.max(now, timer.due);
        if (!timer.cancelled) timer.fn();
      }
      now = target;
    },
    pendingTimers: () => timers.size,
  };
}
