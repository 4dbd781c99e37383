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
 *   `interface{}` are float64, maps are written with their keys sorted.
 * Where we differ: a line's bytes are decoded as UTF-8 before JSON sees them, so an invalid
 * byte is U+FFFD by Node's rules (one per maximal invalid sequence, Go has one per byte) and a
 * syntax error at an invalid byte names U+FFFD's first byte; an integer beyond 2^53 is accepted
 * in Go's int64 range but kept as the nearest double; integer-like map keys come first when
 * written (a JavaScript object's own order).
 */

/** A Go type as `encoding/json` fills it. `name` is how Go's errors spell it. */
export type GoType =
  | { readonly kind: 'string'; readonly name: string }
  | { readonly kind: 'int'; readonly name: string; readonly min: bigint; readonly max: bigint }
  | { readonly kind: 'slice'; readonly name: string; readonly elem: GoType }
  | { readonly kind: 'map'; readonly name: string; readonly elem: GoType }
  | { readonly kind: 'any' }
  | { readonly kind: 'skip' }
  | GoStruct;

/** A Go struct: its short name (`Job`), its full name (`client.Job`) and its JSON fields. */
export interface GoStruct {
  readonly kind: 'struct';
  readonly name: string;
  readonly typeName: string;
  readonly fields: ReadonlyMap<string, GoType>;
  /** The fields by their case-folded name. */
  readonly folded: ReadonlyMap<string, string>;
}

/** A Go struct type with these JSON fields (in declaration order). */
export function goStruct(typeName: string, fields: Readonly<Record<string, GoType>>): GoStruct {
  const map = new Map(Object.entries(fields));
  const folded = new Map<string, string>();
  for (const field of map.keys()) folded.set(foldKey(field) ?? field, field);
  return { kind: 'struct', name: typeName.slice(typeName.indexOf('.') + 1), typeName, fields: map, folded };
}

const INT64 = { min: -(2n ** 63n), max: 2n ** 63n - 1n };
/** Go's `string`. */
export const GO_STRING: GoType = { kind: 'string', name: 'string' };
/** Go's `int` (64-bit). */
export const GO_INT: GoType = { kind: 'int', name: 'int', ...INT64 };
/** Go's `int64`. */
export const GO_INT64: GoType = { kind: 'int', name: 'int64', ...INT64 };
/** Go's `uint8`. */
export const GO_UINT8: GoType = { kind: 'int', name: 'uint8', min: 0n, max: 255n };
/** Go's `interface{}`. */
export const GO_ANY: GoType = { kind: 'any' };
/** Go's `[]string`. */
export const GO_STRINGS: GoType = { kind: 'slice', name: '[]string', elem: GO_STRING };
/** Go's `[]interface {}`. */
export const GO_ANYS: GoType = { kind: 'slice', name: '[]interface {}', elem: GO_ANY };
/** Go's `map[string]interface {}`. */
export const GO_MAP: GoType = { kind: 'map', name: 'map[string]interface {}', elem: GO_ANY };
/** Go's `map[string]string`. */
export const GO_STRING_MAP: GoType = { kind: 'map', name: 'map[string]string', elem: GO_STRING };
const SKIP: GoType = { kind: 'skip' };
const FLOAT64 = 'float64';

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

/** Whether JSON text is valid for Go; the syntax error text when it is not. */
export function goSyntaxError(text: string): string | undefined {
  const parsed = goUnmarshal(text, SKIP);
  return parsed.ok ? undefined : parsed.error;
}

class GoSyntaxError extends Error {}

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
    const c = this.text.charCodeAt(this.pos);
    switch (c) {
      case 0x7b: // {
        return this.#object(type, existing);
      case 0x5b: // [
        return this.#array(type);
      case 0x22: {
        const s = this.#string();
        if (type.kind === 'string' || type.kind === 'any') return s;
        if (type.kind !== 'skip') this.#mismatch('string', type);
        return undefined;
      }
      case 0x74: // t
        this.#literal('true');
        return this.#bool(true, type);
      case 0x66: // f
        this.#literal('false');
        return this.#bool(false, type);
      case 0x6e: // n
        this.#literal('null');
        return type.kind === 'string' || type.kind === 'int' || type.kind === 'skip' ? undefined : null;
      default:
        if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.#number(type);
        return this.syntax('looking for beginning of value');
    }
  }

  #bool(value: boolean, type: GoType): unknown {
    if (type.kind === 'any') return value;
    if (type.kind !== 'skip') this.#mismatch('bool', type);
    return undefined;
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
    const digit = (): boolean => {
      const c = text.charCodeAt(pos);
      return c >= 0x30 && c <= 0x39;
    };
    const fail = (context: string): never => {
      this.pos = pos;
      return this.syntax(context);
    };
    if (text.charCodeAt(pos) === 0x2d) {
      pos++;
      if (!digit()) fail('in numeric literal');
    }
    if (text.charCodeAt(pos) === 0x30) pos++;
    else while (digit()) pos++;
    if (text.charCodeAt(pos) === 0x2e) {
      pos++;
      if (!digit()) fail('after decimal point in numeric literal');
      while (digit()) pos++;
    }
    const e = text.charCodeAt(pos);
    if (e === 0x65 || e === 0x45) {
      pos++;
      const sign = text.charCodeAt(pos);
      if (sign === 0x2b || sign === 0x2d) pos++;
      if (!digit()) fail('in exponent of numeric literal');
      while (digit()) pos++;
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
    let elem: GoType;
    let out: unknown[] | undefined;
    if (type.kind === 'slice' || type.kind === 'any') {
      elem = type.kind === 'slice' ? type.elem : GO_ANY;
      out = [];
    } else {
      if (type.kind !== 'skip') this.#mismatch('array', type);
      elem = SKIP;
    }
    this.skipSpace();
    if (this.text.charCodeAt(this.pos) === 0x5d) {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipSpace();
      const item = this.value(elem, undefined);
      out?.push(item ?? zero(elem));
      this.skipSpace();
      const c = this.text.charCodeAt(this.pos);
      this.pos++;
      if (c === 0x2c) continue;
      if (c === 0x5d) return out;
      this.pos--;
      this.syntax('after array element');
    }
  }

  #object(type: GoType, existing: unknown): unknown {
    this.pos++;
    let struct: GoStruct | undefined;
    let entries: Map<string, unknown> | undefined;
    let target: Record<string, unknown> | undefined;
    let elem: GoType = SKIP;
    if (type.kind === 'struct') {
      struct = type;
      target = isRecord(existing) ? existing : {};
    } else if (type.kind === 'map' || type.kind === 'any') {
      entries = new Map(isRecord(existing) ? Object.entries(existing) : []);
      elem = type.kind === 'map' ? type.elem : GO_ANY;
    } else if (type.kind !== 'skip') this.#mismatch('object', type);
    this.skipSpace();
    if (this.text.charCodeAt(this.pos) === 0x7d) {
      this.pos++;
      return target ?? (entries === undefined ? undefined : sortedObject(entries));
    }
    for (;;) {
      this.skipSpace();
      if (this.text.charCodeAt(this.pos) !== 0x22) this.syntax('looking for beginning of object key string');
      const key = this.#string();
      this.skipSpace();
      if (this.text.charCodeAt(this.pos) !== 0x3a) this.syntax('after object key');
      this.pos++;
      this.skipSpace();
      if (struct !== undefined && target !== undefined) this.#field(struct, target, key);
      else if (entries !== undefined) {
        const item = this.value(elem, entries.get(key));
        entries.set(key, item === undefined ? (entries.get(key) ?? zero(elem)) : item);
      } else this.value(SKIP, undefined);
      this.skipSpace();
      const c = this.text.charCodeAt(this.pos);
      this.pos++;
      if (c === 0x2c) continue;
      if (c === 0x7d) break;
      this.pos--;
      this.syntax('after object key:value pair');
    }
    return target ?? (entries === undefined ? undefined : sortedObject(entries));
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

/** A field name folded as Go matches it (ASCII case, the Kelvin sign and long s); `undefined` when no ASCII name can match. */
function foldKey(key: string): string | undefined {
  let out = '';
  for (const char of key) {
    const code = char.charCodeAt(0);
    if (code < 0x80) out += code >= 0x61 && code <= 0x7a ? String.fromCharCode(code - 0x20) : char;
    else if (code === 0x212a) out += 'K';
    else if (code === 0x17f) out += 'S';
    else return undefined;
  }
  return out;
}

/** An object with the entries' keys in Go's map order (sorted by code point). */
function sortedObject(entries: Map<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of [...entries.keys()].sort(compareCodePoints)) {
    Object.defineProperty(out, key, { value: entries.get(key), writable: true, enumerable: true, configurable: true });
  }
  return out;
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

/** The first byte of a code point's UTF-8 form: Go's scanner reports bytes. */
function firstByte(code: number): number {
  if (code < 0x80) return code;
  if (code < 0x800) return 0xc0 | (code >> 6);
  if (code < 0x10000) return 0xe0 | (code >> 12);
  return 0xf0 | (code >> 18);
}

/** Go's `quoteChar` of the JSON scanner: a byte in single quotes, escaped as `strconv.Quote` would. */
function quoteByte(byte: number): string {
  if (byte === 0x27) return "'\\''";
  if (byte === 0x22) return `'"'`;
  return `'${goQuote(String.fromCharCode(byte)).slice(1, -1)}'`;
}

const NAMED_ESCAPES: Readonly<Record<number, string>> = { 7: '\\a', 8: '\\b', 12: '\\f', 10: '\\n', 13: '\\r', 9: '\\t', 11: '\\v', 0x22: '\\"', 0x5c: '\\\\' };
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;

/** Go's `strconv.Quote`: double quotes, Go escapes for what is not printable. */
export function goQuote(text: string): string {
  let out = '"';
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    const named = NAMED_ESCAPES[code];
    if (named !== undefined) out += named;
    else if (code === 0x20 || (code > 0x7e ? PRINTABLE.test(char) : code > 0x20)) out += char;
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else if (code < 0x10000) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += `\\U${code.toString(16).padStart(8, '0')}`;
  }
  return `${out}"`;
}

/** Whether a value is a JSON object (not an array, not null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const HTML_UNSAFE = /[<>&\u2028\u2029]/g;

/** Whether JSON text holds a character Go escapes (five `indexOf` scans beat one regex test). */
function hasHtmlUnsafe(json: string): boolean {
  return json.includes('<') || json.includes('>') || json.includes('&') || json.includes('\u2028') || json.includes('\u2029');
}

/** Escapes `<`, `>`, `&`, U+2028 and U+2029 in JSON text as Go's encoder does (`\u003c`...). */
export function escapeHtml(json: string): string {
  return hasHtmlUnsafe(json) ? json.replace(HTML_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) : json;
}

/** `JSON.stringify` with Go's default HTML-safe escaping of `<`, `>`, `&`, U+2028 and U+2029. */
export function goStringify(value: unknown): string {
  return escapeHtml(JSON.stringify(value));
}
