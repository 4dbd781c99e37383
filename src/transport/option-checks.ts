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
