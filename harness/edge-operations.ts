/**
 * Every operation the local stack's edge serves, with its request shape where AWS defines one:
 * the JSON and query protocols' input shapes are the AWS SDK's own schemas (the structures its
 * serializers use), read through @smithy/core's NormalizedSchema. S3 and the admin API are
 * listed by route. The fuzzer (./request-fuzzer.ts) generates requests from these.
 */

import { DescribeEventBus$, ListEventBuses$, PutEvents$ } from '@aws-sdk/client-eventbridge';
import {
  CreateOptimizationJob$,
  DeleteOptimizationJob$,
  DescribeOptimizationJob$,
  ListOptimizationJobs$,
  StopOptimizationJob$,
} from '@aws-sdk/client-sagemaker';
import {
  DescribeExecution$,
  DescribeStateMachine$,
  ListExecutions$,
  ListStateMachines$,
  StartExecution$,
  StopExecution$,
} from '@aws-sdk/client-sfn';
import { ListTopics$, Publish$ } from '@aws-sdk/client-sns';
import {
  ChangeMessageVisibility$,
  DeleteMessage$,
  GetQueueAttributes$,
  GetQueueUrl$,
  ListQueues$,
  PurgeQueue$,
  ReceiveMessage$,
  SendMessage$,
  StartMessageMoveTask$,
} from '@aws-sdk/client-sqs';
import { NormalizedSchema } from '@smithy/core/schema';
import { ADMIN_ROUTES, type AdminRouteName } from '../local/admin/admin-routes';

/** An awsJson operation: `POST /` with `x-amz-target: <prefix>.<name>`. */
export interface JsonOperation {
  protocol: 'json';
  service: 'sagemaker' | 'stepfunctions' | 'eventbridge' | 'sqs';
  name: string;
  targetPrefix: string;
  contentType: string;
  input: NormalizedSchema;
}

/** A query-protocol operation (SNS): `POST /` with a form body. */
export interface QueryOperation {
  protocol: 'query';
  service: 'sns';
  name: string;
  input: NormalizedSchema;
}

export const S3_OPERATIONS = [
  'ListBuckets',
  'HeadBucket',
  'ListObjects',
  'ListObjectsV2',
  'PutObject',
  'PutObjectAwsChunked',
  'GetObject',
  'HeadObject',
  'DeleteObject',
  'CopyObject',
  'CreateMultipartUpload',
  'UploadPart',
  'CompleteMultipartUpload',
  'DeleteObjects',
  'PostObject',
] as const;

export interface S3Operation {
  protocol: 's3';
  service: 's3';
  name: (typeof S3_OPERATIONS)[number];
}

/**
 * The admin routes the fuzzer sends to: every route of the stack's own table, and one it does
 * not have. The two DELETE routes are left out: they take no body to refuse, so a fuzzed request
 * would clear the faults and the request log that the rest of a suite injects and reads.
 */
export const FUZZED_ADMIN_ROUTES = [
  ...(Object.keys(ADMIN_ROUTES) as AdminRouteName[]).filter((route) => !route.startsWith('DELETE ')),
  'GET /_local/unknown',
] as const;

export interface AdminOperation {
  protocol: 'admin';
  service: 'admin';
  name: (typeof FUZZED_ADMIN_ROUTES)[number];
}

export type Operation = JsonOperation | QueryOperation | S3Operation | AdminOperation;

type OperationSchema = readonly unknown[];

const json = (
  service: JsonOperation['service'],
  targetPrefix: string,
  contentType: string,
  operations: Record<string, OperationSchema>,
): JsonOperation[] =>
  Object.entries(operations).map(([name, schema]) => ({
    protocol: 'json',
    service,
    name,
    targetPrefix,
    contentType,
    // An operation schema is [9, namespace, name, traits, input, output].
    input: NormalizedSchema.of(schema[4] as never),
  }));

/** Every operation the edge serves. */
export const OPERATIONS: Operation[] = [
  ...json('sagemaker', 'SageMaker', 'application/x-amz-json-1.1', {
    CreateOptimizationJob: CreateOptimizationJob$,
    DescribeOptimizationJob: DescribeOptimizationJob$,
    ListOptimizationJobs: ListOptimizationJobs$,
    StopOptimizationJob: StopOptimizationJob$,
    DeleteOptimizationJob: DeleteOptimizationJob$,
  }),
  ...json('stepfunctions', 'AWSStepFunctions', 'application/x-amz-json-1.0', {
    StartExecution: StartExecution$,
    DescribeExecution: DescribeExecution$,
    ListExecutions: ListExecutions$,
    StopExecution: StopExecution$,
    ListStateMachines: ListStateMachines$,
    DescribeStateMachine: DescribeStateMachine$,
  }),
  ...json('eventbridge', 'AWSEvents', 'application/x-amz-json-1.1', {
    PutEvents: PutEvents$,
    ListEventBuses: ListEventBuses$,
    DescribeEventBus: DescribeEventBus$,
  }),
  ...json('sqs', 'AmazonSQS', 'application/x-amz-json-1.0', {
    SendMessage: SendMessage$,
    ReceiveMessage: ReceiveMessage$,
    DeleteMessage: DeleteMessage$,
    ChangeMessageVisibility: ChangeMessageVisibility$,
    GetQueueUrl: GetQueueUrl$,
    ListQueues: ListQueues$,
    GetQueueAttributes: GetQueueAttributes$,
    PurgeQueue: PurgeQueue$,
    StartMessageMoveTask: StartMessageMoveTask$,
  }),
  ...Object.entries({ Publish: Publish$, ListTopics: ListTopics$ }).map(
    ([name, schema]): QueryOperation => ({
      protocol: 'query',
      service: 'sns',
      name,
      input: NormalizedSchema.of((schema as OperationSchema)[4] as never),
    }),
  ),
  ...S3_OPERATIONS.map((name): S3Operation => ({ protocol: 's3', service: 's3', name })),
  ...FUZZED_ADMIN_ROUTES.map((name): AdminOperation => ({ protocol: 'admin', service: 'admin', name })),
];

/** The members a structure requires (the SDK's schemas list them first and count them). */
export function requiredMembers(schema: NormalizedSchema): number {
  const raw = schema.getSchema() as unknown;
  return Array.isArray(raw) && typeof raw[6] === 'number' ? raw[6] : 0;
}
