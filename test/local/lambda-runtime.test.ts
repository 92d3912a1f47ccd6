import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createLambdaRuntime } from '../../local/lambda/runtime';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('the local Lambda runtime', () => {
  it('runs one invocation of a function at a time, as one Lambda execution environment does', async () => {
    const runtime = createLambdaRuntime({
      root: ROOT,
      region: 'us-east-1',
      accountId: '000000000000',
      baseEnvironment: {},
      functions: [
        {
          key: 'overlap',
          name: 'test-overlap',
          file: 'test/fixtures/functions/overlap',
          exportName: 'handler',
          environment: {},
          timeoutSeconds: 5,
          sqs: [],
          eventBridge: [],
        },
      ],
    });

    const results = await Promise.all(
      Array.from({ length: 4 }, () => runtime.invoke('overlap', { ms: 20 }) as Promise<{ most: number }>),
    );

    // Module state (a batch processor, a logger's keys) is one invocation's at a time.
    expect(results.map((r) => r.most)).toEqual([1, 1, 1, 1]);
  });
});
