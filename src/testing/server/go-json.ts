/**
 * JSON as the Go server reads and writes it (`encoding/json`), so that every reply matches the
 * real Faktory's:
 * - decoding is driven by the Go type it fills ({@link GoType}): object keys match struct fields
 *   exactly or else case-insensitively, unknown keys are skipped, `null` leaves a string or number
 *   field alone and empties a pointer, slice or map, a duplicated key's last value wins (a struct
 *   or map given twice is merged, as Go decodes into what is already there);
 * - a value of the wrong type does not stop decoding: the first such error (in input order) is
 *   reported, Go's text word for word (`json: cannot unmarshal number into Go struct field
 *   Job.jid of type string`, the literal shown only for numbers that do not fit a number type);
 * - syntax errors are Go scanner's (`invalid character 'n' looking for beginning of object key
 *   string`, `invalid character 'x' after top-level value`, `unexpected end of JSON input`), and
 *   win over type errors, since Go checks the syntax of the whole text first;
 * - strings decode escapes as Go does (a lone surrogate escape becomes U+FFFD); numbers of an
 *   `interface{}` are float64, maps are written with their keys sorted; arrays and objects nest
 *   up to Go's 10,000 levels (then `invalid character '[' exceeded max depth`).
 * Where we differ: a line's bytes are decoded as UTF-8 before JSON sees them, so an invalid
 * byte is U+FFFD by Node's rules (one per maximal invalid sequence, Go has one per byte) and a
 * syntax error at an invalid byte names U+FFFD's first byte; an integer beyond 2^53 is accepted
 * in Go's int64 range but kept as the nearest double; integer-like map keys come first when
 * written (a JavaScript object's own order).
 */
import { isRecord } from './go-encode.js';
import { firstByte, quoteByte } from './go-quote.js';
import { foldKey, GO_ANY, type GoStruct, type GoType } from './go-types.js';

/** The outcome of {@link goUnmarshal}: the value, or Go's error text. */
export type Unmarshalled<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

/**
 * Decodes JSON text into a value shaped by `type` as Go's `json.Unmarshal` fills it: a struct
 * becomes an object of its JSON field names (fields never set are absent), a slice an array, a
 * map an object with sorted keys, `interface{}` a plain JSON value. Top-level `null` gives the
 * zero value (`{}` for a struct or map, `[]` for a slice).
 */
export function goUnmarshal<T = Record<string, unknown>>(text: string, type: GoType): Unmarshalled<T> {
  const decoder = new Decoder(text);
  try {
    decoder.skipSpace();
    const value = decoder.value(type, undefined);
    decoder.skipSpace();
    if (decoder.pos < text.length) decoder.syntax('after top-level value');
    if (decoder.typeError !== undefined) return { ok: false, error: decoder.typeError };
    return { ok: true, value: (value ?? zero(type)) as T };
  } catch (error) {
    if (error instanceof GoSyntaxError) return { ok: false, error: error.message };
    throw error;
  }
}

const SKIP: GoType = { kind: 'skip' };
const FLOAT64 = 'float64';

class GoSyntaxError extends Error {}

/** Go's limit on nested arrays and objects. */
const MAX_DEPTH = 10_000;

/** An array (`close` is `]`) or object (`}`) being read by the iterative decoder; `items`/`map` when building. */
interface GenericFrame {
  readonly close: number;
  readonly items: unknown[] | undefined;
  readonly map: GoMapBuilder | undefined;
  key: string;
}

const END = 'unexpected end of JSON input';

function zero(type: GoType): unknown {
  switch (type.kind) {
    case 'string':
      return '';
    case 'int':
      return 0;
    case 'slice':
      return [];
    case 'struct':
    case 'map':
      return {};
    case 'any':
    case 'skip':
      return null;
  }
}

function typeName(type: GoType): string {
  if (type.kind === 'struct') return type.typeName;
  if (type.kind === 'any' || type.kind === 'skip') return 'interface {}';
  return type.name;
}

class Decoder {
  readonly text: string;
  pos = 0;
  /** The first type error, Go's text. */
  typeError: string | undefined;
  /** The JSON names of the struct fields being decoded, outermost first. */
  readonly #fields: string[] = [];
  /** The short name of the innermost struct being decoded, '' at the top. */
  #struct = '';
  /** How many arrays and objects of a typed value are open. */
  #depth = 0;

  constructor(text: string) {
    this.text = text;
  }

  skipSpace(): void {
    const text = this.text;
    let pos = this.pos;
    for (let c = text.charCodeAt(pos); c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09; c = text.charCodeAt(++pos));
    this.pos = pos;
  }

  /** Throws Go's syntax error for the character at `pos` (or the end of input). */
  syntax(context: string): never {
    if (this.pos >= this.text.length) throw new GoSyntaxError(END);
    throw new GoSyntaxError(`invalid character ${quoteByte(firstByte(this.text.codePointAt(this.pos) ?? 0))} ${context}`);
  }

  #mismatch(value: string, type: GoType): void {
    if (this.typeError !== undefined) return;
    const target = typeName(type);
    this.typeError =
      this.#fields.length === 0 && this.#struct === ''
        ? `json: cannot unmarshal ${value} into Go value of type ${target}`
        : `json: cannot unmarshal ${value} into Go struct field ${this.#struct}.${this.#fields.join('.')} of type ${target}`;
  }

  /**
   * Decodes the value at `pos` (after white space) into `type`. Returns the new value; `undefined`
   * to leave the target as it was (a type error, or `null` for a string or number); `null` to
   * empty it (`null` for a pointer, slice, map or interface).
   */
  value(type: GoType, existing: unknown): unknown {
    if (type.kind === 'any' || type.kind === 'skip') return this.#generic(type);
    const c = this.text.charCodeAt(this.pos);
    switch (c) {
      case 0x7b: // {
        return this.#object(type, existing);
      case 0x5b: // [
        return this.#array(type);
      case 0x22: {
        const s = this.#string();
        if (type.kind === 'string') return s;
        this.#mismatch('string', type);
        return undefined;
      }
      case 0x74: // t
      case 0x66: // f
        this.#literal(c === 0x74 ? 'true' : 'false');
        this.#mismatch('bool', type);
        return undefined;
      case 0x6e: // n
        this.#literal('null');
        return type.kind === 'string' || type.kind === 'int' ? undefined : null;
      default:
        if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.#number(type);
        return this.syntax('looking for beginning of value');
    }
  }

  /**
   * A value decoded into `interface{}` (or skipped): plain JSON values, maps with sorted keys.
   * Iterative, since only these can nest deeply: Go's scanner allows 10,000 levels in all and
   * then fails with `exceeded max depth`.
   */
  #generic(type: GoType): unknown {
    const build = type.kind === 'any';
    const stack: GenericFrame[] = [];
    for (;;) {
      let value: unknown;
      const c = this.text.charCodeAt(this.pos);
      if (c === 0x5b || c === 0x7b) {
        if (this.#depth + stack.length >= MAX_DEPTH) this.syntax('exceeded max depth');
        this.pos++;
        const frame: GenericFrame = { close: c + 2, items: build && c === 0x5b ? [] : undefined, map: build && c === 0x7b ? new GoMapBuilder(GO_ANY, undefined) : undefined, key: '' };
        this.skipSpace();
        if (this.text.charCodeAt(this.pos) !== frame.close) {
          if (frame.close === 0x7d) frame.key = this.#objectKey();
          stack.push(frame);
          this.skipSpace();
          continue;
        }
        this.pos++;
        value = frame.items ?? frame.map?.build();
      } else value = this.#scalar(type);
      for (;;) {
        const frame = stack.at(-1);
        if (frame === undefined) return value;
        if (frame.items !== undefined) frame.items.push(value ?? null);
        else frame.map?.set(frame.key, value);
        if (!this.#closes(frame.close)) {
          this.skipSpace();
          if (frame.close === 0x7d) {
            frame.key = this.#objectKey();
            this.skipSpace();
          }
          break;
        }
        stack.pop();
        value = frame.items ?? frame.map?.build();
      }
    }
  }

  /** A string, number or literal for `interface{}` (or skipped). */
  #scalar(type: GoType): unknown {
    const build = type.kind === 'any';
    const c = this.text.charCodeAt(this.pos);
    if (c === 0x22) {
      const s = this.#string();
      return build ? s : undefined;
    }
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.#number(type);
    const word = c === 0x74 ? 'true' : c === 0x66 ? 'false' : c === 0x6e ? 'null' : undefined;
    if (word === undefined) return this.syntax('looking for beginning of value');
    this.#literal(word);
    if (!build) return undefined;
    return word === 'null' ? null : word === 'true';
  }

  /** After an element of an array (`close` is `]`) or object (`}`): `true` at its end, `false` after a comma; else Go's syntax error. */
  #closes(close: number): boolean {
    this.skipSpace();
    const c = this.text.charCodeAt(this.pos);
    if (c !== 0x2c && c !== close) this.syntax(close === 0x5d ? 'after array element' : 'after object key:value pair');
    this.pos++;
    return c === close;
  }

  /** An object key and its colon (at the key's opening quote, after white space). */
  #objectKey(): string {
    if (this.text.charCodeAt(this.pos) !== 0x22) this.syntax('looking for beginning of object key string');
    const key = this.#string();
    this.skipSpace();
    if (this.text.charCodeAt(this.pos) !== 0x3a) this.syntax('after object key');
    this.pos++;
    return key;
  }

  #literal(word: string): void {
    for (let i = 1; i < word.length; i++) {
      this.pos++;
      if (this.text.charCodeAt(this.pos) !== word.charCodeAt(i)) this.syntax(`in literal ${word} (expecting '${word.charAt(i)}')`);
    }
    this.pos++;
  }

  #number(type: GoType): unknown {
    const text = this.text;
    const start = this.pos;
    let pos = start;
    let error: string | undefined;
    if (text.charCodeAt(pos) === 0x2d) {
      pos++;
      if (!isDigit(text, pos)) error = 'in numeric literal';
    }
    if (error === undefined) {
      if (text.charCodeAt(pos) === 0x30) pos++;
      else while (isDigit(text, pos)) pos++;
      if (text.charCodeAt(pos) === 0x2e) {
        pos++;
        if (!isDigit(text, pos)) error = 'after decimal point in numeric literal';
        while (isDigit(text, pos)) pos++;
      }
    }
    const e = text.charCodeAt(pos);
    if (error === undefined && (e === 0x65 || e === 0x45)) {
      pos++;
      const sign = text.charCodeAt(pos);
      if (sign === 0x2b || sign === 0x2d) pos++;
      if (!isDigit(text, pos)) error = 'in exponent of numeric literal';
      while (isDigit(text, pos)) pos++;
    }
    if (error !== undefined) {
      this.pos = pos;
      this.syntax(error);
    }
    this.pos = pos;
    const raw = text.slice(start, pos);
    switch (type.kind) {
      case 'int': {
        if (/^-?\d+$/.test(raw)) {
          const small = raw.length < 16;
          const n = small ? Number(raw) : BigInt(raw);
          if (n >= type.min && n <= type.max && !(type.min === 0n && raw.startsWith('-'))) return small ? n : Number(n);
        }
        this.#mismatch(`number ${raw}`, type);
        return undefined;
      }
      case 'any': {
        const n = Number(raw);
        if (Number.isFinite(n)) return n;
        this.#mismatch(`number ${raw}`, { kind: 'string', name: FLOAT64 });
        return null;
      }
      case 'skip':
        return undefined;
      case 'string':
      case 'slice':
      case 'map':
      case 'struct':
        this.#mismatch('number', type);
        return undefined;
    }
  }

  /** Reads a string literal at `pos` (on its opening quote) and returns its decoded text. */
  #string(): string {
    const text = this.text;
    let pos = this.pos + 1;
    let out = '';
    let from = pos;
    for (;;) {
      const c = text.charCodeAt(pos);
      if (c === 0x22) break;
      if (Number.isNaN(c)) {
        this.pos = pos;
        this.syntax('in string literal');
      }
      if (c < 0x20) {
        this.pos = pos;
        this.syntax('in string literal');
      }
      if (c !== 0x5c) {
        pos++;
        continue;
      }
      out += text.slice(from, pos);
      pos++;
      const escape = text.charAt(pos);
      const simple = ESCAPES[escape];
      if (simple !== undefined) {
        out += simple;
        pos++;
      } else if (escape === 'u') {
        let unit = this.#hex4(pos + 1);
        pos += 5;
        if (unit >= 0xd800 && unit < 0xe000) {
          const low = text.startsWith('\\u', pos) ? this.#hex4(pos + 2) : -1;
          if (unit < 0xdc00 && low >= 0xdc00 && low < 0xe000) {
            out += String.fromCharCode(unit, low);
            pos += 6;
            unit = -1;
          } else unit = 0xfffd;
        }
        if (unit >= 0) out += String.fromCharCode(unit);
      } else {
        this.pos = pos;
        this.syntax('in string escape code');
      }
      from = pos;
    }
    this.pos = pos + 1;
    return out + text.slice(from, pos);
  }

  #hex4(at: number): number {
    let unit = 0;
    for (let i = at; i < at + 4; i++) {
      const digit = i < this.text.length ? HEX.indexOf(this.text.charAt(i).toLowerCase()) : -1;
      if (digit < 0) {
        this.pos = i;
        this.syntax('in \\u hexadecimal character escape');
      }
      unit = unit * 16 + digit;
    }
    return unit;
  }

  #array(type: GoType): unknown {
    this.pos++;
    this.#depth++;
    let elem: GoType = SKIP;
    let out: unknown[] | undefined;
    if (type.kind === 'slice') {
      elem = type.elem;
      out = [];
    } else this.#mismatch('array', type);
    this.skipSpace();
    if (this.text.charCodeAt(this.pos) === 0x5d) {
      this.pos++;
      this.#depth--;
      return out;
    }
    for (;;) {
      this.skipSpace();
      const item = this.value(elem, undefined);
      out?.push(item ?? zero(elem));
      if (this.#closes(0x5d)) break;
    }
    this.#depth--;
    return out;
  }

  #object(type: GoType, existing: unknown): unknown {
    this.pos++;
    this.#depth++;
    let struct: GoStruct | undefined;
    let map: GoMapBuilder | undefined;
    let target: Record<string, unknown> | undefined;
    if (type.kind === 'struct') {
      struct = type;
      target = isRecord(existing) ? existing : {};
    } else if (type.kind === 'map') map = new GoMapBuilder(type.elem, existing);
    else this.#mismatch('object', type);
    this.skipSpace();
    if (this.text.charCodeAt(this.pos) === 0x7d) {
      this.pos++;
      this.#depth--;
      return target ?? map?.build();
    }
    for (;;) {
      this.skipSpace();
      const key = this.#objectKey();
      this.skipSpace();
      if (struct !== undefined && target !== undefined) this.#field(struct, target, key);
      else if (map !== undefined) map.set(key, this.value(map.elem, map.get(key)));
      else this.value(SKIP, undefined);
      if (this.#closes(0x7d)) break;
    }
    this.#depth--;
    return target ?? map?.build();
  }

  #field(struct: GoStruct, target: Record<string, unknown>, key: string): void {
    let name: string | undefined = struct.fields.has(key) ? key : undefined;
    if (name === undefined) {
      const folded = foldKey(key);
      name = folded === undefined ? undefined : struct.folded.get(folded);
    }
    const fieldType = name === undefined ? undefined : struct.fields.get(name);
    if (name === undefined || fieldType === undefined) {
      this.value(SKIP, undefined);
      return;
    }
    const outer = this.#struct;
    this.#struct = struct.name;
    this.#fields.push(name);
    const value = this.value(fieldType, target[name]);
    this.#fields.pop();
    this.#struct = outer;
    if (value === null && fieldType.kind !== 'any') Reflect.deleteProperty(target, name);
    else if (value !== undefined) target[name] = value;
  }
}

const HEX = '0123456789abcdef';
const ESCAPES: Readonly<Record<string, string>> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

function isDigit(text: string, pos: number): boolean {
  const c = text.charCodeAt(pos);
  return c >= 0x30 && c <= 0x39;
}

/**
 * A Go map being decoded into a JavaScript object (null prototype, so that `__proto__` is a key
 * like any other), merged into the map already there, with its keys in Go's map order (sorted by
 * code point) once built: only re-sorted when they did not arrive in order.
 */
class GoMapBuilder {
  readonly elem: GoType;
  #out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  #last: string | undefined;
  #sorted = true;

  constructor(elem: GoType, existing: unknown) {
    this.elem = elem;
    if (isRecord(existing)) for (const key of Object.keys(existing)) this.set(key, existing[key]);
  }

  get(key: string): unknown {
    return this.#out[key];
  }

  /** Sets a decoded value (`undefined`: the value was not decodable, the key keeps its value or the zero value). */
  set(key: string, value: unknown): void {
    if (!(key in this.#out)) {
      if (this.#last !== undefined && compareCodePoints(this.#last, key) > 0) this.#sorted = false;
      this.#last = key;
    }
    this.#out[key] = value === undefined ? (this.#out[key] ?? zero(this.elem)) : value;
  }

  build(): Record<string, unknown> {
    if (this.#sorted) return this.#out;
    const sorted = Object.create(null) as Record<string, unknown>;
    for (const key of Object.keys(this.#out).sort(compareCodePoints)) sorted[key] = this.#out[key];
    return sorted;
  }
}

function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.codePointAt(i) ?? 0;
    const y = b.codePointAt(i) ?? 0;
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}


export { escapeHtml, goStringify, isRecord, stringifyJson } from './go-encode.js';
export { goQuote } from './go-quote.js';
