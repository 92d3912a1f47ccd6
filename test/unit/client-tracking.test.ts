import {
  DescribeExecutionCommand,
  ExecutionDoesNotExist,
  type ExecutionStatus,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { readTracking } from '../../src/client/tracking';
import { executionArnFor } from '../../src/execution-arn';

const sfn = new SFNClient({ region: 'us-east-1' });
const mock = mockClient(sfn);
const MACHINE = 'arn:aws:states:us-east-1:000000000000:stateMachine:model-optimization-pipeline-dev-track';
const JOB = 'llama-3-8b-2f8b855e06';
const input = { jobName: JOB, model: { key: 'models/llama-3-8b.tar.gz', modelId: 'llama-3-8b' } };

const execution = (name: string, status: ExecutionStatus, output?: unknown) => ({
  executionArn: executionArnFor(MACHINE, name),
  stateMachineArn: MACHINE,
  name,
  status,
  startDate: new Date('2026-11-20T10:00:00Z'),
  input: JSON.stringify(name === JOB ? input : { ...input, continuation: { index: 1 } }),
  ...(output !== undefined && { output: JSON.stringify(output), stopDate: new Date('2026-11-20T11:00:00Z') }),
});
const missing = () => new ExecutionDoesNotExist({ message: 'Execution Does Not Exist', $metadata: {} });

describe('readTracking: the execution named after the job and its continuations', () => {
  beforeEach(() => mock.reset());

  it('follows the continuations to the execution that put the terminal event', async () => {
    mock
      .on(DescribeExecutionCommand, { executionArn: executionArnFor(MACHINE, JOB) })
      .resolves(
        execution(JOB, 'SUCCEEDED', {
          ...input,
          check: { Payload: { action: 'continue', name: `${JOB}-c1` } },
        }),
      )
      .on(DescribeExecutionCommand, { executionArn: executionArnFor(MACHINE, `${JOB}-c1`) })
      .resolves(
        execution(`${JOB}-c1`, 'SUCCEEDED', {
          action: 'publish',
          detailType: 'Model Optimization Failed',
          detail: { failureReason: 'ClientError: out of memory' },
        }),
      );

    const tracking = await readTracking(sfn, MACHINE, JOB);

    expect(tracking.executions.map((e) => e.name)).toEqual([JOB, `${JOB}-c1`]);
    expect(tracking.state).toBe('PUBLISHED');
    expect(tracking.event).toMatchObject({
      outcome: 'Failed',
      detail: { failureReason: 'ClientError: out of memory' },
    });
    expect(tracking.input?.model?.modelId).toBe('llama-3-8b');
  });

  it('is RUNNING while the latest continuation runs', async () => {
    mock
      .on(DescribeExecutionCommand, { executionArn: executionArnFor(MACHINE, JOB) })
      .resolves(
        execution(JOB, 'SUCCEEDED', {
          ...input,
          check: { Payload: { action: 'continue', name: `${JOB}-c1` } },
        }),
      )
      .on(DescribeExecutionCommand, { executionArn: executionArnFor(MACHINE, `${JOB}-c1`) })
      .resolves(execution(`${JOB}-c1`, 'RUNNING'));

    const tracking = await readTracking(sfn, MACHINE, JOB);

    expect(tracking.state).toBe('RUNNING');
    expect(tracking.event).toBeUndefined();
  });

  it('reports a chain that failed without an event, and one that has not started', async () => {
    mock.on(DescribeExecutionCommand).resolves(execution(JOB, 'FAILED'));
    expect((await readTracking(sfn, MACHINE, JOB)).state).toBe('FAILED');

    mock.reset();
    mock.on(DescribeExecutionCommand).rejects(missing());
    expect(await readTracking(sfn, MACHINE, JOB)).toEqual({ executions: [], state: 'NOT_STARTED' });
  });
});
