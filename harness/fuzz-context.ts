/** The real names on a running stack that the fuzzer uses (./request-fuzzer.ts, FuzzContext). */
import { EventBridgeClient, ListEventBusesCommand } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { ListStateMachinesCommand, SFNClient } from '@aws-sdk/client-sfn';
import { ListTopicsCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand, ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { findModelsBuckets } from '../src/client';
import type { FuzzContext } from './request-fuzzer';

/** Reads the stack's bucket, state machine, queues, buses and topics through the AWS SDK. */
export async function fuzzContext(endpoint: string, region = 'us-east-1'): Promise<FuzzContext> {
  const config = { endpoint, region, credentials: { accessKeyId: 'any', secretAccessKey: 'thing' } };
  const s3 = new S3Client({ ...config, forcePathStyle: true });
  const sfn = new SFNClient(config);
  const sqs = new SQSClient(config);
  const events = new EventBridgeClient(config);
  const sns = new SNSClient(config);
  try {
    const [bucket = ''] = await findModelsBuckets(s3, 'local', region);
    const { stateMachines } = await sfn.send(new ListStateMachinesCommand({}));
    // The dead-letter queue's URL is left out: a message the fuzzer put there would read as a
    // drop the pipeline gave up on. Its ARN stays in (StartMessageMoveTask redrives from it).
    const { QueueUrls: all = [] } = await sqs.send(new ListQueuesCommand({}));
    const QueueUrls = all.filter((url) => !/DeadLetter/.test(url));
    const queueArns = await Promise.all(
      all.map(async (QueueUrl) => {
        const { Attributes } = await sqs.send(
          new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
        );
        return Attributes?.QueueArn ?? '';
      }),
    );
    const { EventBuses = [] } = await events.send(new ListEventBusesCommand({}));
    const { Topics = [] } = await sns.send(new ListTopicsCommand({}));
    return {
      bucket,
      stateMachineArn: stateMachines?.[0]?.stateMachineArn ?? '',
      queueUrls: QueueUrls,
      queueArns,
      busNames: EventBuses.map((b) => b.Name ?? ''),
      topicArns: Topics.map((t) => t.TopicArn ?? ''),
    };
  } finally {
    for (const client of [s3, sfn, sqs, events, sns]) client.destroy();
  }
}
