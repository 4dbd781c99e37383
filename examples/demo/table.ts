/**
 * A tiny two-column table for the demo's summary (no dependency).
 */
export function renderTable(title: string, rows: readonly (readonly [string, string])[]): string {
  const left = Math.max(...rows.map(([k]) => k.length));
  const right = Math.max(title.length - left - 3, ...rows.map(([, v]) => v.length));
  const rule = (l: string, m: string, r: string): string => `${l}${'─'.repeat(left + 2)}${m}${'─'.repeat(right + 2)}${r}`;
  const lines = [
    rule('┌', '─', '┐'),
    `│ ${title.padEnd(left + right + 3)} │`,
    rule('├', '┬', '┤'),
    ...rows.map(([k, v]) => `│ ${k.padEnd(left)} │ ${v.padEnd(right)} │`),
    rule('└', '┴', '┘'),
  ];
  return lines.join('\n');
}

/** `12345.6` -> `12,346`. */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** Milliseconds as `850 ms` or `4.2 s`. */
export function formatMs(ms: number): string {
  return ms < 1_000 ? `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms` : `${(ms / 1_000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}
