/**
 * Cold loads, one child process each, taken in alternating rounds (bare node, A, B, …, then
 * again), so machine noise lands on every row alike. The child is load-bundle.cjs.
 */
import { spawnSync } from 'node:child_process';

const LOADER = new URL('./load-bundle.cjs', import.meta.url).pathname;

/** One thing to load: a bundle (or nothing, for bare node) with its environment. */
export interface LoadRow {
  key: string;
  /** Absent for the bare-node row. */
  bundle?: { file: string; exportName: string };
  env: Record<string, string>;
  nodeFlags?: string[];
}

/** One load: wall time of the whole process as the parent saw it, and what the child reported. */
export interface Sample {
  wallMs: number;
  requireMs: number;
  maxRssKiB: number;
}

/** A row's samples, or why it could not load. */
export interface RowResult {
  samples: Sample[];
  error?: string;
}

function loadOnce(row: LoadRow): Sample | { error: string } {
  const args = [...(row.nodeFlags ?? []), LOADER];
  if (row.bundle) args.push(row.bundle.file, row.bundle.exportName);
  const started = process.hrtime.bigint();
  const child = spawnSync(process.execPath, args, { env: row.env, encoding: 'utf8', timeout: 60_000 });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  const last = child.stdout?.trim().split('\n').pop() ?? '';
  if (child.status !== 0 || !last.startsWith('{')) {
    const lines = `${child.stderr ?? ''}`.split('\n');
    return { error: lines.find((l) => /Error/.test(l))?.trim() ?? lines[0] ?? `exit ${child.status}` };
  }
  const reported = JSON.parse(last) as Omit<Sample, 'wallMs'>;
  return { wallMs, ...reported };
}

/** `runs` alternating rounds over `rows`, after one unrecorded warm-up round. */
export function measureAlternating(
  rows: LoadRow[],
  runs: number,
  progress: (round: number) => void,
): Map<string, RowResult> {
  const results = new Map<string, RowResult>(rows.map((r) => [r.key, { samples: [] }]));
  for (let round = 0; round <= runs; round++) {
    for (const row of rows) {
      const result = results.get(row.key) as RowResult;
      if (result.error) continue;
      const sample = loadOnce(row);
      if ('error' in sample) result.error = sample.error;
      else if (round > 0) result.samples.push(sample);
    }
    if (round > 0) progress(round);
  }
  return results;
}

/** The median of a non-empty list. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
