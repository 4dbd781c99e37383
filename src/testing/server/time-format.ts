/**
 * Time stamps as the Go server writes and reads them: RFC 3339 with nanosecond precision in UTC
 * and trailing zeros dropped (`2024-05-01T12:00:00.5Z`), parsed with any offset.
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

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/** Parses an RFC 3339 time stamp (any offset, up to nanoseconds) to milliseconds, or `undefined`. */
export function parseTime(text: string): number | undefined {
  const m = RFC3339.exec(text);
  if (m === null) return undefined;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [
    number, number, number, number, number, number,
  ];
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || hour > 23 || minute > 59 || second > 59) {
    return undefined;
  }
  const fraction = m[7] === undefined ? 0 : Math.floor(Number(`0.${m[7]}`) * 1000);
  let offsetMs = 0;
  if (m[8] === undefined) {
    const offHours = Number(m[10]);
    const offMinutes = Number(m[11]);
    if (offHours > 23 || offMinutes > 59) return undefined;
    offsetMs = (m[9] === '-' ? -1 : 1) * (offHours * 60 + offMinutes) * 60_000;
  }
  return Date.UTC(year, month - 1, day, hour, minute, second, fraction) - offsetMs;
}

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}
