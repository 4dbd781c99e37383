import { InvalidJobError } from '../errors.js';

/**
 * Checks that `value` survives `JSON.stringify` -> `JSON.parse` unchanged, and throws
 * {@link InvalidJobError} naming the path of the first value that would not (e.g. `args[2].x`).
 *
 * Accepted: strings, finite numbers, booleans, `null`, arrays without holes, and plain objects
 * (prototype `Object.prototype` or `null`) whose values are accepted. Refused: `undefined`
 * (also as an array hole or an object value, which JSON would drop or turn into `null`),
 * functions, symbols, BigInt, `NaN`/`Infinity` (JSON writes `null`), cycles, and non-plain
 * objects such as `Date`, `Map`, `Set`, `Buffer` or class instances (JSON would change them
 * silently; convert them first, e.g. `date.toISOString()`). Shared, non-cyclic references are
 * fine.
 *
 * @internal
 */
export function assertJson(value: unknown, path: string, jid?: string): void {
  // The common case walks once without building paths; only a refused value is walked again
  // to name the offending path.
  if (!isJson(value, [])) check(value, path, [], jid);
}

/** Whether `value` is accepted: the same rules as `check`, without paths or messages. */
function isJson(value: unknown, ancestors: object[]): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object':
      return value === null || isJsonObject(value, ancestors);
    case 'undefined':
    case 'bigint':
    case 'function':
    case 'symbol':
      return false;
  }
}

function isJsonObject(value: object, ancestors: object[]): boolean {
  if (ancestors.includes(value)) return false;
  ancestors.push(value);
  if (Array.isArray(value)) {
    const items = value as unknown[];
    for (let i = 0; i < items.length; i++) {
      if (!(i in items) || !isJson(items[i], ancestors)) return false;
    }
  } else {
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return false;
    const fields = value as Record<string, unknown>;
    const keys = Object.keys(fields);
    for (let i = 0; i < keys.length; i++) {
      if (!isJson(fields[keys[i] as string], ancestors)) return false;
    }
  }
  ancestors.pop();
  return true;
}

function check(value: unknown, path: string, ancestors: object[], jid: string | undefined): void {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(value)) fail(path, `${String(value)} is not a JSON number`, jid);
      return;
    case 'object':
      if (value === null) return;
      checkObject(value, path, ancestors, jid);
      return;
    case 'undefined':
      fail(path, 'undefined is not a JSON value', jid);
      break;
    case 'bigint':
    case 'function':
    case 'symbol':
      fail(path, `a ${typeof value} is not a JSON value`, jid);
  }
}

function checkObject(value: object, path: string, ancestors: object[], jid: string | undefined): void {
  if (ancestors.includes(value)) fail(path, 'a cycle cannot be sent as JSON', jid);
  ancestors.push(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      if (!(i in value)) fail(`${path}[${i}]`, 'an array hole is not a JSON value', jid);
      check(value[i], `${path}[${i}]`, ancestors, jid);
    }
  } else {
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      const name = describe(value);
      fail(path, `a ${name} is not a plain object; convert it to JSON values first`, jid);
    }
    for (const [key, item] of Object.entries(value)) check(item, `${path}.${key}`, ancestors, jid);
  }
  ancestors.pop();
}

function describe(value: object): string {
  const ctor: unknown = (value as { constructor?: unknown }).constructor;
  return typeof ctor === 'function' && ctor.name !== '' ? ctor.name : 'non-plain object';
}

function fail(field: string, message: string, jid: string | undefined): never {
  throw new InvalidJobError(message, jid === undefined ? { field } : { field, jid });
}
