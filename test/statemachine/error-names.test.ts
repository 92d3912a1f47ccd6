/**
 * The local runner names service errors as Step Functions does (docs/state-machine.md, "Error
 * names"): per integration, a modeled error by its class, any other by the service's generic
 * class. Each case runs a one-Task definition against a FakeAws answering with the error, over
 * HTTP through the real SDK clients. Which errors a service models is checked against botocore's
 * models (test/fixtures/botocore/modeled-errors.json, scripts/extract-botocore-models.py).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeAws } from '../../harness/fake-aws';
import { type AwsClients, localClients, runExecution } from '../../local/stepfunctions';
import { AWS_SDK_ERROR_NAMING } from '../../local/stepfunctions/error-naming';
import { virtualClock } from '../../local/time/clock';
import botocoreErrors from '../fixtures/botocore/modeled-errors.json';

const EXECUTION_ARN = 'arn:aws:states:us-east-1:000000000000:execution:error-names:run-1';
const STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:000000000000:stateMachine:other';

let fake: FakeAws;
let clients: AwsClients;
let close: () => Promise<void>;
beforeAll(async () => {
  fake = new FakeAws(() => new Date());
  const server = await fake.listen();
  close = server.close;
  clients = localClients({ endpoint: server.endpoint, maxAttempts: 1 });
});
afterAll(() => close());

/** The Error a one-Task execution of `resource` records when the service answers `__type`. */
async function errorNameOf(
  resource: string,
  parameters: Record<string, unknown>,
  target: string,
  type: string,
): Promise<string | undefined> {
  fake.inject(target, { status: 400, type, message: `injected ${type}` });
  const report = await runExecution({
    definition: {
      StartAt: 'Call',
      States: { Call: { Type: 'Task', Resource: resource, Parameters: parameters, End: true } },
    },
    input: {},
    context: { executionArn: EXECUTION_ARN },
    clients,
    clock: virtualClock(Date.parse('2026-05-01T12:00:00.000Z')),
  });
  expect(report.status).toBe('FAILED');
  expect(report.error?.Cause).toContain(`Error Code: ${type}`);
  return report.error?.Error;
}

const stopJob = [
  'arn:aws:states:::aws-sdk:sagemaker:stopOptimizationJob',
  { OptimizationJobName: 'j' },
] as const;
const startExecution = { StateMachineArn: STATE_MACHINE_ARN, Name: 'n', Input: {} };
const putEvents = { Entries: [{ Source: 's', DetailType: 'd', Detail: {} }] };

describe('Step Functions error names in the local runner', () => {
  it.each([
    ['ResourceNotFound', 'SageMaker.ResourceNotFoundException'],
    ['ResourceInUse', 'SageMaker.ResourceInUseException'],
    ['ConflictException', 'SageMaker.ConflictException'],
    ['ValidationException', 'SageMaker.SageMakerException'],
    ['ThrottlingException', 'SageMaker.SageMakerException'],
    ['InternalFailure', 'SageMaker.SageMakerException'],
  ])('aws-sdk:sagemaker: %s → %s', async (type, expected) => {
    expect(await errorNameOf(...stopJob, 'SageMaker.StopOptimizationJob', type)).toBe(expected);
  });

  it.each([
    ['ExecutionAlreadyExists', 'Sfn.ExecutionAlreadyExistsException'],
    ['ThrottlingException', 'Sfn.SfnException'],
  ])('aws-sdk:sfn: %s → %s', async (type, expected) => {
    const resource = 'arn:aws:states:::aws-sdk:sfn:startExecution';
    const parameters = { StateMachineArn: STATE_MACHINE_ARN, Name: 'n' };
    expect(await errorNameOf(resource, parameters, 'AWSStepFunctions.StartExecution', type)).toBe(expected);
  });

  it.each([
    ['ExecutionAlreadyExists', 'StepFunctions.ExecutionAlreadyExistsException'],
    ['ExecutionLimitExceeded', 'StepFunctions.ExecutionLimitExceededException'],
    ['ThrottlingException', 'StepFunctions.AWSStepFunctionsException'],
  ])('states:startExecution (optimized): %s → %s', async (type, expected) => {
    const resource = 'arn:aws:states:::states:startExecution';
    expect(await errorNameOf(resource, startExecution, 'AWSStepFunctions.StartExecution', type)).toBe(
      expected,
    );
  });

  it.each([
    ['InternalException', 'EventBridge.InternalException'],
    ['ThrottlingException', 'EventBridge.ThrottlingException'],
    ['InternalFailure', 'EventBridge.AmazonEventBridgeException'],
  ])('events:putEvents (optimized): %s → %s', async (type, expected) => {
    const resource = 'arn:aws:states:::events:putEvents';
    expect(await errorNameOf(resource, putEvents, 'AWSEvents.PutEvents', type)).toBe(expected);
  });

  it('takes "modeled" from the SDK, which models exactly the errors botocore’s models do', () => {
    const botocoreName = { sagemaker: 'sagemaker', eventbridge: 'events', sfn: 'stepfunctions' } as const;
    for (const [service, naming] of Object.entries(AWS_SDK_ERROR_NAMING)) {
      const base = Object.values(naming.sdkModule).find(
        (value): value is new (...args: never[]) => Error =>
          typeof value === 'function' && /ServiceException$/.test(value.name),
      );
      const modeled = Object.entries(naming.sdkModule)
        .filter(([, value]) => typeof value === 'function' && base && value.prototype instanceof base)
        .map(([name]) => name)
        .sort();
      const botocore = botocoreErrors.services[botocoreName[service as keyof typeof botocoreName]];
      expect(modeled, service).toEqual(botocore.errors);
    }
  });
});
