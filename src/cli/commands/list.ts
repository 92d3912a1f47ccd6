import type { OptimizationJobStatus } from '@aws-sdk/client-sagemaker';
import { Command, InvalidArgumentError } from 'commander';
import { listEntries } from '../../client/job-list';
import { OPTIMIZATION_JOB_STATUSES } from '../../sagemaker-api/limits';
import { parseSince } from '../format';
import { entryRows, JOB_TABLE_HEADERS } from '../render';
import { runCommand } from '../run-command';
import { positiveInteger } from './options';

interface ListOptions {
  status?: OptimizationJobStatus;
  since?: string;
  limit: number;
}

/** `--status`: a SageMaker status, case-insensitive, `in-progress`/`running` for INPROGRESS. */
function jobStatus(value: string): OptimizationJobStatus {
  const normalized = value.toUpperCase().replace(/[-_ ]/g, '');
  const status = normalized === 'RUNNING' ? 'INPROGRESS' : normalized;
  if (!(OPTIMIZATION_JOB_STATUSES as readonly string[]).includes(status)) {
    throw new InvalidArgumentError(`expected one of ${OPTIMIZATION_JOB_STATUSES.join(', ').toLowerCase()}`);
  }
  return status as OptimizationJobStatus;
}

/** `model-opt list`: jobs with status and duration, newest first. */
export function listCommand(): Command {
  return new Command('list')
    .description(
      'list jobs with status and duration, newest first (SageMaker jobs joined with tracking executions); the variants of one drop as one group',
    )
    .option(
      '--status <status>',
      'only jobs in this status: starting, inprogress, completed, failed, stopping, stopped',
      jobStatus,
    )
    .option('--since <when>', 'only jobs created since: a duration back (30m, 6h, 7d) or an ISO date-time')
    .option('--limit <n>', 'at most this many jobs', positiveInteger, 50)
    .action(async (options: ListOptions, command: Command) =>
      runCommand(command, async ({ clients, discovery, now, out }) => {
        const since = options.since ? parseSince(options.since, now()) : undefined;
        const jobs = await listEntries({
          sageMaker: clients.sageMaker,
          sfn: clients.sfn,
          stateMachineArn: await discovery.stateMachineArn(),
          now,
          limit: options.limit,
          ...(since && { since }),
          ...(options.status && { status: options.status }),
        });
        out.result(jobs, () => {
          if (jobs.length === 0) out.line('no jobs');
          else out.rows(JOB_TABLE_HEADERS, entryRows(jobs));
        });
        return 0;
      }),
    );
}
