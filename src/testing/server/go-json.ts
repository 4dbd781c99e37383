/**
 * Decoding helpers that reproduce how the Go server's `encoding/json` treats a payload: the
 * same error texts (`unexpected end of JSON input`, `json: cannot unmarshal string into Go struct
 * field Job.args of type []interface {}`), `null` meaning "leave the zero value". Go's exact
 * syntax-error texts depend on its scanner state; ours name the first bad character the same way
 * but may differ in the trailing words (our reading).
 */

/** The outcome of {@link parseGoJson}. */
export type ParsedJson = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: string };

const POSITION = /position (\d+)/;

/** Parses JSON text, giving Go-style syntax errors. */
export function parseGoJson(text: string): ParsedJson {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, error: goSyntaxError(text, error) };
  }
}

function goSyntaxError(text: string, error: unknown): string {
  const message = error instanceof Error ? error.message : '';
  if (text.trim() === '' || message.includes('end of JSON input') || message.includes('Unterminated')) {
    return 'unexpected end of JSON input';
  }
  const match = POSITION.exec(message);
  const index = match?.[1] === undefined ? firstOffending(text) : Number(match[1]);
  const char = text.charAt(index);
  return char === '' ? 'unexpected end of JSON input' : `invalid character ${quoteChar(char)} looking for beginning of value`;
}

function firstOffending(text: string): number {
  const index = text.search(/\S/);
  return index < 0 ? 0 : index;
}

function quoteChar(char: string): string {
  if (char === "'") return "'\\''";
  if (char === '\n') return "'\\n'";
  if (char === '\r') return "'\\r'";
  if (char === '\t') return "'\\t'";
  return `'${char}'`;
}

/** The JSON kind of a value, as Go names it in type errors. */
export function jsonKind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'boolean') return 'bool';
  return typeof value;
}

/** Go's `cannot unmarshal` text for a struct field. */
export function fieldTypeError(value: unknown, struct: string, field: string, goType: string): string {
  const kind = typeof value === 'number' ? `number ${JSON.stringify(value)}` : jsonKind(value);
  return `json: cannot unmarshal ${kind} into Go struct field ${struct}.${field} of type ${goType}`;
}

/** Go's `cannot unmarshal` text for a whole value. */
export function valueTypeError(value: unknown, goType: string): string {
  return `json: cannot unmarshal ${jsonKind(value)} into Go value of type ${goType}`;
}

/** A field decoder: returns the decoded value, or throws a {@link GoTypeError}. */
export type FieldKind = 'string' | 'int' | 'array' | 'object' | 'string[]';

/**
 * Thrown by {@link decodeField} when a value does not fit its Go type. Internal: always caught
 * and turned into an `-ERR invalid JSON: ...` reply, never seen by users.
 */
export class GoTypeError extends Error {}

const GO_TYPES: Readonly<Record<FieldKind, string>> = {
  string: 'string',
  int: 'int',
  array: '[]interface {}',
  object: 'map[string]interface {}',
  'string[]': '[]string',
};

/**
 * Reads `record[field]` as Go would decode it into a typed struct field: `undefined` for absent
 * or `null`, the value when it fits, otherwise a {@link GoTypeError}.
 */
export function decodeField(record: Record<string, unknown>, field: string, kind: FieldKind, struct: string): unknown {
  const value = record[field];
  if (value === undefined || value === null) return undefined;
  const fail = (): never => {
    throw new GoTypeError(fieldTypeError(value, struct, field, GO_TYPES[kind]));
  };
  switch (kind) {
    case 'string':
      return typeof value === 'string' ? value : fail();
    case 'int':
      return typeof value === 'number' && Number.isSafeInteger(value) ? value : fail();
    case 'array':
      return Array.isArray(value) ? value : fail();
    case 'object':
      return typeof value === 'object' && !Array.isArray(value) ? value : fail();
    case 'string[]':
      if (!Array.isArray(value)) return fail();
      for (const item of value) {
        if (item !== null && typeof item !== 'string') throw new GoTypeError(fieldTypeError(item, struct, field, 'string'));
      }
      return value.map((item: unknown) => (typeof item === 'string' ? item : ''));
  }
}

/** Whether a value is a JSON object (not an array, not null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const HTML_UNSAFE = /[<>&\u2028\u2029]/g;

/** `JSON.stringify` with Go's default HTML-safe escaping of `<`, `>`, `&`, U+2028 and U+2029. */
export function goStringify(value: unknown): string {
  const json = JSON.stringify(value);
  return HTML_UNSAFE.test(json) ? json.replace(HTML_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) : json;
}
