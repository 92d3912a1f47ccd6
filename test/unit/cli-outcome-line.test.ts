/** The verdict `watch` prints when a job is over. */
import { describe, expect, it } from 'vitest';
import { outcomeLine } from '../../src/cli/render';
import type { JobView } from '../../src/client/job-view';

const view = (output: JobView['output']): JobView => ({
  jobName: 'llama-awq-1a2b3c4d5e',
  status: 'COMPLETED',
  outcome: 'Completed',
  source: {},
  settings: { techniques: ['quantization'], environment: {} },
  elapsedSeconds: 660,
  tracking: { state: 'PUBLISHED', executions: [] },
  timeline: [],
  ...(output && { output }),
});

describe('outcomeLine', () => {
  it('names the output, and the registered model when the job registered one', () => {
    expect(outcomeLine(view({ s3Uri: 's3://b/optimized/llama/x/' }))).toBe(
      'llama-awq-1a2b3c4d5e: Completed after 11m 00s, output s3://b/optimized/llama/x/',
    );
    expect(outcomeLine(view({ s3Uri: 's3://b/optimized/llama/x/', sageMakerModel: 'llama-awq' }))).toBe(
      'llama-awq-1a2b3c4d5e: Completed after 11m 00s, output s3://b/optimized/llama/x/, model llama-awq',
    );
  });
});
