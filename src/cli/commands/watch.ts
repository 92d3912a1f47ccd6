import { Command } from 'commander';
import { findWatchTarget, followDrop, type WatchTarget } from '../../client/follow-drop';
import { followJob } from '../../client/follow-job';
import { type JobSummary, listEntries } from '../../client/job-list';
import { isDropGroup, type ListEntry } from '../../client/variant-groups';
import { exitCodeOf } from '../errors';
import { parseSince } from '../format';
import { type LiveView, liveView } from '../live';
import {
  dropIdentities,
  dropLines,
  dropVerdict,
  entryIdentities,
  entryRows,
  JOB_TABLE_DROP_ORDER,
  JOB_TABLE_HEADERS,
  jobIdentity,
  jobLine,
  jobTable,
  outcomeLine,
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
const isRunning = (job: JobSummary) => ACTIVE.has(job.status) || job.tracking === 'RUNNING';

/** `model-opt watch [job]`: follow one job to its terminal event, or a live view of recent jobs. */
export function watchCommand(): Command {
  return new Command('watch')
    .description(
      'follow a job to its terminal event (exit 0 Completed, 1 Failed, 2 Stopped, 3 Rejected/unknown), a drop with variants until it is settled (exit code of its worst variant), or watch recent jobs',
    )
    .argument(
      '[job]',
      "job name, or a drop's job name (as `drop` prints them); without it, a live view of recent jobs",
    )
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
  const onWaiting = () => {
    if (!waitingShown) live.show([`${jobName}  waiting for the job to appear…`]);
    waitingShown = true;
  };
  const stateMachineArn = await session.discovery.stateMachineArn();
  const appearStarted = Date.now();
  let target: WatchTarget;
  try {
    target = await findWatchTarget({
      sageMaker: session.clients.sageMaker,
      sfn: session.clients.sfn,
      stateMachineArn,
      name: jobName,
      appearTimeoutMs: options.appearTimeout * 1000,
      ...(options.timeout !== undefined && { timeoutMs: options.timeout * 1000 }),
      intervalMs: intervalMs(session, options),
      signal: interrupt.signal,
      onWaiting,
    });
  } catch (error) {
    live.done();
    interrupt.dispose();
    throw error;
  }
  if (target === 'drop') return watchDrop(session, jobName, options, live, interrupt, appearStarted);
  const result = await followJob({
    sageMaker: session.clients.sageMaker,
    sfn: session.clients.sfn,
    stateMachineArn,
    jobName,
    now: session.now,
    intervalMs: intervalMs(session, options),
    // Whatever findWatchTarget waited counts: a job that never appears is waited for once.
    startedAt: appearStarted,
    appearTimeoutMs: options.appearTimeout * 1000,
    ...(options.timeout !== undefined && { timeoutMs: options.timeout * 1000 }),
    signal: interrupt.signal,
    onUpdate: (view) => live.show([jobLine(view)], [jobIdentity(view)]),
    onWaiting,
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

/**
 * `watch <drop's job name>` of a drop with variants: one live line per variant until the drop
 * is settled; the exit code is the worst variant's (follow-drop.ts, worstOutcome).
 */
async function watchDrop(
  session: Session,
  dropJobName: string,
  options: WatchOptions,
  live: LiveView,
  interrupt: { signal: AbortSignal; dispose(): void },
  startedAt: number,
): Promise<number> {
  const { out } = session;
  const result = await followDrop({
    startedAt,
    sageMaker: session.clients.sageMaker,
    sfn: session.clients.sfn,
    stateMachineArn: await session.discovery.stateMachineArn(),
    dropJobName,
    now: session.now,
    intervalMs: intervalMs(session, options),
    ...(options.timeout !== undefined && { timeoutMs: options.timeout * 1000 }),
    signal: interrupt.signal,
    onUpdate: (progress) => live.show(dropLines(progress), dropIdentities(progress)),
  }).finally(() => {
    live.done();
    interrupt.dispose();
  });
  const exitCode = exitCodeOf(result.outcome);
  const { progress } = result;
  out.result(
    {
      jobName: dropJobName,
      dropJobName,
      ...(progress.modelId && { modelId: progress.modelId }),
      outcome: result.outcome,
      exitCode,
      settled: progress.settled,
      ...(result.reason && { reason: result.reason }),
      variants: progress.variants.map((v) => ({
        variant: v.name,
        jobName: v.jobName,
        ...(v.deploymentInstanceType && { deploymentInstanceType: v.deploymentInstanceType }),
        ...(v.outcome && { outcome: v.outcome }),
        ...(v.view && { job: v.view }),
      })),
      ...(progress.settledDetail && { settledEvent: progress.settledDetail }),
    },
    () => {
      for (const v of progress.variants) {
        out.line(`${v.name}: ${v.view ? outcomeLine(v.view) : `${v.jobName}: no such job`}`);
      }
      out.line(dropVerdict(progress, result.outcome, result.reason));
    },
  );
  return exitCode;
}

async function watchAll(session: Session, options: WatchOptions): Promise<number> {
  const { out } = session;
  const live = liveView(out);
  const interrupt = interruptible();
  const stateMachineArn = await session.discovery.stateMachineArn();
  const since = parseSince(options.since, session.now());
  let jobs: ListEntry[] = [];
  try {
    for (;;) {
      jobs = await listEntries({
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
            : entryRows(jobs).map((row) => row.join('  ')),
        out.errTty || jobs.length === 0 ? undefined : entryIdentities(jobs),
      );
      const running = jobs.some((entry) =>
        isDropGroup(entry) ? entry.settle === 'waiting' || entry.variants.some(isRunning) : isRunning(entry),
      );
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
    else out.rows(JOB_TABLE_HEADERS, entryRows(jobs), { dropOrder: JOB_TABLE_DROP_ORDER });
  });
  return 0;
}
