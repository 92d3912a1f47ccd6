/**
 * The live timeline of the local stack: one row per drop (drop seen, job created, status
 * changes, event put, elapsed simulated time). On a TTY it redraws in place (log-update);
 * otherwise it prints one plain line per step, which reads well in CI logs.
 */
import logUpdate from 'log-update';
import type { Activity, ActivityLog } from './activity';

interface Row {
  key?: string;
  jobName?: string;
  firstSeen: number;
  status: string;
  lastEvent?: string;
  steps: string[];
  settledAt?: number;
}

const TERMINAL_EVENTS = new Set([
  'Model Optimization Completed',
  'Model Optimization Failed',
  'Model Optimization Stopped',
  'Model Upload Rejected',
]);

/** Follows the activity log and renders it; `stop()` prints the final state once. */
export function startTimeline(
  activity: ActivityLog,
  options: { tty: boolean; write?: (line: string) => void; now: () => number },
): { stop(): void; rows(): Row[] } {
  const rows: Row[] = [];
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const find = (jobName?: string, key?: string): Row | undefined =>
    rows.find(
      (r) => (jobName && r.jobName === jobName) || (key && r.key === key && (!r.jobName || !jobName)),
    );

  const rowFor = (a: { at: number }, jobName?: string, key?: string): Row => {
    let row = find(jobName, key);
    if (!row) {
      row = { key, jobName, firstSeen: a.at, status: 'DROPPED', steps: [] };
      rows.push(row);
    }
    row.key ??= key;
    row.jobName ??= jobName;
    return row;
  };

  const step = (row: Row, a: { at: number }, text: string) => {
    row.steps.push(text);
    if (!options.tty) write(`${clock(a.at - row.firstSeen)}  ${label(row)}  ${text}`);
  };

  const unsubscribe = activity.on((a: Activity) => {
    switch (a.kind) {
      case 'object-created':
        step(rowFor(a, undefined, a.key), a, 'drop seen');
        break;
      case 'job-status': {
        const row = rowFor(a, a.jobName);
        row.status = a.status;
        step(row, a, a.failureReason ? `${a.status}: ${a.failureReason}` : a.status);
        break;
      }
      case 'execution': {
        const row = find(a.name);
        if (row) step(row, a, `tracking ${a.status.toLowerCase()}${a.error ? ` (${a.error})` : ''}`);
        break;
      }
      case 'event': {
        const row = rowFor(a, a.jobName, a.key);
        row.lastEvent = a.detailType;
        if (a.detailType === 'Model Upload Rejected') row.status = 'REJECTED';
        if (TERMINAL_EVENTS.has(a.detailType)) row.settledAt = a.at;
        step(row, a, `event: ${a.detailType}`);
        break;
      }
      case 'dead-lettered':
        write(`!! a message reached the dead-letter queue ${a.queue} after ${a.count} receives`);
        break;
      case 'invocation':
        if (!a.ok) write(`!! ${a.functionKey} failed: ${a.error}`);
        break;
      default:
        break;
    }
    if (options.tty) logUpdate(render(rows, options.now()));
  });

  return {
    rows: () => rows,
    stop() {
      unsubscribe();
      if (options.tty) {
        logUpdate(render(rows, options.now()));
        logUpdate.done();
      }
    },
  };
}

function label(row: Row): string {
  return row.jobName ? `${row.jobName} (${row.key ?? '?'})` : (row.key ?? '?');
}

function render(rows: Row[], now: number): string {
  const header = ['DROP', 'JOB', 'STATUS', 'ELAPSED', 'LAST EVENT'];
  const body = rows.map((r) => [
    r.key ?? '',
    r.jobName ?? '',
    r.status,
    clock((r.settledAt ?? now) - r.firstSeen),
    r.lastEvent ?? '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
  return [line(header), ...body.map(line)].join('\n');
}

/** Simulated elapsed time as `1h02m03s`. */
export function clock(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return h > 0
    ? `${h}h${String(m).padStart(2, '0')}m${String(s).padStart(2, '0')}s`
    : `${m}m${String(s).padStart(2, '0')}s`;
}
