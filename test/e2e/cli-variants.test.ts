/**
 * `model-opt` with a drop of two variants, against the local stack (the real bin as a child
 * process): `drop` names each variant's job and the drop's job name to watch, `watch <drop>`
 * follows both to the one Variants Settled, and `list` shows them as one group.
 */
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DETAIL_TYPES } from '../../src/events/contract';
import { runCli } from '../support/cli';
import { startTestStack, type TestStack } from '../support/local-stack';

const TINY_LLM = new URL('../../examples/tiny-llm/', import.meta.url).pathname;
const MANIFEST = {
  techniques: [{ quantization: { environment: { OPTION_QUANTIZE: 'awq' } } }],
  variants: [
    { name: 'awq-g5', deploymentInstanceType: 'ml.g5.12xlarge' },
    {
      name: 'fp8-g6e',
      deploymentInstanceType: 'ml.g6e.12xlarge',
      techniques: [{ quantization: { environment: { OPTION_QUANTIZE: 'fp8' } } }],
    },
  ],
};

describe('model-opt with a drop of variants (the real bin, local stack)', () => {
  let t: TestStack;
  let env: Record<string, string>;
  const cli = (...args: string[]) => runCli([...args, '--json'], env, 120_000);

  beforeAll(async () => {
    t = await startTestStack();
    env = t.stack.clientEnv;
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('drop names the variant jobs; watch <drop> ends with both; list groups them', {
    timeout: 180_000,
  }, async () => {
    const folder = join(mkdtempSync(join(tmpdir(), 'mop-cli-variants-')), 'cli-variants');
    cpSync(TINY_LLM, folder, { recursive: true });
    writeFileSync(join(folder, 'optimization.json'), JSON.stringify(MANIFEST));

    const dropped = await cli('drop', folder);
    expect(dropped.code).toBe(0);
    const dropJob: string = dropped.json.jobName;
    expect(dropped.json.variants.map((v: { name: string }) => v.name)).toEqual(['awq-g5', 'fp8-g6e']);
    const variantJobs: string[] = dropped.json.variants.map((v: { jobName: string }) => v.jobName);

    const watched = await cli('watch', dropJob, '--interval', '0.2');
    expect(watched.code, watched.stderr).toBe(0);
    expect(watched.json).toMatchObject({
      dropJobName: dropJob,
      outcome: 'Completed',
      exitCode: 0,
      settled: true,
      variants: [
        { variant: 'awq-g5', jobName: variantJobs[0], outcome: 'Completed', job: { status: 'COMPLETED' } },
        { variant: 'fp8-g6e', jobName: variantJobs[1], outcome: 'Completed', job: { status: 'COMPLETED' } },
      ],
      settledEvent: { status: 'SETTLED', dropJobName: dropJob },
    });
    // watch ends on the drop's one Variants Settled, which is on the bus by then.
    const settled = t.events().filter((e) => e['detail-type'] === DETAIL_TYPES.settled);
    expect(settled.map((e) => e.detail.dropJobName)).toEqual([dropJob]);

    // One variant's job is still watched alone.
    const one = await cli('watch', variantJobs[1] ?? '', '--interval', '0.2');
    expect(one.json).toMatchObject({ jobName: variantJobs[1], outcome: 'Completed', exitCode: 0 });

    const listed = await cli('list');
    expect(listed.code).toBe(0);
    expect(listed.json).toEqual([
      expect.objectContaining({
        dropJobName: dropJob,
        modelId: 'cli-variants',
        settle: 'settled',
        lastEvent: DETAIL_TYPES.settled,
        variantCount: 2,
        variants: [
          expect.objectContaining({ variant: 'awq-g5', jobName: variantJobs[0], status: 'COMPLETED' }),
          expect.objectContaining({ variant: 'fp8-g6e', jobName: variantJobs[1], status: 'COMPLETED' }),
        ],
      }),
    ]);

    const table = await runCli(['list'], env);
    const lines = table.stdout.trim().split('\n');
    expect(lines[1]).toMatch(new RegExp(`^${dropJob} \\(cli-variants, 2 variants\\)\\tSETTLED\\t`));
    expect(lines[2]).toMatch(new RegExp(`^  awq-g5 +${variantJobs[0]}\\tCOMPLETED\\t`));
    expect(lines[3]).toMatch(new RegExp(`^  fp8-g6e +${variantJobs[1]}\\tCOMPLETED\\t`));
  });

  it('watch <drop> exits 1 when one variant Failed and the other Completed', {
    timeout: 180_000,
  }, async () => {
    t.stack.sageMaker.faults.overrideOutcome({
      match: { nameContains: 'cli-variants-mixed-fp8-g6e-' },
      outcome: 'fail',
      reason: 'ClientError: fp8 is not supported here',
    });
    const folder = join(mkdtempSync(join(tmpdir(), 'mop-cli-variants-')), 'cli-variants-mixed');
    cpSync(TINY_LLM, folder, { recursive: true });
    writeFileSync(join(folder, 'optimization.json'), JSON.stringify(MANIFEST));
    const dropped = await cli('drop', folder);
    const dropJob: string = dropped.json.jobName;

    const watched = await cli('watch', dropJob, '--interval', '0.2');
    expect(watched.code, watched.stderr).toBe(1);
    expect(watched.json).toMatchObject({
      outcome: 'Failed',
      exitCode: 1,
      settled: true,
      variants: [
        { variant: 'awq-g5', outcome: 'Completed' },
        {
          variant: 'fp8-g6e',
          outcome: 'Failed',
          job: { failureReason: 'ClientError: fp8 is not supported here' },
        },
      ],
    });
    const human = await runCli(['watch', dropJob], env);
    expect(human.code).toBe(1);
    expect(human.stdout).toContain(`${dropJob}: settled, 2 variants (1 Completed, 1 Failed); outcome Failed`);
  });
});
