const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-](\d{2}):(\d{2}))$/;

/**
 * Whether `text` is an RFC 3339 date-time the Faktory server (Go's `time.RFC3339Nano`) parses:
 * `2024-05-01T12:00:00Z`, with optional fractional seconds and any `+hh:mm`/`-hh:mm` offset.
 * Day-of-month and time fields are range-checked as Go does.
 *
 * @internal
 */
export function isRfc3339(text: string): boolean {
  const m = RFC3339.exec(text);
  if (m === null) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return false;
  if (hour > 23 || minute > 59 || second > 59) return false;
  const offsetHours = m[9] === undefined ? 0 : Number(m[9]);
  const offsetMinutes = m[10] === undefined ? 0 : Number(m[10]);
  return offsetHours <= 23 && offsetMinutes <= 59;
}

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * A `Date` or an RFC 3339 string as the RFC 3339 text to send. An invalid `Date` becomes the
 * text `Invalid Date`, which validation then refuses with the field's name.
 *
 * @internal
 */
export function toRfc3339(when: Date | string): string {
  if (typeof when === 'string') return when;
  return Number.isNaN(when.getTime()) ? 'Invalid Date' : when.toISOString();
}
