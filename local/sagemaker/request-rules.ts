/**
 * The emulator's requests: each is first validated against its input shape in the API model
 * (shape-validator.ts, all member constraints at once), then held to what the model cannot
 * express: CreateOptimizationJob's rules across members, which fail one at a time with a plain
 * message, and the list operations' defaults (the API reference's prose).
 */
import type { CreateOptimizationJobRequest } from '@aws-sdk/client-sagemaker';
import {
  LIST_MAX_RESULTS_DEFAULT,
  type LIST_SORT_BY,
  type OptimizationJobStatusName,
  type SORT_ORDERS,
} from '../../src/sagemaker-api/limits';
import { validationError } from '../protocol/aws-error';
import { inputShape, SAGEMAKER_MODEL } from './api-model';
import { type JsonObject, validateShape } from './shape-validator';

/** The request of `operation`, validated against the model, with only the members it defines. */
export const validateRequest = (operation: string, body: unknown): JsonObject =>
  validateShape(SAGEMAKER_MODEL, inputShape(operation), body);

/** Epoch milliseconds of a validated timestamp (epoch seconds), if there is one. */
const millis = (seconds: unknown): number | undefined =>
  typeof seconds === 'number' ? seconds * 1000 : undefined;

/** ModelSource is S3 or SageMakerModel, and each needs its one member; the model says neither. */
function checkModelSource(request: CreateOptimizationJobRequest): void {
  const source = request.ModelSource ?? {};
  if ((source.S3 === undefined) === (source.SageMakerModel === undefined)) {
    throw validationError('ModelSource must specify exactly one of S3 or SageMakerModel.');
  }
  if (source.S3 && source.S3.S3Uri === undefined) {
    throw validationError('ModelSource.S3.S3Uri must be specified when ModelSource.S3 is used.');
  }
  if (source.SageMakerModel && source.SageMakerModel.ModelName === undefined) {
    throw validationError(
      'ModelSource.SageMakerModel.ModelName must be specified when ModelSource.SageMakerModel is used.',
    );
  }
}

/**
 * Validates a CreateOptimizationJob request and returns it with only the members the API
 * defines. Throws `ValidationException` / `SerializationException` as AWS would.
 */
export function validateCreateRequest(body: unknown): CreateOptimizationJobRequest {
  const request = validateRequest('CreateOptimizationJob', body) as unknown as CreateOptimizationJobRequest;
  checkModelSource(request);
  return request;
}

/**
 * Validates the request of Describe/Stop/DeleteOptimizationJob and returns the job name. The
 * model gives the three the same input (a test holds them equal), so Describe's stands for all.
 */
export function validateJobNameRequest(body: unknown): string {
  return validateRequest('DescribeOptimizationJob', body).OptimizationJobName as string;
}

/** The validated form of a ListOptimizationJobs request (times in epoch ms). */
export interface ListQuery {
  nextToken?: string;
  maxResults: number;
  creationTimeAfter?: number;
  creationTimeBefore?: number;
  lastModifiedTimeAfter?: number;
  lastModifiedTimeBefore?: number;
  optimizationContains?: string;
  nameContains?: string;
  statusEquals?: OptimizationJobStatusName;
  sortBy: (typeof LIST_SORT_BY)[number];
  sortOrder: (typeof SORT_ORDERS)[number];
}

/** Drops the `undefined` members, so that a query holds only what was sent. */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** Validates a ListOptimizationJobs request and fills in its defaults. */
export function validateListRequest(body: unknown): ListQuery {
  const input = validateRequest('ListOptimizationJobs', body);
  return compact<ListQuery>({
    nextToken: input.NextToken as string | undefined,
    maxResults: (input.MaxResults as number | undefined) ?? LIST_MAX_RESULTS_DEFAULT,
    creationTimeAfter: millis(input.CreationTimeAfter),
    creationTimeBefore: millis(input.CreationTimeBefore),
    lastModifiedTimeAfter: millis(input.LastModifiedTimeAfter),
    lastModifiedTimeBefore: millis(input.LastModifiedTimeBefore),
    optimizationContains: input.OptimizationContains as string | undefined,
    nameContains: input.NameContains as string | undefined,
    statusEquals: input.StatusEquals as ListQuery['statusEquals'],
    sortBy: (input.SortBy as ListQuery['sortBy'] | undefined) ?? 'CreationTime',
    sortOrder: (input.SortOrder as ListQuery['sortOrder'] | undefined) ?? 'Ascending',
  });
}

/** Validates the `ModelName` of a DescribeModel request and returns it. */
export function validateModelNameRequest(body: unknown): string {
  return validateRequest('DescribeModel', body).ModelName as string;
}

/** The validated form of a ListModels request (times in epoch ms). */
export interface ListModelsQuery {
  nameContains?: string;
  creationTimeAfter?: number;
  creationTimeBefore?: number;
  sortBy: 'Name' | 'CreationTime';
  sortOrder: (typeof SORT_ORDERS)[number];
  maxResults: number;
  nextToken?: string;
}

/** Validates a ListModels request and fills in its defaults. */
export function validateListModelsRequest(body: unknown): ListModelsQuery {
  const input = validateRequest('ListModels', body);
  return {
    nameContains: input.NameContains as string | undefined,
    creationTimeAfter: millis(input.CreationTimeAfter),
    creationTimeBefore: millis(input.CreationTimeBefore),
    // The API reference: SortBy defaults to CreationTime, SortOrder to Descending.
    sortBy: (input.SortBy as ListModelsQuery['sortBy'] | undefined) ?? 'CreationTime',
    sortOrder: (input.SortOrder as ListModelsQuery['sortOrder'] | undefined) ?? 'Descending',
    maxResults: (input.MaxResults as number | undefined) ?? LIST_MAX_RESULTS_DEFAULT,
    nextToken: input.NextToken as string | undefined,
  };
}
