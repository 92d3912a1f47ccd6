import { Command } from 'commander';
import { exitCodeOf, followJob } from '../follow-job';
import { parseSince } from '../format';
import { type JobSummary, listJobs } from '../job-list';
import { liveView } from '../live';
import {
  JOB_TABLE_DROP_ORDER,
  JOB_TABLE_HEADERS,
  jobIdentity,
  jobLine,
  jobRows,
  jobTable,
  outcomeLine,
  summaryIdentity,
} from '../render';
import { runCommand } from '../run-command';
import type { Session } from '../session';
import { positiveInteger, seconds } from './options';

interface WatchOptions {
  interval?: number;
  timeout?: number;
  appearTimeout: number;
  since: string;
  untilDone?: boolean;
  limit: number;
}

const ACTIVE = new Set(['STARTING', 'INPROGRESS', 'STOPPING']);

/** `model-opt watch [job]`: follow one job to its terminal event, or a live view of recent jobs. */
export function watchCommand(): Command {
  return new Command('watch')
    .description(
      'follow a job to its terminal event (exit 0 Completed, 1 Failed, 2 Stopped, 3 Rejected/unknown), or watch recent jobs',
    )
    .argument('[job]', 'job name (as `drop` prints it); without it, a live view of recent jobs')
    .option(
      '--interval <seconds>',
      'seconds between polls (default: 1 on the local stack, 5 on AWS)',
      seconds,
    )
    .option('--timeout <seconds>', 'give up after this long (exit 3)', seconds)
    .option('--appear-timeout <seconds>', 'how long a job may take to appear after its drop', seconds, 120)
    .option('--since <when>', 'without a job: jobs created since (30m, 6h, 7d, or a date)', '1h')
    .option('--until-done', 'without a job: exit once no job is running')
    .option('--limit <n>', 'without a job: at most this many jobs', positiveInteger, 20)
    .action(async (job: string | undefined, options: WatchOptions, command: Command) =>
      runCommand(command, (session) => (job ? watchOne(session, job, options) : watchAll(session, options))),
    );
}

const intervalMs = (session: Session, options: WatchOptions) =>
  (options.interval ?? (session.target.local ? 1 : 5)) * 1000;

/**
 * Ctrl-C ends the watch cleanly: the last state is still reported. The handler stays until
 * disposed, so a Ctrl-C that arrives twice (relayed by npm) cannot kill the process meanwhile.
 */
function interruptible(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const abort = () => controller.abort();
  process.on('SIGINT', abort);
  return { signal: controller.signal, dispose: () => process.off('SIGINT', abort) };
}

async function watchOne(session: Session, jobName: string, options: WatchOptions): Promise<number> {
  const { out } = session;
  const live = liveView(out);
  const interrupt = interruptible();
  let waitingShown = false;
  const result = await followJob({
    sageMaker: session.clients.sageMaker,
    sfn: session.clients.sfn,
    stateMachineArn: await session.discovery.stateMachineArn(),
    jobName,
    now: session.now,
    intervalMs: intervalMs(session, options),
    appearTimeoutMs: options.appearTimeout * 1000,
    ...(options.timeout !== undefined && { timeoutMs: options.timeout * 1000 }),
    signal: interrupt.signal,
    onUpdate: (view) => live.show([jobLine(view)], [jobIdentity(view)]),
    onWaiting: () => {
      if (!waitingShown) live.show([`${jobName}  waiting for the job to appear…`]);
      waitingShown = true;
    },
  }).finally(() => {
    live.done();
    interrupt.dispose();
  });
  const exitCode = exitCodeOf(result.outcome);
  out.result(
    {
      jobName,
      outcome: result.outcome,
      exitCode,
      ...(result.reason && { reason: result.reason }),
      ...(result.view && { job: result.view }),
    },
    () => out.line(result.view && !result.reason ? outcomeLine(result.view) : `${jobName}: ${result.reason}`),
  );
  return exitCode;
}

async function watchAll(session: Session, options: WatchOptions): Promise<number> {
  const { out } = session;
  const live = liveView(out);
  const interrupt = interruptible();
  const stateMachineArn = await session.discovery.stateMachineArn();
  const since = parseSince(options.since, session.now());
  let jobs: JobSummary[] = [];
  try {
    for (;;) {
      jobs = await listJobs({
        sageMaker: session.clients.sageMaker,
        sfn: session.clients.sfn,
        stateMachineArn,
        now: session.now,
        since,
        limit: options.limit,
      });
      live.show(
        jobs.length === 0
          ? [`no jobs since ${since.toISOString()}; waiting…`]
          : out.errTty
            ? (columns) => jobTable(jobs, columns)
            : jobRows(jobs).map((row) => row.join('  ')),
        out.errTty || jobs.length === 0 ? undefined : jobs.map(summaryIdentity),
      );
      const running = jobs.some((j) => ACTIVE.has(j.status) || j.tracking === 'RUNNING');
      if ((options.untilDone && !running) || interrupt.signal.aborted) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, intervalMs(session, options));
        interrupt.signal.addEventListener('abort', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  } finally {
    live.clear();
    interrupt.dispose();
  }
  out.result({ since: since.toISOString(), jobs }, () => {
    if (jobs.length === 0) out.line(`no jobs since ${since.toISOString()}`);
    else out.rows(JOB_TABLE_HEADERS, jobRows(jobs), { dropOrder: JOB_TABLE_DROP_ORDER });
  });
  return 0;
}
