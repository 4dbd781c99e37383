/**
 * Time stamps as the Go server writes and reads them: RFC 3339 with nanosecond precision in UTC
 * and trailing zeros dropped (`2024-05-01T12:00:00.5Z`), parsed by Go's rules.
 */

/** The last time formatted and its text: every job pushed in the same millisecond shares it. */
let lastMs = Number.NaN;
let lastText = '';

/** Formats milliseconds since the epoch as Go's `time.RFC3339Nano` in UTC (cached per millisecond). */
export function formatTime(ms: number): string {
  if (ms === lastMs) return lastText;
  const iso = new Date(ms).toISOString();
  // toISOString always ends in `.mmmZ`: drop the fraction's trailing zeros, and the dot with them.
  const end = iso.length - 1;
  let cut = end;
  while (cut > end - 3 && iso.charCodeAt(cut - 1) === 0x30) cut--;
  const text = cut === end - 3 ? `${iso.slice(0, end - 4)}Z` : cut === end ? iso : `${iso.slice(0, cut)}Z`;
  lastMs = ms;
  lastText = text;
  return text;
}

/** Go's `time.RFC3339Nano` layout, which Faktory parses `at` with. */
export const RFC3339_NANO = '2006-01-02T15:04:05.999999999Z07:00';

/** The outcome of {@link parseGoTime}: milliseconds since the epoch, or Go's error text. */
export type ParsedTime = { readonly ok: true; readonly ms: number } | { readonly ok: false; readonly error: string };

/**
 * Parses a time as Go's `time.Parse(time.RFC3339Nano, text)` does, with its error texts
 * (`parsing time "x" as "2006-01-02T15:04:05.999999999Z07:00": cannot parse "x" as "2006"`,
 * `parsing time "...": month out of range`). Go's rules: upper-case `T` and `Z` only, a one- or
 * two-digit hour, two-digit month, day, minute and second, any number of fraction digits after
 * `.` or `,` (nanoseconds kept, we keep milliseconds), an offset `±hh:mm` up to 24:60, and no
 * trailing text.
 */
export function parseGoTime(text: string): ParsedTime {
  let rest = text;
  const bad = (valueElem: string, layoutElem: string): ParsedTime => ({
    ok: false,
    error: `parsing time ${timeQuote(text)} as ${timeQuote(RFC3339_NANO)}: cannot parse ${timeQuote(valueElem)} as ${timeQuote(layoutElem)}`,
  });
  const range = (what: string): ParsedTime => ({ ok: false, error: `parsing time ${timeQuote(text)}: ${what} out of range` });
  const digit = (at: number): boolean => at < rest.length && rest.charCodeAt(at) >= 0x30 && rest.charCodeAt(at) <= 0x39;
  /** Go's getnum: one or two digits (exactly two when `fixed`). */
  const number = (fixed: boolean): number | undefined => {
    if (!digit(0)) return undefined;
    if (!digit(1)) {
      if (fixed) return undefined;
      const n = rest.charCodeAt(0) - 0x30;
      rest = rest.slice(1);
      return n;
    }
    const n = (rest.charCodeAt(0) - 0x30) * 10 + rest.charCodeAt(1) - 0x30;
    rest = rest.slice(2);
    return n;
  };
  const literal = (prefix: string): boolean => {
    if (!rest.startsWith(prefix)) return false;
    rest = rest.slice(prefix.length);
    return true;
  };
  if (rest.length < 4 || !digit(0) || !/^\d{4}/.test(rest)) return bad(rest, '2006');
  const year = Number(rest.slice(0, 4));
  rest = rest.slice(4);
  if (!literal('-')) return bad(rest, '-');
  let hold = rest;
  const month = number(true);
  if (month === undefined) return bad(hold, '01');
  if (month < 1 || month > 12) return range('month');
  if (!literal('-')) return bad(rest, '-');
  hold = rest;
  const day = number(true);
  if (day === undefined) return bad(hold, '02');
  if (!literal('T')) return bad(rest, 'T');
  hold = rest;
  const hour = number(false);
  if (hour === undefined) return bad(hold, '15');
  if (hour > 23) return range('hour');
  if (!literal(':')) return bad(rest, ':');
  hold = rest;
  const minute = number(true);
  if (minute === undefined) return bad(hold, '04');
  if (minute > 59) return range('minute');
  if (!literal(':')) return bad(rest, ':');
  hold = rest;
  const second = number(true);
  if (second === undefined) return bad(hold, '05');
  if (second > 59) return range('second');
  let millis = 0;
  if (rest.length >= 2 && (rest[0] === '.' || rest[0] === ',') && digit(1)) {
    let end = 1;
    while (digit(end)) end++;
    millis = Number(rest.slice(1, Math.min(end, 4)).padEnd(3, '0'));
    rest = rest.slice(end);
  }
  let offsetMinutes = 0;
  if (rest.startsWith('Z')) rest = rest.slice(1);
  else {
    hold = rest;
    if (rest.length < 6 || rest[3] !== ':') return bad(hold, 'Z07:00');
    const sign = rest[0];
    const hh = /^\d\d$/.test(rest.slice(1, 3)) ? Number(rest.slice(1, 3)) : undefined;
    const mm = hh !== undefined && /^\d\d$/.test(rest.slice(4, 6)) ? Number(rest.slice(4, 6)) : undefined;
    rest = rest.slice(6);
    if ((hh ?? 0) > 24) return range('time zone offset hour');
    if ((mm ?? 0) > 60) return range('time zone offset minute');
    if (hh === undefined || mm === undefined || (sign !== '+' && sign !== '-')) return bad(hold, 'Z07:00');
    offsetMinutes = (sign === '-' ? -1 : 1) * (hh * 60 + mm);
  }
  if (rest !== '') return { ok: false, error: `parsing time ${timeQuote(text)}: extra text: ${timeQuote(rest)}` };
  if (day < 1 || day > daysIn(year, month)) return range('day');
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, millis);
  return { ok: true, ms: date.getTime() - offsetMinutes * 60_000 };
}

/** Parses an RFC 3339 time stamp as Go does (see {@link parseGoTime}) to milliseconds, or `undefined`. */
export function parseTime(text: string): number | undefined {
  const parsed = parseGoTime(text);
  return parsed.ok ? parsed.ms : undefined;
}

/** The `time` package's own quoting in its errors: double quotes, `\xNN` for each byte of a non-ASCII or control character. */
function timeQuote(text: string): string {
  let out = '"';
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (code >= 0x80 || code < 0x20) {
      for (const byte of Buffer.from(char, 'utf8')) out += `\\x${byte.toString(16).padStart(2, '0')}`;
    } else out += char === '"' || char === '\\' ? `\\${char}` : char;
  }
  return `${out}"`;
}

function daysIn(year: number, month: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month, 0);
  return date.getUTCDate();
}
