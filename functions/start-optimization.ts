/**
 * SQS (S3 ObjectCreated notifications) → SageMaker optimization job + tracking execution.
 * Partial batch responses: only failed records are redelivered.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { SQSBatchResponse as PartialItemFailureResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { s3 } from '../src/aws/s3';
import { sageMaker } from '../src/aws/sagemaker';
import { sfn } from '../src/aws/sfn';
import { sqs } from '../src/aws/sqs';
import { loadConfig } from '../src/config';
import { now } from '../src/function-clock';
import { logger, metrics, publishMetricsIfAny, tracer } from '../src/observability';
import { handleUploadRecord, type RecordDeps } from '../src/start/handle-record';

const deps: RecordDeps = {
  config: loadConfig(),
  s3: tracer.captureAWSv3Client(s3),
  sageMaker: tracer.captureAWSv3Client(sageMaker),
  sfn: tracer.captureAWSv3Client(sfn),
  sqs: tracer.captureAWSv3Client(sqs),
  now,
  logger,
  metrics,
};
const processor = new BatchProcessor(EventType.SQS);

export const handler = middy<SQSEvent, PartialItemFailureResponse>()
  .use(captureLambdaHandler(tracer))
  .use(injectLambdaContext(logger))
  .use(publishMetricsIfAny(metrics))
  .handler(async (event, context) =>
    processPartialResponse(event, (record: SQSRecord) => handleUploadRecord(record, deps), processor, {
      context,
      throwOnFullBatchFailure: false,
    }),
  );
