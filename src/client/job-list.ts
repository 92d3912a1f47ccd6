/**
 * Jobs with their status and duration: ListOptimizationJobs (newest first) joined with the
 * tracking state machine's ListExecutions by name (`<job>` and its continuations `<job>-c<n>`).
 */
import {
  ListOptimizationJobsCommand,
  type OptimizationJobStatus,
  type OptimizationJobSummary,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { type ExecutionListItem, ListExecutionsCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { TECHNIQUE_MEMBERS, TERMINAL_STATUSES } from '../sagemaker-api/limits';
import type { Now } from './target-clock';
import { describeDrops, groupJobs, type ListEntry, settleChains } from './variant-groups';

/** One row of `list`: a job summary joined with its latest tracking execution. */
export interface JobSummary {
  jobName: string;
  status: string;
  createdAt?: string;
  startedAt?: string;
  endedAt?: string;
  /** Creation to end, or to now while the job runs. */
  durationSeconds?: number;
  deploymentInstanceType?: string;
  techniques: string[];
  /** Status of the latest tracking execution; absent when tracking has not started. */
  tracking?: string;
  /** The last pipeline event, as far as the executions tell (`Started`, or the terminal one). */
  lastEvent?: string;
}

/** Clients, filters and size of a listing. */
export interface ListOptions {
  sageMaker: SageMakerClient;
  sfn: SFNClient;
  stateMachineArn: string;
  now: Now;
  since?: Date;
  status?: OptimizationJobStatus;
  /** At most this many jobs, newest first. */
  limit: number;
}

const TYPE_TO_TECHNIQUE: Record<string, string> = Object.fromEntries(
  Object.entries(TECHNIQUE_MEMBERS).map(([technique, member]) => [
    member.replace(/^Model|Config$/g, '').toLowerCase(),
    technique,
  ]),
);
const TERMINAL_EVENT: Record<string, string> = {
  COMPLETED: 'Model Optimization Completed',
  FAILED: 'Model Optimization Failed',
  STOPPED: 'Model Optimization Stopped',
};

/**
 * Lists jobs newest first, joined with their tracking executions; the variants of one drop
 * together in one entry (variant-groups.ts): one DescribeExecution more per drop with variants listed.
 */
export async function listEntries(options: ListOptions): Promise<ListEntry[]> {
  const { jobs, executions, oldest } = await listWithExecutions(options);
  const chains = settleChains(
    executions,
    oldest,
    jobs.map((j) => j.jobName),
  );
  if (chains.size === 0) return jobs;
  return groupJobs(jobs, await describeDrops(options.sfn, options.stateMachineArn, chains));
}

async function listWithExecutions(
  options: ListOptions,
): Promise<{ jobs: JobSummary[]; executions: ExecutionListItem[]; oldest?: Date }> {
  const jobs: OptimizationJobSummary[] = [];
  let token: string | undefined;
  do {
    const page = await options.sageMaker.send(
      new ListOptimizationJobsCommand({
        SortBy: 'CreationTime',
        SortOrder: 'Descending',
        MaxResults: Math.min(100, options.limit - jobs.length),
        ...(options.since && { CreationTimeAfter: options.since }),
        ...(options.status && { StatusEquals: options.status }),
        NextToken: token,
      }),
    );
    jobs.push(...(page.OptimizationJobSummaries ?? []));
    token = page.NextToken;
  } while (token && jobs.length < options.limit);

  const oldest = jobs.at(-1)?.CreationTime;
  const executions = oldest ? await executionsSince(options.sfn, options.stateMachineArn, oldest) : [];
  const latest = new Map<string, ExecutionListItem>();
  const names = new Set(jobs.map((j) => j.OptimizationJobName ?? ''));
  for (const e of executions) {
    const name = e.name ?? '';
    const job = names.has(name) ? name : name.replace(/-c\d+$/, '');
    if (!names.has(job)) continue;
    const seen = latest.get(job);
    if (!seen || (e.startDate?.getTime() ?? 0) > (seen.startDate?.getTime() ?? 0)) latest.set(job, e);
  }
  return {
    jobs: jobs.map((job) => summarize(job, latest.get(job.OptimizationJobName ?? ''), options.now)),
    executions,
    ...(oldest && { oldest }),
  };
}

/** Executions of the state machine started at or after `since` (ListExecutions is newest first). */
async function executionsSince(
  sfn: SFNClient,
  stateMachineArn: string,
  since: Date,
): Promise<ExecutionListItem[]> {
  const all: ExecutionListItem[] = [];
  let token: string | undefined;
  do {
    const page = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn, maxResults: 1000, nextToken: token }),
    );
    const items = page.executions ?? [];
    all.push(...items);
    token = page.nextToken;
    const last = items.at(-1)?.startDate;
    if (last && last.getTime() < since.getTime()) break;
  } while (token);
  return all;
}

function summarize(
  job: OptimizationJobSummary,
  execution: ExecutionListItem | undefined,
  now: Now,
): JobSummary {
  const status = job.OptimizationJobStatus ?? 'UNKNOWN';
  const over = (TERMINAL_STATUSES as readonly string[]).includes(status);
  const end = job.OptimizationEndTime ?? (over ? job.LastModifiedTime : now());
  const created = job.CreationTime;
  const lastEvent = !execution
    ? undefined
    : execution.status === 'RUNNING'
      ? 'Model Optimization Started'
      : execution.status === 'SUCCEEDED'
        ? (TERMINAL_EVENT[status] ?? 'Model Optimization Started')
        : `none (tracking ${execution.status})`;
  return {
    jobName: job.OptimizationJobName ?? '',
    status,
    ...(created && { createdAt: created.toISOString() }),
    ...(job.OptimizationStartTime && { startedAt: job.OptimizationStartTime.toISOString() }),
    ...(job.OptimizationEndTime && { endedAt: job.OptimizationEndTime.toISOString() }),
    ...(created &&
      end && { durationSeconds: Math.max(0, Math.round((end.getTime() - created.getTime()) / 1000)) }),
    ...(job.DeploymentInstanceType && { deploymentInstanceType: job.DeploymentInstanceType }),
    techniques: (job.OptimizationTypes ?? []).map(
      (t) => TYPE_TO_TECHNIQUE[t.replace(/^Model|Config$/g, '').toLowerCase()] ?? t,
    ),
    ...(execution?.status && { tracking: execution.status }),
    ...(lastEvent && { lastEvent }),
  };
}
