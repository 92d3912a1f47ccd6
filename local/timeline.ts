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
  // Plain lines carry the simulated time since the timeline began, so they read in order.
  const origin = options.now();
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  /** The row of a drop, merging the one seen by key with the one seen by job name. */
  const rowFor = (a: { at: number }, jobName?: string, key?: string): Row => {
    const byJob = jobName ? rows.find((r) => r.jobName === jobName) : undefined;
    const byKey = key ? rows.find((r) => r.key === key && !r.jobName) : undefined;
    if (byJob && byKey && byJob !== byKey) {
      byJob.firstSeen = Math.min(byJob.firstSeen, byKey.firstSeen);
      byJob.steps.unshift(...byKey.steps);
      rows.splice(rows.indexOf(byKey), 1);
    }
    let row = byJob ?? byKey;
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
    if (!options.tty) write(`T+${clock(a.at - origin)}  ${label(row)}  ${text}`);
  };

  const unsubscribe = activity.on((a: Activity) => {
    switch (a.kind) {
      case 'object-created':
        step(rowFor(a, undefined, a.key), a, 'drop seen');
        break;
      case 'job-status': {
        const row = rowFor(a, a.jobName);
        row.status = a.status;
        const text = a.failureReason ? `${a.status}: ${a.failureReason}` : a.status;
        step(row, a, a.peakRss ? `${text} (stack peak RSS ${Math.round(a.peakRss / 2 ** 20)} MiB)` : text);
        break;
      }
      case 'execution': {
        const jobName = a.name.replace(/-c\d+$/, '');
        const row = rows.find((r) => r.jobName === jobName);
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
        // The tracker polls by letting the check function throw JobStillRunning (docs/state-machine.md).
        if (!a.ok && !a.error?.startsWith('JobStillRunning')) write(`!! ${a.functionKey} failed: ${a.error}`);
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
  if (row.jobName && row.key) return `${row.jobName} (${row.key})`;
  return row.jobName ?? row.key ?? '?';
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
