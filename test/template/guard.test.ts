import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { checkTemplate } from '../../scripts/guard/check';
import type { GuardSummary } from '../../scripts/guard/evaluate';
import { formatSummary } from '../../scripts/guard/format';
import { templatePath } from '../support/stage-shapes';

const SECURITY_DOC = new URL('../../docs/security.md', import.meta.url);

/**
 * cfn-guard is a native binary that takes seconds per template on an idle machine and far longer
 * on a loaded one, so each template is checked once per file and each hook checks one template.
 */
const GUARD_HOOK_TIMEOUT_MS = 180_000;
let ciSummary: Promise<GuardSummary> | undefined;
const checkCiShape = () => {
  ciSummary ??= checkTemplate(join(inject('packageDir'), 'cloudformation-template-update-stack.json'));
  return ciSummary;
};

describe('packaged template: AWS Control Tower proactive controls (cfn-guard, as `npm run guard`)', () => {
  let summary: GuardSummary;
  beforeAll(async () => {
    summary = await checkCiShape();
  }, GUARD_HOOK_TIMEOUT_MS);

  it('fails no applicable rule that the failing resource does not suppress', () => {
    expect(summary.failed, formatSummary(summary, 'stage ci')).toEqual([]);
  });

  it('suppresses at most three rules, each with its reason in docs/security.md', () => {
    expect(summary.suppressed.length).toBeLessThanOrEqual(3);
    const doc = readFileSync(SECURITY_DOC, 'utf8');
    for (const { rule, suppressed } of summary.suppressed) {
      const row = doc.split('\n').find((line) => line.startsWith('|') && line.includes(`\`${rule.name}\``));
      expect(row, `docs/security.md has no row for ${rule.name}`).toBeDefined();
      for (const id of suppressed) expect(row).toContain(id);
    }
  });

  it('checks the controls for every kind of resource the stack has', () => {
    expect(summary.applicable).toEqual(
      expect.arrayContaining([
        'cloudwatch_log_group_encrypted_check',
        'kms_key_rotation_enabled_check',
        'lambda_function_public_access_prohibited_check',
        's3_bucket_default_encryption_kms_check',
        'sqs_dlq_check',
        'step_functions_state_machine_logging_enabled_check',
        'iam_inline_policy_no_statements_with_full_access_check',
      ]),
    );
  });
});

describe.each(['vpc', 'prod'] as const)(
  'the %s shape (test/support/stage-shapes.ts): the same controls',
  (name) => {
    let summary: GuardSummary;
    let ciSuppressed: string[];
    beforeAll(async () => {
      summary = await checkTemplate(templatePath(inject('shapes')[name]));
      ciSuppressed = (await checkCiShape()).suppressed.map(({ rule }) => rule.name);
    }, GUARD_HOOK_TIMEOUT_MS);

    it('fails no applicable rule that the failing resource does not suppress', () => {
      expect(summary.failed, formatSummary(summary, `${name} shape`)).toEqual([]);
    });

    it('suppresses no rule beyond those of the ci shape', () => {
      for (const { rule } of summary.suppressed) expect(ciSuppressed).toContain(rule.name);
    });
  },
);

describe('guard suppressions (Metadata.guard.SuppressedRules)', () => {
  const bucket = (metadata?: unknown) => ({
    Type: 'AWS::S3::Bucket',
    ...(metadata ? { Metadata: metadata } : {}),
    Properties: { VersioningConfiguration: { Status: 'Enabled' } },
  });
  const check = async (resources: Record<string, unknown>) => {
    const file = join(mkdtempSync(join(tmpdir(), 'mop-guard-test-')), 'template.json');
    writeFileSync(file, JSON.stringify({ Resources: resources }));
    return checkTemplate(file);
  };
  const rule = 's3_bucket_logging_enabled_check';

  it('reports a failure with the resource and the rule’s own control id and message', async () => {
    const summary = await check({ Plain: bucket() });
    const failure = summary.failed.find((o) => o.rule.name === rule);
    expect(failure).toMatchObject({
      failing: ['Plain'],
      suppressed: [],
      rule: { controlId: 'CT.S3.PR.2', title: expect.stringContaining('server access logging') },
    });
  });

  it('suppresses a rule only on the resources that list it, whatever its case', async () => {
    const suppress = { guard: { SuppressedRules: [rule.toUpperCase()] } };
    const summary = await check({ Quiet: bucket(suppress), Loud: bucket() });
    expect(summary.failed.find((o) => o.rule.name === rule)).toMatchObject({
      failing: ['Loud'],
      suppressed: ['Quiet'],
    });
    const alone = await check({ Quiet: bucket(suppress) });
    expect(alone.failed.map((o) => o.rule.name)).not.toContain(rule);
    expect(alone.suppressed.map((o) => o.rule.name)).toContain(rule);
  });
});
