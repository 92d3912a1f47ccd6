/**
 * `sls invoke local -f notifyOnOutcome` with each events/eventbridge sample, the way a developer
 * runs it, against a tiny SNS fake (the embedded local stack will replace it).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eventVariants } from '../support/events';
import { invokeResult, SLS_TEST_TIMEOUT_MS, sls, slsEnv } from '../support/sls';
import { type SnsFake, startSnsFake } from '../support/sns-fake';

const TOPIC_ARN = 'arn:aws:sns:us-east-1:000000000000:model-optimization-pipeline-local-notifications';
const OUTCOMES = [
  ['completed', 'Model Optimization Completed'],
  ['failed', 'Model Optimization Failed'],
  ['stopped', 'Model Optimization Stopped'],
  ['rejected', 'Model Upload Rejected'],
] as const;

let sns: SnsFake;

beforeAll(async () => {
  sns = await startSnsFake();
});
afterAll(() => sns.close());
beforeEach(() => {
  sns.published.length = 0;
});

function invoke(variant: string) {
  return sls(['invoke', 'local', '-f', 'notifyOnOutcome', '-p', `events/eventbridge/${variant}.json`], {
    env: slsEnv({
      NOTIFY_TOPIC_ARN: TOPIC_ARN,
      AWS_ENDPOINT_URL_SNS: sns.url,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
    }),
    timeoutSeconds: 90,
  });
}

/** The handler's result: the last JSON document `invoke local` prints. */

describe('sls invoke local -f notifyOnOutcome', { timeout: SLS_TEST_TIMEOUT_MS }, () => {
  it('has a sample for each outcome, Started and a malformed event', () => {
    expect(eventVariants('eventbridge')).toEqual(
      expect.arrayContaining([...OUTCOMES.map(([variant]) => variant), 'started', 'malformed']),
    );
  });

  it.each(OUTCOMES)(
    'publishes a summary of events/eventbridge/%s.json to the topic',
    async (variant, detailType) => {
      const { stdout } = await invoke(variant);

      expect(sns.published).toHaveLength(1);
      const [message] = sns.published;
      expect(message).toMatchObject({
        topicArn: TOPIC_ARN,
        subject: expect.stringMatching(/^\[local\] /),
        attributes: { detailType, stage: 'local' },
      });
      expect(message?.message).toContain('What next:');
      expect(invokeResult(stdout)).toEqual({ published: true, detailType, messageId: message?.messageId });
    },
  );

  it('publishes nothing for events/eventbridge/started.json', async () => {
    const { stdout } = await invoke('started');
    expect(sns.published).toEqual([]);
    expect(invokeResult(stdout)).toMatchObject({
      published: false,
      detailType: 'Model Optimization Started',
    });
  });

  it('fails events/eventbridge/malformed.json with MalformedEventError naming the bad fields, publishing nothing', async () => {
    const failure = await invoke('malformed').then(
      () => {
        throw new Error('invoke local succeeded on a malformed event');
      },
      (error: { code?: number; stdout: string }) => error,
    );

    expect(failure.code).toBe(1);
    const result = invokeResult(failure.stdout) as { errorMessage: string; stackTrace: string[] };
    expect(result.errorMessage).toMatch(/^malformed event: \$\.detail\.jobArn: /);
    expect(result.errorMessage).toContain('$.detail.output: Invalid input: expected object');
    expect(result.stackTrace[0]).toMatch(/^MalformedEventError: /);
    expect(sns.published).toEqual([]);
  });
});
