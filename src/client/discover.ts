/**
 * Finds a stage's pipeline resources without CloudFormation when names allow it: the bucket by
 * name prefix (ListBuckets), the state machine by its fixed name (ListStateMachines), the queues
 * by name (ListQueues): `<stack>-UploadQueue` as the template names it, and the DLQ by the name
 * CloudFormation generates, `<stack>-UploadDeadLetterQueue-<suffix>`. On AWS,
 * when a name search finds nothing or several (an existing bucket, a truncated generated name),
 * the stack's outputs decide (DescribeStacks). The local stack serves no CloudFormation.
 */
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { ListStateMachinesCommand } from '@aws-sdk/client-sfn';
import { GetQueueAttributesCommand, ListQueuesCommand } from '@aws-sdk/client-sqs';
import { ResourceNotFoundError } from './errors';
import { findModelsBuckets, modelsBucketPrefix } from './find-bucket';
import { type Clients, stackName, type Target } from './target';

/** The stage's upload queue and its dead-letter queue. */
export interface PipelineQueues {
  uploadQueueUrl: string;
  deadLetterQueueUrl: string;
}

/** Lazily found, memoized resources of one stage. */
export interface Discovery {
  bucket(): Promise<string>;
  stateMachineArn(): Promise<string>;
  queues(): Promise<PipelineQueues>;
  queueArn(queueUrl: string): Promise<string>;
}

/** The state machine's name in serverless.yml (`custom.stateMachineName`). */
export const stateMachineName = (stage: string): string => `model-optimization-pipeline-${stage}-track`;

type Outputs = Record<string, string>;

/** Resource discovery for the target's stage. `explicitBucket` (--bucket) skips the bucket search. */
export function discover(clients: Clients, target: Target, explicitBucket?: string): Discovery {
  const { stage } = target;
  const memo = <T>(find: () => Promise<T>) => {
    let found: Promise<T> | undefined;
    return () => {
      found ??= find();
      return found;
    };
  };

  const outputs = memo(async (): Promise<Outputs | undefined> => {
    if (target.local) return undefined;
    try {
      const { Stacks = [] } = await clients.cloudFormation.send(
        new DescribeStacksCommand({ StackName: stackName(stage) }),
      );
      return Object.fromEntries(
        (Stacks[0]?.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']),
      );
    } catch (error) {
      // No such stack, or no permission to read it: the name search's message says enough.
      if ((error as { name?: string }).name === 'ValidationError') return undefined;
      if ((error as { name?: string }).name === 'AccessDenied') return undefined;
      throw error;
    }
  });

  /** The single name match, else the stack output, else an error naming both ways. */
  const pick = async (what: string, matches: string[], outputKey: string, hint: string): Promise<string> => {
    if (matches.length === 1 && matches[0]) return matches[0];
    const fromStack = (await outputs())?.[outputKey];
    if (fromStack) return fromStack;
    const where = target.local
      ? `on the local stack at ${target.endpoint}`
      : `in ${target.region ?? 'the default region'} (nor stack output ${outputKey} of ${stackName(stage)})`;
    throw new ResourceNotFoundError(
      matches.length === 0
        ? `no ${what} for stage "${stage}" ${where}: ${hint}`
        : `several ${what}s match stage "${stage}" (${matches.join(', ')}): ${hint}`,
    );
  };
  const deployHint = target.local
    ? 'is the stack running with this stage (--stage)?'
    : `is stage "${stage}" deployed (\`npx sls deploy --stage ${stage}\`)? Check --stage, --region and --profile.`;

  const queueUrls = memo(async () => {
    const prefix = `${stackName(stage)}-`;
    const urls: string[] = [];
    let token: string | undefined;
    do {
      const page = await clients.sqs.send(
        new ListQueuesCommand({ QueueNamePrefix: prefix, NextToken: token, MaxResults: 1000 }),
      );
      urls.push(...(page.QueueUrls ?? []));
      token = page.NextToken;
    } while (token);
    return urls;
  });
  const queueMatching = async (logicalId: string, outputKey: string) => {
    const name = (url: string) => url.split('/').pop() ?? '';
    const pattern = new RegExp(`^${stackName(stage)}-${logicalId}(-[A-Za-z0-9]+)?$`);
    return pick(
      `queue ${logicalId}`,
      (await queueUrls()).filter((url) => pattern.test(name(url))),
      outputKey,
      deployHint,
    );
  };

  return {
    bucket: memo(async () => {
      if (explicitBucket) return explicitBucket;
      const matches = await findModelsBuckets(clients.s3, stage, target.region);
      return pick(
        `bucket ${modelsBucketPrefix(stage)}…`,
        matches,
        'ModelsBucketName',
        `${deployHint} Pass --bucket to choose one.`,
      );
    }),
    stateMachineArn: memo(async () => {
      const name = stateMachineName(stage);
      const arns: string[] = [];
      let token: string | undefined;
      do {
        const page = await clients.sfn.send(new ListStateMachinesCommand({ nextToken: token }));
        arns.push(
          ...(page.stateMachines ?? [])
            .filter((sm) => sm.name === name)
            .map((sm) => sm.stateMachineArn ?? ''),
        );
        token = page.nextToken;
      } while (token && arns.length === 0);
      return pick(`state machine ${name}`, arns, 'TrackOptimizationJobArn', deployHint);
    }),
    queues: memo(async () => ({
      uploadQueueUrl: await queueMatching('UploadQueue', 'UploadQueueUrl'),
      deadLetterQueueUrl: await queueMatching('UploadDeadLetterQueue', 'UploadDeadLetterQueueUrl'),
    })),
    async queueArn(queueUrl) {
      const { Attributes } = await clients.sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
      );
      if (!Attributes?.QueueArn) throw new ResourceNotFoundError(`queue ${queueUrl} has no ARN`);
      return Attributes.QueueArn;
    },
  };
}
