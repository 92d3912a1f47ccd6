import 'aws-sdk-client-mock-vitest/extend';
import { forbidAsymmetricMatchersInMockInputs } from './support/mock-input-guard';

// aws-sdk-client-mock matches inputs with sinon, blind to expect.stringMatching() and the like.
forbidAsymmetricMatchersInMockInputs();

// Lambda-like environment for handler tests. Endpoints are never real AWS.
process.env.AWS_REGION ??= 'us-east-1';
process.env.AWS_ACCESS_KEY_ID ??= 'test';
process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
process.env.AWS_EC2_METADATA_DISABLED = 'true';
process.env.POWERTOOLS_DEV ??= 'true';
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.POWERTOOLS_TRACE_ENABLED ??= 'false';

// The start-optimization function's environment, as serverless.yml sets it.
process.env.STAGE ??= 'test';
process.env.EVENT_BUS_NAME ??= 'model-optimization-pipeline-test';
process.env.STATE_MACHINE_ARN ??=
  'arn:aws:states:us-east-1:000000000000:stateMachine:model-optimization-pipeline-test-track';
process.env.SAGEMAKER_ROLE_ARN ??=
  'arn:aws:iam::000000000000:role/model-optimization-pipeline-test-sagemaker';
process.env.OUTPUT_KMS_KEY_ID ??= 'alias/model-optimization-pipeline-test';

// The notify-on-outcome function's environment.
process.env.NOTIFY_TOPIC_ARN ??=
  'arn:aws:sns:us-east-1:000000000000:model-optimization-pipeline-test-notifications';

process.env.TRACKING_CHECK_FUNCTION_NAME ??= 'model-optimization-pipeline-test-checkOptimizationJob';
