/**
 * Follows a drop with variants: its settle chain (`<drop's job name>-variants`, whose input
 * names the variants and whose end is the one `Model Optimization Variants Settled`) and every
 * variant's job, polled as `watch` polls one job (follow-job.ts), until the drop is settled.
 */
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { JobNotFoundError } from './errors';
import { sleep } from './follow-job';
import { describeOptimizationJob, type JobView, viewJob } from './job-view';
import type { Now } from './target-clock';
import { type Outcome, readTracking, type Tracking } from './tracking';

/** The name of a drop's settle execution (src/job/job-name.ts, settleExecutionName). */
export const settleNameOf = (dropJobName: string): string => `${dropJobName}-variants`;

/** One variant of a followed drop. */
export interface VariantProgress {
  name: string;
  jobName: string;
  deploymentInstanceType?: string;
  /** The last view of its job; absent until the job is found. */
  view?: JobView;
  /** How it ended: the Settled event's row once put, else its job's outcome. */
  outcome?: Outcome;
}

/** Where a followed drop is. */
export interface DropProgress {
  dropJobName: string;
  modelId?: string;
  /** Set once the settle chain has put Variants Settled. */
  settled: boolean;
  variants: VariantProgress[];
  /** The Variants Settled event's detail, once put. */
  settledDetail?: Record<string, unknown>;
}

/** How a followed drop ended, or why that is unknown. */
export interface DropFollowResult {
  /** The worst outcome of its variants (see {@link worstOutcome}), or Unknown. */
  outcome: Outcome;
  progress: DropProgress;
  /** Why the outcome is `Unknown`. */
  reason?: string;
}

export interface DropFollowOptions {
  sageMaker: SageMakerClient;
  sfn: SFNClient;
  stateMachineArn: string;
  dropJobName: string;
  now: Now;
  intervalMs: number;
  timeoutMs?: number;
  onUpdate?: (progress: DropProgress) => void;
  signal?: AbortSignal;
  /** When the wait began (Date.now()), for the timeout; default: when followDrop is called. */
  startedAt?: number;
}

/** Worst first: a drop's outcome when its variants ended differently (`watch` exits with it, docs/cli.md). */
const SEVERITY: Outcome[] = ['Unknown', 'Rejected', 'Failed', 'Stopped', 'Completed'];

/** The worst of the outcomes: Unknown, then Failed, then Stopped, then Completed. */
export function worstOutcome(outcomes: (Outcome | undefined)[]): Outcome {
  if (outcomes.length === 0) return 'Unknown';
  const rank = (o: Outcome | undefined) => (o === undefined ? 0 : SEVERITY.indexOf(o));
  return outcomes.reduce<Outcome>(
    (worst, o) => (rank(o) < rank(worst) ? (o ?? 'Unknown') : worst),
    'Completed',
  );
}

const SETTLED_OUTCOMES: Record<string, Outcome> = {
  COMPLETED: 'Completed',
  FAILED: 'Failed',
  STOPPED: 'Stopped',
};

/** What `watch <name>` follows: a job, a drop with variants, or (not there yet) nothing. */
export type WatchTarget = 'job' | 'drop' | 'none';

/**
 * Whether `name` is a job or a drop with variants, waiting up to `appearTimeoutMs` for either
 * to appear: a drop becomes jobs a moment after it is sent. A drop's own job name names no job.
 */
export async function findWatchTarget(options: {
  sageMaker: SageMakerClient;
  sfn: SFNClient;
  stateMachineArn: string;
  name: string;
  appearTimeoutMs: number;
  /** `--timeout`: waiting for either to appear stops there too. */
  timeoutMs?: number;
  intervalMs: number;
  onWaiting?: () => void;
  signal?: AbortSignal;
}): Promise<WatchTarget> {
  const started = Date.now();
  const limit = Math.min(options.appearTimeoutMs, options.timeoutMs ?? Number.POSITIVE_INFINITY);
  for (;;) {
    const settle = await readTracking(options.sfn, options.stateMachineArn, settleNameOf(options.name));
    if (settle.executions.length > 0) return 'drop';
    try {
      await describeOptimizationJob(options.sageMaker, options.name);
      return 'job';
    } catch (error) {
      if (!(error instanceof JobNotFoundError)) throw error;
    }
    if (Date.now() - started >= limit || options.signal?.aborted) return 'none';
    options.onWaiting?.();
    await sleep(options.intervalMs, options.signal);
  }
}

/** Polls the drop until it is settled, its settle chain fails, the timeout passes or `signal` aborts. */
export async function followDrop(options: DropFollowOptions): Promise<DropFollowResult> {
  const started = options.startedAt ?? Date.now();
  for (;;) {
    const settle = await readTracking(
      options.sfn,
      options.stateMachineArn,
      settleNameOf(options.dropJobName),
    );
    const progress = await progressOf(options, settle);
    options.onUpdate?.(progress);
    const outcomes = progress.variants.map((v) => v.outcome);
    if (progress.settled) return { outcome: worstOutcome(outcomes), progress };
    if (settle.state !== 'RUNNING' && settle.state !== 'NOT_STARTED') {
      return {
        outcome: 'Unknown',
        progress,
        reason: `the settle execution ${settle.executions.at(-1)?.name} ended ${settle.state} without Variants Settled`,
      };
    }
    if (options.timeoutMs !== undefined && Date.now() - started >= options.timeoutMs) {
      return {
        outcome: 'Unknown',
        progress,
        reason: `gave up after ${Math.round(options.timeoutMs / 1000)} s (--timeout); the drop is not settled`,
      };
    }
    if (options.signal?.aborted) return { outcome: 'Unknown', progress, reason: 'interrupted' };
    await sleep(options.intervalMs, options.signal);
  }
}

async function progressOf(options: DropFollowOptions, settle: Tracking): Promise<DropProgress> {
  const detail = settle.event?.detail as
    | { variants?: { name?: string; status?: string }[]; [field: string]: unknown }
    | undefined;
  const settledStatus = new Map((detail?.variants ?? []).map((v) => [v.name, v.status ?? '']));
  const variants = await Promise.all(
    (settle.input?.variants ?? []).map(async (v): Promise<VariantProgress> => {
      const view = await viewJob(options, options.stateMachineArn, v.jobName, options.now).catch((error) => {
        if (error instanceof JobNotFoundError) return undefined;
        throw error;
      });
      const outcome = SETTLED_OUTCOMES[settledStatus.get(v.name) ?? ''] ?? view?.outcome;
      return {
        name: v.name,
        jobName: v.jobName,
        ...(v.deploymentInstanceType && { deploymentInstanceType: v.deploymentInstanceType }),
        ...(view && { view }),
        ...(outcome && { outcome }),
      };
    }),
  );
  return {
    dropJobName: options.dropJobName,
    ...(settle.input?.model?.modelId && { modelId: settle.input.model.modelId }),
    settled: settle.state === 'PUBLISHED',
    variants,
    ...(detail && { settledDetail: detail }),
  };
}
