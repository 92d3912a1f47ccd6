/**
 * How each service integration the runner supports names its service's errors: which prefix,
 * which generic class for errors the API does not model (docs/state-machine.md, "Error names",
 * gives the sources). The SDK v3 client modules tell which errors are modeled.
 */
import * as eventBridgeSdk from '@aws-sdk/client-eventbridge';
import * as sageMakerSdk from '@aws-sdk/client-sagemaker';
import * as sfnSdk from '@aws-sdk/client-sfn';
import type { ServiceErrorNaming } from './task-error';

/**
 * `arn:aws:states:::aws-sdk:<service>:<action>`, by the service's name in that ARN: the names
 * of the AWS SDK for Java 2.x (`SageMakerClient` → `SageMaker.…`, generic `SageMakerException`;
 * `SfnClient` → `Sfn.…`).
 */
export const AWS_SDK_ERROR_NAMING = {
  sagemaker: { prefix: 'SageMaker', generic: 'SageMakerException', sdkModule: sageMakerSdk },
  eventbridge: { prefix: 'EventBridge', generic: 'EventBridgeException', sdkModule: eventBridgeSdk },
  sfn: { prefix: 'Sfn', generic: 'SfnException', sdkModule: sfnSdk },
} as const satisfies Record<string, ServiceErrorNaming>;

/**
 * `arn:aws:states:::events:putEvents` (optimized). Besides `EventBridge.FailedEntry` (a 200
 * answer with failed entries), its service errors take the AWS SDK for Java 1.x names, as the
 * optimized Lambda and SageMaker integrations' documented generic names do
 * (`Lambda.AWSLambdaException`, `SageMaker.AmazonSageMakerException`). AWS documents no generic
 * name for this integration: `AmazonEventBridgeException` is that rule applied, not observed.
 */
export const PUT_EVENTS_ERROR_NAMING: ServiceErrorNaming = {
  prefix: 'EventBridge',
  generic: 'AmazonEventBridgeException',
  sdkModule: eventBridgeSdk,
};

/**
 * `arn:aws:states:::states:startExecution` (optimized): `StepFunctions.<Name>Exception` for
 * modeled errors (`StepFunctions.ExecutionAlreadyExistsException`, documented). The generic
 * `AWSStepFunctionsException` is the Java 1.x rule applied, as for putEvents.
 */
export const START_EXECUTION_ERROR_NAMING: ServiceErrorNaming = {
  prefix: 'StepFunctions',
  generic: 'AWSStepFunctionsException',
  sdkModule: sfnSdk,
};
