import { type SageMakerClient, StopOptimizationJobCommand } from '@aws-sdk/client-sagemaker';
import { JobNotRunningError } from './errors';
import { describeOptimizationJob } from './job-view';

/** What `stop` did. */
export interface StopResult {
  jobName: string;
  /** The status before the stop. */
  previousStatus: string;
  /** False when the job was already STOPPING. */
  requested: boolean;
}

/**
 * Asks SageMaker to stop a running job. The tracking execution then sees STOPPED and puts
 * `Model Optimization Stopped` ("stopped outside the pipeline"). Throws JobNotFoundError for an
 * unknown job, {@link JobNotRunningError} for one that already ended.
 */
export async function stopJob(sageMaker: SageMakerClient, jobName: string): Promise<StopResult> {
  const job = await describeOptimizationJob(sageMaker, jobName);
  const status = job.OptimizationJobStatus ?? 'UNKNOWN';
  if (status === 'STOPPING') return { jobName, previousStatus: status, requested: false };
  if (status !== 'STARTING' && status !== 'INPROGRESS') throw new JobNotRunningError(jobName, status);
  try {
    await sageMaker.send(new StopOptimizationJobCommand({ OptimizationJobName: jobName }));
  } catch (error) {
    // It ended between the describe and the stop.
    if ((error as { name?: string }).name === 'ValidationException') {
      const now = await describeOptimizationJob(sageMaker, jobName);
      throw new JobNotRunningError(jobName, now.OptimizationJobStatus ?? 'UNKNOWN', { cause: error });
    }
    throw error;
  }
  return { jobName, previousStatus: status, requested: true };
}
