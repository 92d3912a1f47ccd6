/**
 * The live timeline of the local stack: one row per drop (drop seen, job created, status
 * changes, event put, elapsed simulated time). On a terminal it is a live region
 * (src/terminal/live-region.ts) that redraws in place and fits the width; otherwise it prints
 * one plain line per step, which reads well in CI logs.
 */
import { classifyObject, DEFAULT_DROP_RULES, type S3ObjectRef } from '../../src/drop';
import { slugify } from '../../src/job/job-name';
import { fitTable, type TableLayout } from '../../src/terminal/fit-table';
import { createLiveRegion, type LiveRegion } from '../../src/terminal/live-region';
import { shortEvent } from '../../src/text-format';
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

/** How the timeline draws. */
export interface TimelineOptions {
  /** The stack's clock (simulated epoch ms). */
  now: () => number;
  /** Where it draws. Default: a live region on stdout (redrawn in place when `tty`). */
  region?: LiveRegion;
  /** Without `region`: redraw in place. Default: whether stdout is a terminal. */
  tty?: boolean;
  /** Real ms between redraws of the elapsed times on a terminal; 0 redraws on activity only. Default 1000. */
  refreshMs?: number;
}

/** A running timeline. */
export interface Timeline {
  rows(): Row[];
  /** Ends the live view, leaving the final table on screen. */
  stop(): void;
}

/** Follows the activity log and renders it. */
export function startTimeline(activity: ActivityLog, options: TimelineOptions): Timeline {
  const region =
    options.region ??
    createLiveRegion({ stream: process.stdout, live: options.tty ?? Boolean(process.stdout.isTTY) });
  const rows: Row[] = [];
  // Plain lines carry the simulated time since the timeline began, so they read in order.
  const origin = options.now();
  /** The row of a drop, merging the one seen by key with the one seen by job name. */
  const rowFor = (a: { at: number }, jobName?: string, key?: string): Row => {
    const byJob = jobName ? rows.find((r) => r.jobName === jobName) : undefined;
    const byKey = key ? rows.find((r) => r.key === key && !r.jobName) : undefined;
    if (byJob && byKey && byJob !== byKey) {
      byJob.firstSeen = Math.min(byJob.firstSeen, byKey.firstSeen);
      byJob.steps.unshift(...byKey.steps);
      rows.splice(rows.indexOf(byKey), 1);
    }
    let row = byJob ?? byKey ?? (jobName && !key ? dropOfJob(jobName) : undefined);
    if (!row) {
      row = { key, jobName, firstSeen: a.at, status: 'DROPPED', steps: [] };
      rows.push(row);
    }
    row.key ??= key;
    row.jobName ??= jobName;
    return row;
  };

  // A job's first status arrives before the event that names both it and its drop: find the
  // drop by the job name's contract, `<slug of the model id>-<10 hex>` (src/job/job-name.ts).
  const dropOfJob = (jobName: string): Row | undefined =>
    rows.find((r) => {
      if (r.jobName || !r.key) return false;
      const drop = classifyObject({ bucket: '', key: r.key } as S3ObjectRef, DEFAULT_DROP_RULES);
      return drop.kind !== 'ignored' && new RegExp(`^${slugify(drop.modelId)}-[0-9a-f]{10}$`).test(jobName);
    });

  const step = (row: Row, a: { at: number }, text: string) => {
    row.steps.push(text);
    if (!region.live) region.print(`T+${clock(a.at - origin)}  ${label(row)}  ${text}`);
  };

  const frame = (columns: number) => render(rows, options.now(), columns);
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
        region.print(`!! a message reached the dead-letter queue ${a.queue} after ${a.count} receives`);
        break;
      case 'invocation':
        // The tracker polls by letting the check function throw JobStillRunning (docs/state-machine.md).
        if (!a.ok && !a.error?.startsWith('JobStillRunning'))
          region.print(`!! ${a.functionKey} failed: ${a.error}`);
        break;
      default:
        break;
    }
    if (rows.length > 0) region.show(frame);
  });
  // The elapsed column ticks between activities.
  const refreshMs = options.refreshMs ?? 1000;
  const ticker =
    region.live && refreshMs > 0
      ? setInterval(() => rows.length > 0 && region.show(frame), refreshMs).unref()
      : undefined;

  return {
    rows: () => rows,
    stop() {
      unsubscribe();
      clearInterval(ticker);
      region.finish(rows.length > 0 ? frame : []);
    },
  };
}

function label(row: Row): string {
  if (row.jobName && row.key) return `${row.jobName} (${row.key})`;
  return row.jobName ?? row.key ?? '?';
}

/**
 * The table for a terminal `columns` wide. Narrower terminals get, in turn: short event names
 * and drop keys without `models/` and the manifest's name; then no DROP column (the job
 * column shows the drop until its job is known). docs/local.md shows both at 80 columns.
 */
export function render(rows: Row[], now: number, columns: number): string[] {
  const elapsed = (r: Row) => clock((r.settledAt ?? now) - r.firstSeen);
  const wide: TableLayout = {
    headers: ['DROP', 'JOB', 'STATUS', 'ELAPSED', 'LAST EVENT'],
    rows: rows.map((r) => [r.key ?? '', r.jobName ?? '', r.status, elapsed(r), r.lastEvent ?? '']),
  };
  const short: TableLayout = {
    headers: wide.headers,
    rows: rows.map((r) => [
      shortKey(r.key),
      r.jobName ?? '',
      r.status,
      elapsed(r),
      r.lastEvent ? shortEvent(r.lastEvent) : '',
    ]),
  };
  const narrow: TableLayout = {
    headers: ['JOB (OR DROP)', 'STATUS', 'ELAPSED', 'LAST EVENT'],
    rows: rows.map((r) => [
      r.jobName ?? shortKey(r.key),
      r.status,
      elapsed(r),
      r.lastEvent ? shortEvent(r.lastEvent) : '',
    ]),
  };
  return fitTable([wide, short, narrow], columns);
}

/** `models/tiny-llm.tar.gz` → `tiny-llm.tar.gz`; `models/x/optimization.json` → `x/`. */
export const shortKey = (key: string | undefined): string =>
  (key ?? '').replace(/^models\//, '').replace(/[^/]+\.json$/, '');

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
