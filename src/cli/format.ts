/** Text formatting for the CLI's human output: durations, sizes, tables, relative times. */
import { UsageError } from './errors';

/** `45s`, `2m 05s`, `1h 02m`, `3d 4h`. */
export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '-';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(s / 86_400)}d ${Math.floor((s % 86_400) / 3600)}h`;
}

/** `512 B`, `1.5 KiB`, `3.2 MiB`, `1.1 GiB`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** `2026-11-20 10:00:06` (UTC), or `-`. */
export function formatTime(iso: string | undefined): string {
  return iso ? iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, '') : '-';
}

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

/** Columns padded to the widest cell, two spaces apart; the last column is not padded. */
export function table(headers: string[], rows: string[][]): string {
  const all = [headers, ...rows];
  const widths = headers.map((_, i) => Math.max(...all.map((row) => (row[i] ?? '').length)));
  return all
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** Tab-separated lines with a header line: what `list` prints when stdout is not a terminal. */
export function tsv(headers: string[], rows: string[][]): string {
  return [headers, ...rows]
    .map((row) => row.map((cell) => cell.replace(/[\t\n]/g, ' ')).join('\t'))
    .join('\n');
}
