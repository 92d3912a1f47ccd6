import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SFNClient } from '@aws-sdk/client-sfn';
import { sendReplayKey } from '../protocol/replay-key';
import type { AwsClients } from './resources';

/** Where the runner's SDK clients go. */
export interface LocalClientOptions {
  /** One endpoint for every service, e.g. the local stack's `http://127.0.0.1:4566`. */
  endpoint: string;
  region?: string;
  /** SDK attempts per call; 1 leaves every retry to the definition's Retry. */
  maxAttempts?: number;
}

/** SDK clients for the runner's Tasks, all pointed at one local endpoint with dummy credentials. */
export function localClients({
  endpoint,
  region = 'us-east-1',
  maxAttempts,
}: LocalClientOptions): AwsClients {
  const config = {
    endpoint,
    region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    ...(maxAttempts !== undefined && { maxAttempts }),
  };
  // Each call carries the running Task's replay key, so a call replayed after a crash is known.
  return {
    sagemaker: sendReplayKey(new SageMakerClient(config)),
    eventbridge: sendReplayKey(new EventBridgeClient(config)),
    sfn: sendReplayKey(new SFNClient(config)),
  };
}
