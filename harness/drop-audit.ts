/**
 * The fault suite's bookkeeping: wait until a scenario's drops have settled, then count what
 * the guarantees forbid. A drop is lost without its terminal event (or without its Started),
 * duplicated with two of either; a job is orphaned when it belongs to no good drop, is not
 * tracked by an execution named after it, or is left running.
 */
import {
  type ListOptimizationJobsCommandOutput,
  paginateListOptimizationJobs,
} from '@aws-sdk/client-sagemaker';
import {
  DescribeExecutionCommand,
  type ExecutionListItem,
  paginateListExecutions,
} from '@aws-sdk/client-sfn';
import { eventsOf, TERMINAL } from './bus-events';
import type { Drop } from './model-drops';
import type { Target } from './stack-target';

const STARTED = 'Model Optimization Started';
const REJECTED = 'Model Upload Rejected';
const FINAL = [...TERMINAL, REJECTED];
const JOB_TERMINAL = new Set(['COMPLETED', 'FAILED', 'STOPPED']);

/** One row of the fault table. */
export interface AuditRow {
  fault: string;
  drops: number;
  lost: number;
  duplicated: number;
  orphaned: number;
  /** Events the scenario's drops put on the bus. */
  events: number;
  /** What went wrong, one line each, for the assertion message. */
  problems: string[];
}

/**
 * Resolves once every drop has a final event, the upload queue is empty and no execution of
 * the scenario runs; or after `timeoutMs` (real), leaving the audit to say what is missing.
 */
export async function settle(
  target: Target,
  drops: Drop[],
  prefix: string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const events = target.events();
    const arrived = drops.every((d) => eventsOf(events, d.jobName).some((type) => FINAL.includes(type)));
    if (arrived && (await quiet(target, prefix))) return;
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

/** Whether any queue but a dead-letter queue holds a message, visible or in flight. */
export function pipelineQueuesBusy(queues: Record<string, { total: number }>): boolean {
  return Object.entries(queues).some(([name, q]) => !/DeadLetter/.test(name) && q.total > 0);
}

async function quiet(target: Target, prefix: string): Promise<boolean> {
  if (pipelineQueuesBusy(await target.queues())) return false;
  return (await executions(target, prefix)).every((e) => e.status !== 'RUNNING');
}

/** Counts the scenario's losses, duplicates and orphans. */
export async function audit(target: Target, fault: string, drops: Drop[], prefix: string): Promise<AuditRow> {
  const events = target.events();
  const problems: string[] = [];
  let lost = 0;
  let duplicated = 0;
  let eventCount = 0;
  for (const drop of drops) {
    const types = eventsOf(events, drop.jobName);
    eventCount += types.length;
    const count = (type: string) => types.filter((t) => t === type).length;
    const finals = types.filter((t) => FINAL.includes(t));
    const want = drop.expect === 'Rejected' ? REJECTED : `Model Optimization ${drop.expect}`;
    const label = `${drop.jobName} (${drop.expect})`;
    if (
      finals.length === 0 ||
      (drop.expect !== 'Rejected' && count(STARTED) === 0 && finals[0] !== REJECTED)
    ) {
      lost += 1;
      problems.push(`${label} lost: got [${types.join(', ')}]`);
    } else if (
      finals.length > 1 ||
      count(STARTED) > 1 ||
      (drop.expect === 'Rejected' && count(STARTED) > 0)
    ) {
      duplicated += 1;
      problems.push(`${label} duplicated: got [${types.join(', ')}]`);
    } else if (finals[0] !== want) {
      const final = events.find((e) => e.detail.jobName === drop.jobName && e['detail-type'] === finals[0]);
      const why = final?.detail.failureReason ?? JSON.stringify(final?.detail.errors ?? '');
      problems.push(`${label} ended in ${finals[0]}: ${why}`);
    }
  }

  const goodJobs = new Set(drops.filter((d) => d.expect !== 'Rejected').map((d) => d.jobName));
  const chains = await executions(target, prefix);
  let orphaned = 0;
  for (const job of await jobs(target, prefix)) {
    const name = job.OptimizationJobName ?? '';
    const chain = chains.filter((e) => e.name === name || e.name?.startsWith(`${name}-c`));
    const why = !goodJobs.has(name)
      ? 'belongs to no good drop'
      : !chain.some((e) => e.name === name)
        ? 'has no tracking execution'
        : !JOB_TERMINAL.has(job.OptimizationJobStatus ?? '')
          ? `is left ${job.OptimizationJobStatus}`
          : undefined;
    if (why) {
      orphaned += 1;
      problems.push(`job ${name} ${why}`);
    }
  }
  // Tracking chains and rejection executions alike must have ended well.
  for (const e of chains.filter((x) => x.status !== 'SUCCEEDED')) {
    const { error, cause } = await target.sfn.send(
      new DescribeExecutionCommand({ executionArn: e.executionArn }),
    );
    problems.push(
      `execution ${e.name} is ${e.status}${error ? `: ${error} ${cause?.slice(0, 300) ?? ''}` : ''}`,
    );
  }
  // Every DLQ: the upload queue's, and notify-on-outcome's.
  for (const [name, queue] of Object.entries(await target.queues())) {
    if (/DeadLetter/.test(name) && queue.total) problems.push(`${queue.total} message(s) in ${name}`);
  }
  return { fault, drops: drops.length, lost, duplicated, orphaned, events: eventCount, problems };
}

async function jobs(target: Target, prefix: string) {
  const all: NonNullable<ListOptimizationJobsCommandOutput['OptimizationJobSummaries']> = [];
  for await (const page of paginateListOptimizationJobs(
    { client: target.sageMaker },
    { NameContains: prefix },
  )) {
    all.push(...(page.OptimizationJobSummaries ?? []));
  }
  return all;
}

async function executions(target: Target, prefix: string): Promise<ExecutionListItem[]> {
  const all: ExecutionListItem[] = [];
  for await (const page of paginateListExecutions(
    { client: target.sfn },
    { stateMachineArn: target.stateMachineArn },
  )) {
    all.push(...(page.executions ?? []).filter((e) => e.name?.startsWith(prefix)));
  }
  return all;
}

/** The fault table as printed at the end of the suite. */
export function formatTable(rows: AuditRow[]): string {
  const header = ['fault', 'drops', 'lost', 'duplicated', 'orphaned', 'events'];
  const cells = rows.map((r) => [
    r.fault,
    String(r.drops),
    String(r.lost),
    String(r.duplicated),
    String(r.orphaned),
    String(r.events),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]?.length ?? 0)));
  const line = (c: string[]) =>
    `| ${c.map((v, i) => (i === 0 ? v.padEnd(widths[i] ?? 0) : v.padStart(widths[i] ?? 0))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(header), rule, ...cells.map(line)].join('\n');
}
