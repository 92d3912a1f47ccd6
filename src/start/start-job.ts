/**
 * The two idempotent steps of starting a job. A redelivered drop reaches both again: an
 * existing job (ResourceInUse) or execution (same name) means "already started".
 */
import {
  CreateOptimizationJobCommand,
  type CreateOptimizationJobCommandInput,
  DescribeOptimizationJobCommand,
  ResourceInUse,
  ResourceLimitExceeded,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { ExecutionAlreadyExists, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { QuotaFullError } from '../errors';
import { executionArnFor } from '../execution-arn';

/** Creates the job, or finds the one a previous delivery created. */
export async function createJobOnce(
  sageMaker: SageMakerClient,
  request: CreateOptimizationJobCommandInput,
): Promise<{ jobArn: string; created: boolean }> {
  try {
    const { OptimizationJobArn } = await sageMaker.send(new CreateOptimizationJobCommand(request));
    return { jobArn: requireValue(OptimizationJobArn, 'OptimizationJobArn'), created: true };
  } catch (error) {
    if (error instanceof ResourceLimitExceeded) {
      throw new QuotaFullError(`concurrent optimization-job quota is full: ${error.message}`, {
        cause: error,
      });
    }
    if (!(error instanceof ResourceInUse)) throw error;
  }
  const existing = await sageMaker.send(
    new DescribeOptimizationJobCommand({ OptimizationJobName: request.OptimizationJobName }),
  );
  return { jobArn: requireValue(existing.OptimizationJobArn, 'OptimizationJobArn'), created: false };
}

/**
 * Starts the tracking execution named after the job. Step Functions returns the existing
 * execution for the same name and input; a different input under the same name
 * (ExecutionAlreadyExists) also means tracking already runs.
 */
export async function startTrackingOnce(
  sfn: SFNClient,
  stateMachineArn: string,
  name: string,
  input: object,
): Promise<{ executionArn: string; alreadyExisted: boolean }> {
  try {
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }),
    );
    return { executionArn: requireValue(executionArn, 'executionArn'), alreadyExisted: false };
  } catch (error) {
    if (!(error instanceof ExecutionAlreadyExists)) throw error;
    return { executionArn: executionArnFor(stateMachineArn, name), alreadyExisted: true };
  }
}

function requireValue<T>(value: T | undefined, field: string): T {
  if (value === undefined) throw new TypeError(`response has no ${field}`);
  return value;
}
