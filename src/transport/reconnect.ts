import { InvalidArgumentError, isRetriable } from '../errors.js';

/**
 * How a pool retries after failing to connect or losing a connection: `false` never retries
 * (requests waiting for a connection fail with the cause), a number waits that many
 * milliseconds every time, and a function gets the attempt number (1 for the first retry) and
 * the cause and returns the delay in milliseconds, or `false` to give up. Whatever the strategy,
 * errors that retrying cannot fix (`AuthenticationError`, `HandshakeError`, `ProtocolError`:
 * anything not retriable) are never retried.
 */
export type ReconnectStrategy = false | number | ((attempt: number, cause: Error) => number | false);

/** Options of {@link exponentialBackoff}. */
export interface BackoffOptions {
  /** Delay before the first retry, before jitter, in milliseconds. @defaultValue 100 */
  readonly baseMs?: number;
  /** Cap of the delay, in milliseconds. @defaultValue 10_000 */
  readonly maxMs?: number;
  /** Attempts after which to give up. @defaultValue Infinity (a pool keeps trying while it has work) */
  readonly maxAttempts?: number;
  /** Source of jitter, returning values in [0, 1). @defaultValue `Math.random` */
  readonly random?: () => number;
}

/** Defaults of {@link BackoffOptions}. */
export const BACKOFF_DEFAULTS = Object.freeze({ baseMs: 100, maxMs: 10_000, maxAttempts: Number.POSITIVE_INFINITY });

/**
 * Capped exponential backoff with jitter: attempt `n` waits a random time between half and all
 * of `min(maxMs, baseMs * 2^(n-1))`, so it never spins and never waits longer than `maxMs`.
 *
 * @example
 * createPool({ reconnect: exponentialBackoff({ baseMs: 250, maxMs: 30_000, maxAttempts: 20 }) });
 */
export function exponentialBackoff(options: BackoffOptions = {}): (attempt: number) => number | false {
  const baseMs = options.baseMs ?? BACKOFF_DEFAULTS.baseMs;
  const maxMs = options.maxMs ?? BACKOFF_DEFAULTS.maxMs;
  const maxAttempts = options.maxAttempts ?? BACKOFF_DEFAULTS.maxAttempts;
  const random = options.random ?? Math.random;
  if (!(Number.isFinite(baseMs) && baseMs > 0)) throw new InvalidArgumentError('must be a positive number', { argument: 'baseMs' });
  if (!(Number.isFinite(maxMs) && maxMs >= baseMs)) throw new InvalidArgumentError('must be a number not below baseMs', { argument: 'maxMs' });
  if (!(maxAttempts >= 1)) throw new InvalidArgumentError('must be at least 1', { argument: 'maxAttempts' });
  return (attempt) => {
    if (attempt > maxAttempts) return false;
    const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt - 1, 52));
    return Math.round(ceiling / 2 + (random() * ceiling) / 2);
  };
}

/** Checks a `reconnect` option at construction. */
export function validateReconnect(strategy: ReconnectStrategy): ReconnectStrategy {
  if (typeof strategy === 'number' && !(Number.isFinite(strategy) && strategy >= 0)) {
    throw new InvalidArgumentError(`must be false, a non-negative number of milliseconds or a function (got ${strategy})`, { argument: 'reconnect' });
  }
  return strategy;
}

/**
 * The delay before retry `attempt` after `cause`, in milliseconds, or `false` for no retry:
 * always `false` when `cause` is not retriable; a function's result that is not a finite
 * non-negative number counts as `false`.
 */
export function reconnectDelay(strategy: ReconnectStrategy, attempt: number, cause: Error): number | false {
  if (!isRetriable(cause) || strategy === false) return false;
  if (typeof strategy === 'number') return strategy;
  const delay = strategy(attempt, cause);
  return typeof delay === 'number' && Number.isFinite(delay) && delay >= 0 ? delay : false;
}
