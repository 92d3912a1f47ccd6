/**
 * The local runner names service errors as Step Functions does (docs/state-machine.md, "Error
 * names"): per integration, a modeled error by its class, any other by the service's generic
 * class. Each case runs a one-Task definition against the local stack's emulators
 * (harness/local-aws.ts), over HTTP through the real SDK clients, the emulator answering the
 * call with the error injected as a request fault. Which errors a service models is checked against botocore's
 * models (test/fixtures/botocore/modeled-errors.json, scripts/extract-botocore-models.py).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalAws } from '../../harness/local-aws';
import { FAULT_ERRORS, type FaultError, type RequestFaults } from '../../local/protocol/request-faults';
import { runExecution } from '../../local/stepfunctions';
import { AWS_SDK_ERROR_NAMING } from '../../local/stepfunctions/error-naming';
import { virtualClock } from '../../local/time/clock';
import botocoreErrors from '../fixtures/botocore/modeled-errors.json';

const EXECUTION_ARN = 'arn:aws:states:us-east-1:000000000000:execution:error-names:run-1';
const STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:000000000000:stateMachine:other';

const clock = virtualClock(Date.parse('2026-05-01T12:00:00.000Z'));
let local: LocalAws;
beforeAll(async () => {
  local = await LocalAws.start({ clock, stateMachines: [], http: true });
});
afterAll(() => local.close());

/** Where each service's request faults are injected. */
const faultsOf = (service: 'sagemaker' | 'sfn' | 'events'): RequestFaults =>
  service === 'sagemaker'
    ? local.sagemaker.faults
    : service === 'sfn'
      ? local.stepFunctions.faults
      : local.bus.faults.requests;

/** The Error a one-Task execution of `resource` records when the service answers `__type`. */
async function errorNameOf(
  resource: string,
  parameters: Record<string, unknown>,
  [service, operation]: [service: 'sagemaker' | 'sfn' | 'events', operation: string],
  type: string,
): Promise<string | undefined> {
  faultsOf(service).inject({
    error: type,
    statusCode: FAULT_ERRORS[type as FaultError]?.statusCode ?? 400,
    message: `injected ${type}`,
    count: 1,
    operations: [operation],
  });
  const report = await runExecution({
    definition: {
      StartAt: 'Call',
      States: { Call: { Type: 'Task', Resource: resource, Parameters: parameters, End: true } },
    },
    input: {},
    context: { executionArn: EXECUTION_ARN },
    clients: local.clients,
    clock,
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
    expect(await errorNameOf(...stopJob, ['sagemaker', 'StopOptimizationJob'], type)).toBe(expected);
  });

  it.each([
    ['ExecutionAlreadyExists', 'Sfn.ExecutionAlreadyExistsException'],
    ['ThrottlingException', 'Sfn.SfnException'],
  ])('aws-sdk:sfn: %s → %s', async (type, expected) => {
    const resource = 'arn:aws:states:::aws-sdk:sfn:startExecution';
    const parameters = { StateMachineArn: STATE_MACHINE_ARN, Name: 'n' };
    expect(await errorNameOf(resource, parameters, ['sfn', 'StartExecution'], type)).toBe(expected);
  });

  it.each([
    ['ExecutionAlreadyExists', 'StepFunctions.ExecutionAlreadyExistsException'],
    ['ExecutionLimitExceeded', 'StepFunctions.ExecutionLimitExceededException'],
    ['ThrottlingException', 'StepFunctions.AWSStepFunctionsException'],
  ])('states:startExecution (optimized): %s → %s', async (type, expected) => {
    const resource = 'arn:aws:states:::states:startExecution';
    expect(await errorNameOf(resource, startExecution, ['sfn', 'StartExecution'], type)).toBe(expected);
  });

  it.each([
    ['InternalException', 'EventBridge.InternalException'],
    ['ThrottlingException', 'EventBridge.ThrottlingException'],
    ['InternalFailure', 'EventBridge.AmazonEventBridgeException'],
  ])('events:putEvents (optimized): %s → %s', async (type, expected) => {
    const resource = 'arn:aws:states:::events:putEvents';
    expect(await errorNameOf(resource, putEvents, ['events', 'PutEvents'], type)).toBe(expected);
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
