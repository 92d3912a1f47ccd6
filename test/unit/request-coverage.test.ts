/**
 * docs/manifest.md's coverage table lists every field of CreateOptimizationJobRequest, from
 * botocore's model (the extract in local/sagemaker/botocore-model.json) and the JS SDK's: a field either
 * model gains fails here until the table says who sets it.
 */
import { readFileSync } from 'node:fs';
import { CreateOptimizationJobRequest$ } from '@aws-sdk/client-sagemaker';
import { describe, expect, it } from 'vitest';
import { botocoreFields, sdkFields } from '../support/request-fields';
import type { ServiceModelExtract } from '../support/service-model';

const DOC = readFileSync(new URL('../../docs/manifest.md', import.meta.url), 'utf8');
const EXTRACT = JSON.parse(
  readFileSync(new URL('../../local/sagemaker/botocore-model.json', import.meta.url), 'utf8'),
) as ServiceModelExtract;
const REQUEST = 'CreateOptimizationJobRequest';
const SETTERS = new Set(['manifest', 'stage', 'pipeline']);

/** The table's rows under the coverage heading: field → who sets it. */
function coverageTable(markdown: string): Map<string, string[]> {
  const section = markdown.split(/^## Coverage of `CreateOptimizationJobRequest`$/m)[1];
  if (!section) throw new Error('docs/manifest.md has no coverage section');
  const body = section.split(/^## /m)[0] ?? '';
  const rows = [...body.matchAll(/^\| `([^`]+)` \| ([^|]+) \|/gm)];
  return new Map(rows.map((m) => [m[1] as string, (m[2] as string).split(',').map((s) => s.trim())]));
}

/** What the table lacks and what it lists that neither model has. */
function compare(table: Map<string, string[]>, extract: ServiceModelExtract, sdkSchema: unknown) {
  const fields = new Set([...botocoreFields(extract, REQUEST), ...sdkFields(sdkSchema)]);
  return {
    missing: [...fields].filter((f) => !table.has(f)).sort(),
    stale: [...table.keys()].filter((f) => !fields.has(f)).sort(),
  };
}

const table = coverageTable(DOC);

describe('the coverage table of CreateOptimizationJobRequest (docs/manifest.md)', () => {
  it('reads the fields of both models', () => {
    const botocore = botocoreFields(EXTRACT, REQUEST);
    expect(botocore).toContain('StoppingCondition.MaxWaitTimeInSeconds');
    expect(botocore).toContain(
      'OptimizationConfigs[].ModelSpeculativeDecodingConfig.TrainingDataSource.S3Uri',
    );
    // In the JS SDK's model, not (yet) in the botocore extract.
    expect(sdkFields(CreateOptimizationJobRequest$)).toContain('TrainingPlanArns');
  });

  it('lists every field of both models, and no other', () => {
    expect(compare(table, EXTRACT, CreateOptimizationJobRequest$)).toEqual({ missing: [], stale: [] });
  });

  it('says for each field whether a manifest, the stage or the pipeline sets it', () => {
    for (const [field, setters] of table) {
      expect(setters.length, field).toBeGreaterThan(0);
      for (const setter of setters) expect(SETTERS, `${field}: ${setter}`).toContain(setter);
    }
  });

  it('fails when the model gains a field the table does not list', () => {
    const grown = structuredClone(EXTRACT);
    const request = grown.shapes[REQUEST];
    const stopping = grown.shapes.StoppingCondition;
    if (!request?.members || !stopping?.members) throw new Error('the extract lost its shapes');
    request.members.FakeMember = { shape: 'MaxWaitTimeInSeconds' };
    stopping.members.FakeSeconds = { shape: 'MaxWaitTimeInSeconds' };
    expect(compare(table, grown, CreateOptimizationJobRequest$).missing).toEqual([
      'FakeMember',
      'StoppingCondition.FakeSeconds',
    ]);
    const sdkGrown = [...(CreateOptimizationJobRequest$ as unknown as unknown[])];
    sdkGrown[4] = [...(sdkGrown[4] as string[]), 'FakeSdkMember'];
    sdkGrown[5] = [...(sdkGrown[5] as unknown[]), 0];
    expect(compare(table, EXTRACT, sdkGrown).missing).toEqual(['FakeSdkMember']);
  });
});
