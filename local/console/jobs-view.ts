/**
 * The jobs table: one row per drop, folded from what the stack already records — the tracking
 * executions (their input names the job and the drop), the SageMaker statuses, the events on
 * the bus, and the trigger objects seen before any execution started. Pure: no I/O.
 */
import type { ExecutionRecord } from '../stepfunctions/service';
import type { JobRow, Outcome } from './api-types';
import { dropJobNameOf, jobNameOf, type LoggedEvent } from './events-log';

/** What a row is folded from. */
export interface JobSources {
  executions: readonly ExecutionRecord[];
  events: readonly LoggedEvent[];
  /** SageMaker status by job name. */
  statuses: ReadonlyMap<string, { status: string; failureReason?: string }>;
  /** Trigger objects seen (a `.tar.gz` or a manifest), with the stack-clock time. */
  drops: readonly { key: string; at: number }[];
}

interface TrackingInputView {
  jobName?: string;
  droppedAt?: string;
  model?: { key?: string };
  rejection?: { jobName?: string; model?: { key?: string } };
  /** A variant's tracking, and a settle execution: the drop's job name. */
  dropJobName?: string;
  variant?: string;
  /** A settle execution: the drop's variants. */
  variants?: { name?: string; jobName?: string }[];
}

/** What a Failed or an Upload Rejected event says about why. */
interface ReasonDetail {
  failureReason?: unknown;
  errors?: unknown[];
}

const isPathMessage = (e: unknown): e is { path: string; message: string } =>
  typeof (e as { path?: unknown })?.path === 'string' &&
  typeof (e as { message?: unknown })?.message === 'string';

const OUTCOME_BY_EVENT: Record<string, Outcome> = {
  'Model Optimization Completed': 'completed',
  'Model Optimization Failed': 'failed',
  'Model Optimization Stopped': 'stopped',
  'Model Upload Rejected': 'rejected',
  'Model Optimization Variants Settled': 'settled',
};

/**
 * The id of the row an execution belongs to: its job (continuations included), the drop's job
 * name for a settle execution (and its continuations), else its name.
 */
export function rowIdOf(execution: Pick<ExecutionRecord, 'name' | 'input'>): string {
  const input = parseInput(execution.input);
  const settle = Array.isArray(input.variants) ? input.dropJobName : undefined;
  return input.jobName ?? input.rejection?.jobName ?? settle ?? execution.name;
}

/** Rows, newest drop first. */
export function buildJobRows(sources: JobSources): JobRow[] {
  const rows = new Map<string, JobRow>();
  const byExecutions = new Map<string, ExecutionRecord[]>();
  for (const execution of sources.executions) {
    const id = rowIdOf(execution);
    byExecutions.set(id, [...(byExecutions.get(id) ?? []), execution]);
  }
  for (const [id, executions] of byExecutions) {
    executions.sort((a, b) => a.startDate - b.startDate);
    const first = executions[0] as ExecutionRecord;
    const latest = executions.at(-1) as ExecutionRecord;
    const input = parseInput(first.input);
    const droppedAt = input.droppedAt ? Date.parse(input.droppedAt) : Number.NaN;
    const current = latest.status === 'RUNNING' ? latest.history?.findLast((v) => !v.exitedAt) : undefined;
    const polls = executions.reduce(
      (n, e) =>
        n + (e.history ?? []).reduce((m, v) => m + (v.state === 'CheckJob' ? (v.retries ?? 0) : 0), 0),
      0,
    );
    const dropKey = input.model?.key ?? input.rejection?.model?.key;
    rows.set(id, {
      id,
      ...(dropKey && { dropKey }),
      ...((input.jobName ?? input.rejection?.jobName) && {
        jobName: input.jobName ?? input.rejection?.jobName,
      }),
      tracking: {
        status: latest.status,
        ...(current && { state: current.state }),
        executions: executions.length,
        polls,
      },
      startedAt: Number.isFinite(droppedAt) ? Math.min(droppedAt, first.startDate) : first.startDate,
      outcome: input.rejection ? 'rejected' : 'pending',
      ...(input.variant && input.dropJobName && { variant: input.variant, dropJobName: input.dropJobName }),
      ...(Array.isArray(input.variants) && {
        group: {
          variants: input.variants.flatMap((v) =>
            typeof v?.name === 'string' && typeof v.jobName === 'string'
              ? [{ name: v.name, jobName: v.jobName }]
              : [],
          ),
        },
      }),
    });
  }

  // A trigger object whose drop no execution names yet.
  const known = new Set([...rows.values()].map((r) => r.dropKey));
  for (const drop of sources.drops) {
    if (known.has(drop.key)) continue;
    known.add(drop.key);
    rows.set(drop.key, { id: drop.key, dropKey: drop.key, startedAt: drop.at, outcome: 'pending' });
  }

  for (const row of rows.values()) {
    const status = row.jobName ? sources.statuses.get(row.jobName) : undefined;
    if (status) {
      row.sageMakerStatus = status.status;
      if (status.failureReason) row.failureReason = status.failureReason;
    }
    if (!row.sageMakerStatus && row.outcome === 'rejected') row.sageMakerStatus = 'REJECTED';
  }

  for (const event of sources.events) {
    // Variants Settled names no job: it belongs to the drop's group row.
    const jobName = jobNameOf(event) ?? dropJobNameOf(event);
    const row = jobName ? rows.get(jobName) : undefined;
    if (!row) continue;
    row.lastEvent = event['detail-type'];
    const outcome = OUTCOME_BY_EVENT[event['detail-type']];
    if (outcome) {
      row.outcome = outcome;
      row.endedAt = Date.parse(event.time);
    }
    const { failureReason, errors } = event.detail as ReasonDetail;
    if (outcome === 'failed' && typeof failureReason === 'string') row.failureReason ??= failureReason;
    if (outcome === 'rejected' && Array.isArray(errors)) row.rejectionErrors = errors.filter(isPathMessage);
  }
  const sorted = [...rows.values()].sort((a, b) => b.startedAt - a.startedAt || a.id.localeCompare(b.id));
  return groupVariants(sorted);
}

/**
 * Moves each variant's row under its drop's group row, in manifest order. Until the settle
 * execution starts (a moment after the jobs) a variant's row stays where it is.
 */
export function groupVariants(rows: JobRow[]): JobRow[] {
  const byId = new Map(rows.map((r) => [r.id, r]));
  const grouped = new Set<string>();
  for (const row of rows) {
    for (const v of row.group?.variants ?? []) if (byId.has(v.jobName)) grouped.add(v.jobName);
  }
  return rows.flatMap((row) => {
    if (grouped.has(row.id)) return [];
    const members = (row.group?.variants ?? []).flatMap((v) => byId.get(v.jobName) ?? []);
    return [row, ...members];
  });
}

function parseInput(text: string): TrackingInputView {
  try {
    const parsed = JSON.parse(text) as TrackingInputView | null;
    return parsed && typeof parsed === 'object' ? parsed : {};
  } catch {
    return {};
  }
}
