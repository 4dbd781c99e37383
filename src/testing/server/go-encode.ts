/** JSON written as Go's `encoding/json` writes it. */

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

/**
 * `JSON.stringify` of a JSON value, also for values nested deeper than its recursion allows
 * (the decoder accepts Go's 10,000 levels; V8's stringify overflows near 4,500): then an
 * iterative writer takes over.
 */
export function stringifyJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    return stringifyDeep(value);
  }
}

function stringifyDeep(root: unknown): string {
  let out = '';
  const stack: { readonly entries: [string | undefined, unknown][]; index: number; readonly close: string }[] = [];
  let value: unknown = root;
  for (;;) {
    if (Array.isArray(value) || isRecord(value)) {
      const array = Array.isArray(value);
      out += array ? '[' : '{';
      const entries: [string | undefined, unknown][] = array ? (value as unknown[]).map((item) => [undefined, item]) : Object.entries(value);
      stack.push({ entries, index: 0, close: array ? ']' : '}' });
    } else out += JSON.stringify(value);
    let next: [string | undefined, unknown] | undefined;
    while (next === undefined) {
      const frame = stack.at(-1);
      if (frame === undefined) return out;
      next = frame.entries[frame.index];
      if (next === undefined) {
        out += frame.close;
        stack.pop();
        continue;
      }
      if (frame.index++ > 0) out += ',';
      if (next[0] !== undefined) out += `${JSON.stringify(next[0])}:`;
    }
    value = next[1];
  }
}

/** `JSON.stringify` with Go's default HTML-safe escaping of `<`, `>`, `&`, U+2028 and U+2029. */
export function goStringify(value: unknown): string {
  return escapeHtml(stringifyJson(value));
}
