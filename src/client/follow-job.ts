/**
 * Follows one job to its end by polling DescribeOptimizationJob and the tracking executions:
 * the same calls on AWS and on the local stack (SageMaker emits no events for optimization
 * jobs, and reading the pipeline's bus would need a rule and a queue of one's own).
 */
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { JobNotFoundError } from './errors';
import { type JobView, viewJob } from './job-view';
import type { Now } from './target-clock';
import type { Outcome } from './tracking';

/** The job to follow, the clients to poll it with, and how often and how long. */
export interface FollowOptions {
  sageMaker: SageMakerClient;
  sfn: SFNClient;
  stateMachineArn: string;
  jobName: string;
  now: Now;
  /** Real milliseconds between polls. */
  intervalMs: number;
  /** How long (real ms) to wait for the job to appear: a drop takes a moment to become a job, and a rejected one never does. */
  appearTimeoutMs: number;
  /** Give up after this long (real ms) with outcome `Unknown`. Default: never. */
  timeoutMs?: number;
  /** Called after every poll that found the job. */
  onUpdate?: (view: JobView) => void;
  /** Called on each poll while the job does not exist yet. */
  onWaiting?: () => void;
  signal?: AbortSignal;
  /** When the wait began (Date.now()), for both timeouts; default: when followJob is called. */
  startedAt?: number;
}

/** How a followed job ended, or why that is unknown. */
export interface FollowResult {
  outcome: Outcome;
  /** The last view; absent when the job never appeared. */
  view?: JobView;
  /** Why the outcome is `Unknown`. */
  reason?: string;
}

/** Polls until the job's outcome is known, the job fails to appear, the timeout passes or `signal` aborts. */
export async function followJob(options: FollowOptions): Promise<FollowResult> {
  const started = options.startedAt ?? Date.now();
  let view: JobView | undefined;
  for (;;) {
    try {
      view = await viewJob(options, options.stateMachineArn, options.jobName, options.now);
      options.onUpdate?.(view);
      if (view.outcome) return { outcome: view.outcome, view };
    } catch (error) {
      if (!(error instanceof JobNotFoundError) || view) throw error;
      if (Date.now() - started >= options.appearTimeoutMs) {
        return {
          outcome: 'Unknown',
          reason: `no job named ${options.jobName} appeared within ${Math.round(options.appearTimeoutMs / 1000)} s: the drop may have been rejected (Model Upload Rejected on the bus) or not notified; \`model-opt list\` shows the jobs`,
        };
      }
      options.onWaiting?.();
    }
    if (options.timeoutMs !== undefined && Date.now() - started >= options.timeoutMs) {
      return {
        outcome: 'Unknown',
        ...(view && { view }),
        reason: `gave up after ${Math.round(options.timeoutMs / 1000)} s (--timeout); the job is ${view?.status ?? 'not there yet'}`,
      };
    }
    if (options.signal?.aborted) {
      return { outcome: 'Unknown', ...(view && { view }), reason: 'interrupted' };
    }
    await sleep(options.intervalMs, options.signal);
  }
}

/** Waits `ms`, or less when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
