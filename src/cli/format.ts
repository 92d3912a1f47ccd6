/** The CLI's own text: `--since` values, and tab-separated output when stdout is not a terminal. */
import { UsageError } from './errors';

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/** `--since`: a duration back from now (`90s`, `30m`, `6h`, `7d`, `2w`) or an ISO-8601 date-time. */
export function parseSince(text: string, now: Date): Date {
  const relative = /^(\d+(?:\.\d+)?)([smhdw])$/.exec(text.trim());
  if (relative) {
    const [, amount, unit] = relative;
    return new Date(now.getTime() - Number(amount) * (UNITS[unit ?? 's'] ?? 1) * 1000);
  }
  const absolute = Date.parse(text);
  if (/^\d{4}-\d{2}-\d{2}/.test(text) && Number.isFinite(absolute)) return new Date(absolute);
  throw new UsageError(`--since takes a duration like 30m, 6h, 7d or an ISO date-time, not "${text}"`);
}

/** Tab-separated lines with a header line: what `list` prints when stdout is not a terminal. */
export function tsv(headers: string[], rows: string[][]): string {
  return [headers, ...rows]
    .map((row) => row.map((cell) => cell.replace(/[\t\n]/g, ' ')).join('\t'))
    .join('\n');
}
