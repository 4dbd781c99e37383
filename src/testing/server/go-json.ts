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
 * or `null`, the value when it fits, otherwise a {@link GoTypeError}. (No closure per call: this
 * runs for every field of every pushed job.)
 */
export function decodeField(record: Record<string, unknown>, field: string, kind: FieldKind, struct: string): unknown {
  const value = record[field];
  if (value === undefined || value === null) return undefined;
  switch (kind) {
    case 'string':
      if (typeof value === 'string') return value;
      break;
    case 'int':
      if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
      break;
    case 'array':
      if (Array.isArray(value)) return value;
      break;
    case 'object':
      if (typeof value === 'object' && !Array.isArray(value)) return value;
      break;
    case 'string[]':
      if (Array.isArray(value)) return decodeStrings(value, struct, field);
      break;
  }
  throw new GoTypeError(fieldTypeError(value, struct, field, GO_TYPES[kind]));
}

function decodeStrings(items: readonly unknown[], struct: string, field: string): string[] {
  const strings: string[] = [];
  for (const item of items) {
    if (item !== null && typeof item !== 'string') throw new GoTypeError(fieldTypeError(item, struct, field, 'string'));
    strings.push(item ?? '');
  }
  return strings;
}

/** {@link decodeField} for a Go `string` field. */
export function stringField(record: Record<string, unknown>, field: string, struct: string): string | undefined {
  return decodeField(record, field, 'string', struct) as string | undefined;
}

/** {@link decodeField} for a Go `int` field. */
export function intField(record: Record<string, unknown>, field: string, struct: string): number | undefined {
  return decodeField(record, field, 'int', struct) as number | undefined;
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
