/**
 * SageMaker models, as an optimization job registers one (`OutputConfig.SageMakerModel`):
 * the record kept and persisted, and `DescribeModel` / `ListModels` over those records. The
 * emulator creates no model any other way (there is no CreateModel), since only jobs do here.
 */
import { createHash } from 'node:crypto';
import type {
  DescribeModelOutput,
  ListModelsOutput,
  ModelSummary,
  OptimizationJobOutputConfig,
} from '@aws-sdk/client-sagemaker';
import { validationError } from '../protocol/aws-error';
import type { ListModelsQuery } from './request-rules';

/** One model. Times are epoch milliseconds of simulated time. */
export interface ModelRecord {
  name: string;
  arn: string;
  creationTime: number;
  /** The inference image: the job's RecommendedInferenceImage. */
  image: string;
  /** The optimized model's S3 prefix: the job's S3OutputLocation. */
  modelDataUri: string;
  environment?: Record<string, string>;
  executionRoleArn?: string;
  /** The ARN of the job that registered it, so a job redone after a restart finds its own model. */
  createdBy: string;
}

/** AWS's answer for a model that does not exist: a ValidationException naming its ARN. */
export const modelNotFound = (arn: string) => validationError(`Could not find model "${arn}".`);

/** CreateModel's answer for a name that is taken, which a job meets when it registers its model. */
export const modelExists = (arn: string) => `Cannot create already existing model "${arn}".`;

/** The model a job registers on completion, from its request and its output. */
export function modelOfJob(
  job: { arn: string; roleArn?: string; environment?: Record<string, string> },
  output: OptimizationJobOutputConfig,
  image: string,
  modelArn: string,
  at: number,
): ModelRecord | undefined {
  const name = output.SageMakerModel?.ModelName;
  if (!name || !output.S3OutputLocation) return undefined;
  return {
    name,
    arn: modelArn,
    creationTime: at,
    image,
    // Uncompressed model data is a prefix, which CreateModel wants ending with a slash.
    modelDataUri: output.S3OutputLocation.endsWith('/')
      ? output.S3OutputLocation
      : `${output.S3OutputLocation}/`,
    ...(job.environment && Object.keys(job.environment).length > 0 && { environment: job.environment }),
    ...(job.roleArn && { executionRoleArn: job.roleArn }),
    createdBy: job.arn,
  };
}

/** The DescribeModel response for a model. */
export function describeModel(model: ModelRecord): DescribeModelOutput {
  return {
    ModelName: model.name,
    ModelArn: model.arn,
    CreationTime: new Date(model.creationTime),
    PrimaryContainer: {
      Image: model.image,
      Mode: 'SingleModel',
      ModelDataSource: {
        S3DataSource: { S3Uri: model.modelDataUri, S3DataType: 'S3Prefix', CompressionType: 'None' },
      },
      ...(model.environment && { Environment: model.environment }),
    },
    ...(model.executionRoleArn && { ExecutionRoleArn: model.executionRoleArn }),
    EnableNetworkIsolation: false,
  };
}

type SortKey = [primary: number | string, name: string];

const compare = (a: number | string, b: number | string) => (a < b ? -1 : a > b ? 1 : 0);

function fingerprint(query: ListModelsQuery): string {
  const { nextToken: _token, maxResults: _max, ...rest } = query;
  return createHash('sha256').update(JSON.stringify(rest)).digest('base64url').slice(0, 16);
}

const INVALID_TOKEN = 'The NextToken is invalid or was issued for a different request.';

/** One page of ListModels over `models`; the NextToken is the sort key of the last model returned. */
export function listModels(models: Iterable<ModelRecord>, query: ListModelsQuery): ListModelsOutput {
  const keyOf = (m: ModelRecord): SortKey => [
    query.sortBy === 'Name' ? m.name.toLowerCase() : m.creationTime,
    m.name.toLowerCase(),
  ];
  const order = (a: SortKey, b: SortKey) => {
    const result = compare(a[0], b[0]) || compare(a[1], b[1]);
    return query.sortOrder === 'Descending' ? -result : result;
  };
  let after: SortKey | undefined;
  if (query.nextToken !== undefined) {
    try {
      const cursor = JSON.parse(Buffer.from(query.nextToken, 'base64url').toString('utf8')) as {
        q: string;
        k: SortKey;
      };
      if (cursor.q !== fingerprint(query) || !Array.isArray(cursor.k)) throw new Error('stale');
      after = cursor.k;
    } catch {
      throw validationError(INVALID_TOKEN);
    }
  }
  const contains = query.nameContains?.toLowerCase();
  const matching = [...models]
    .filter(
      (m) =>
        (contains === undefined || m.name.toLowerCase().includes(contains)) &&
        (query.creationTimeAfter === undefined || m.creationTime > query.creationTimeAfter) &&
        (query.creationTimeBefore === undefined || m.creationTime < query.creationTimeBefore),
    )
    .map((m) => ({ m, key: keyOf(m) }))
    .filter(({ key }) => after === undefined || order(key, after) > 0)
    .sort((a, b) => order(a.key, b.key));
  const page = matching.slice(0, query.maxResults);
  const last = page.at(-1);
  const summaries: ModelSummary[] = page.map(({ m }) => ({
    ModelName: m.name,
    ModelArn: m.arn,
    CreationTime: new Date(m.creationTime),
  }));
  return {
    Models: summaries,
    ...(matching.length > page.length &&
      last && {
        NextToken: Buffer.from(JSON.stringify({ q: fingerprint(query), k: last.key })).toString('base64url'),
      }),
  };
}
