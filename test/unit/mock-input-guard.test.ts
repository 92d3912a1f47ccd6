import { DescribeOptimizationJobCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';

const sageMaker = mockClient(SageMakerClient);

describe('aws-sdk-client-mock inputs (test/support/mock-input-guard.ts, installed by test/setup.ts)', () => {
  it('refuses a vitest asymmetric matcher anywhere in a stub or filter input, naming where', () => {
    const input = { OptimizationJobName: expect.stringMatching(/^job-/) };
    expect(() => sageMaker.on(DescribeOptimizationJobCommand, input)).toThrow(
      /on\(\) got a vitest asymmetric matcher at input\.OptimizationJobName/,
    );
    expect(() => sageMaker.onAnyCommand({ Nested: [{ Deep: expect.anything() }] })).toThrow(
      /input\.Nested\[0\]\.Deep/,
    );
    expect(() => sageMaker.commandCalls(DescribeOptimizationJobCommand, input)).toThrow(/commandCalls\(\)/);
  });

  it('keeps plain inputs working', async () => {
    sageMaker.reset();
    sageMaker.on(DescribeOptimizationJobCommand, { OptimizationJobName: 'job-1' }).resolves({});
    await new SageMakerClient({}).send(new DescribeOptimizationJobCommand({ OptimizationJobName: 'job-1' }));
    expect(
      sageMaker.commandCalls(DescribeOptimizationJobCommand, { OptimizationJobName: 'job-1' }),
    ).toHaveLength(1);
  });
});
