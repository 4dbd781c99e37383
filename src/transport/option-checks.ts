import { InvalidArgumentError } from '../errors.js';

/** Returns `value` if it is an integer of at least 1; otherwise throws naming `argument`. @internal */
export function positiveInteger(value: number, argument: string): number {
  if (!(Number.isInteger(value) && value >= 1)) {
    throw new InvalidArgumentError(`must be a positive integer (got ${String(value)})`, { argument });
  }
  return value;
}

/** Returns `value` if it is a finite number of milliseconds above 0; otherwise throws naming `argument`. @internal */
export function positive(value: number, argument: string): number {
  if (!(Number.isFinite(value) && value > 0)) {
    throw new InvalidArgumentError(`must be a positive number of milliseconds (got ${String(value)})`, { argument });
  }
  return value;
}

/** Returns `value` if it is a finite number of milliseconds of at least 0; otherwise throws naming `argument`. @internal */
export function nonNegative(value: number, argument: string): number {
  if (!(Number.isFinite(value) && value >= 0)) {
    throw new InvalidArgumentError(`must be a non-negative number of milliseconds (got ${String(value)})`, { argument });
  }
  return value;
}

/** Where {@link assertKnownOptions} reports a key. @internal */
export interface KnownOptionsContext {
  /** What the options are for, e.g. `createClient`. */
  readonly owner: string;
  /** Put before each key in the error's `argument`, e.g. `connection.`. @defaultValue `''` */
  readonly prefix?: string;
  /** Keys that are common mistakes, and what to say instead (`url: 'connection.url'`). */
  readonly hints?: Readonly<Record<string, string>>;
}

/**
 * Throws `InvalidArgumentError` naming the first key of `options` that is not in `known` and whose
 * value is not `undefined` (JavaScript callers get no compiler to catch a misspelt option, and an
 * ignored one is a silent surprise). The message says what to use instead: the hint for that key,
 * else a known key that differs only in case or by a missing `Ms` suffix. Used for the client's,
 * the pool's and the connection's options, and open to other option objects (the worker's).
 * @internal
 */
export function assertKnownOptions(options: object, known: Readonly<Record<string, unknown>>, context: KnownOptionsContext): void {
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined || Object.hasOwn(known, key)) continue;
    const suggestion = context.hints?.[key] ?? similarKey(key, Object.keys(known));
    const prefix = context.prefix ?? '';
    const instead = suggestion === undefined ? '' : ` (did you mean ${suggestion}?)`;
    throw new InvalidArgumentError(`is not an option of ${context.owner}${instead}`, { argument: `${prefix}${key}` });
  }
}

function similarKey(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  return known.find((name) => name.toLowerCase() === lower || name.toLowerCase() === `${lower}ms`);
}
