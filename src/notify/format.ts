/** Small text helpers for notifications: durations, times, and SNS-safe subjects. */

/** SNS refuses a Subject over 100 characters, with line breaks, or outside printable ASCII. */
export const SNS_SUBJECT_MAX_LENGTH = 100;

/**
 * Seconds as a person would say them: `45 s`, `42 min 11 s`, `1 h 5 min`, `2 d 3 h`.
 * Two units at most; the smaller is dropped when it is zero.
 */
export function humanDuration(totalSeconds: number): string {
  const seconds = Math.max(0, Math.round(totalSeconds));
  const units: [string, number][] = [
    ['d', 86_400],
    ['h', 3_600],
    ['min', 60],
    ['s', 1],
  ];
  const firstIndex = units.findIndex(([, size]) => seconds >= size);
  if (firstIndex === -1) return '0 s';
  const parts: string[] = [];
  let rest = seconds;
  for (const [name, size] of units.slice(firstIndex, firstIndex + 2)) {
    const count = Math.floor(rest / size);
    rest -= count * size;
    if (count > 0) parts.push(`${count} ${name}`);
  }
  return parts.join(' ');
}

/** `2026-11-20T10:00:05.412Z` → `2026-11-20 10:00:05 UTC`. */
export function humanTime(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

/**
 * A valid SNS Subject from any text: accents folded (`modèle` → `modele`), anything else
 * outside printable ASCII replaced by `?`, whitespace collapsed, cut to 100 characters.
 */
export function snsSubject(text: string): string {
  const ascii = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/\s+/g, ' ')
    .replace(/[^\x20-\x7e]/g, '?')
    .trim();
  if (ascii === '') return 'Model optimization pipeline';
  return ascii.length <= SNS_SUBJECT_MAX_LENGTH
    ? ascii
    : `${ascii.slice(0, SNS_SUBJECT_MAX_LENGTH - 3).trimEnd()}...`;
}
