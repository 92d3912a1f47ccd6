import { describe, expect, it } from 'vitest';
import { executionArnFor, stateMachineArnOf } from '../../src/execution-arn';

const MACHINE = 'arn:aws:states:eu-west-1:123456789012:stateMachine:model-optimization-pipeline-dev-track';

describe('execution ARNs', () => {
  it('names an execution as Step Functions does', () => {
    expect(executionArnFor(MACHINE, 'tiny-llm-0123456789-c1')).toBe(
      'arn:aws:states:eu-west-1:123456789012:execution:model-optimization-pipeline-dev-track:tiny-llm-0123456789-c1',
    );
  });

  it('finds the state machine of an execution', () => {
    expect(stateMachineArnOf(executionArnFor(MACHINE, 'tiny-llm-0123456789'))).toBe(MACHINE);
  });
});
