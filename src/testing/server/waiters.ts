import { ClosedError, TimeoutError } from '../../errors.js';

/** Options of a wait. */
export interface WaitOptions {
  /**
   * Reject with a TimeoutError after this long, in real milliseconds (this guard uses Node's
   * timers, not the server's clock, so a test with a manual clock cannot hang). @defaultValue 30_000
   */
  readonly timeoutMs?: number;
}

/** Defaults of {@link WaitOptions}. */
export const WAIT_DEFAULTS = Object.freeze({ timeoutMs: 30_000 });

interface Waiter {
  readonly check: () => boolean;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * Conditions tests wait for. Each is checked at once, then again after every batch of commands
 * the server processes, every clock tick and every control call: no polling.
 */
export class Waiters {
  readonly #waiters = new Set<Waiter>();

  /** Resolves once `check()` is true; rejects on timeout or when the server closes. */
  wait(check: () => boolean, description: string, options: WaitOptions = {}): Promise<void> {
    if (check()) return Promise.resolve();
    const timeoutMs = options.timeoutMs ?? WAIT_DEFAULTS.timeoutMs;
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        check,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.#waiters.delete(waiter);
          reject(new TimeoutError(`the server did not reach "${description}" within ${timeoutMs} ms`, { timeoutMs }));
        }, timeoutMs),
      };
      this.#waiters.add(waiter);
    });
  }

  /** Re-checks every condition. */
  changed(): void {
    if (this.#waiters.size === 0) return;
    for (const waiter of this.#waiters) {
      let met: boolean;
      try {
        met = waiter.check();
      } catch (error) {
        this.#settle(waiter);
        waiter.reject(error instanceof Error ? error : new Error(String(error)));
        continue;
      }
      if (!met) continue;
      this.#settle(waiter);
      waiter.resolve();
    }
  }

  /** Rejects every wait with a ClosedError. */
  close(): void {
    for (const waiter of this.#waiters) {
      this.#settle(waiter);
      waiter.reject(new ClosedError('the server closed'));
    }
  }

  #settle(waiter: Waiter): void {
    clearTimeout(waiter.timer);
    this.#waiters.delete(waiter);
  }
}
