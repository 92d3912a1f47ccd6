/**
 * One statement of the drop defaults: the stage's params in serverless.yml (what a deployed
 * stage reads) are the code's DEFAULT_DROP_RULES (what the CLI, the console and the local stack
 * use when no stage says otherwise).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DEFAULT_DROP_RULES } from '../../src/drop';

const serverless = parse(readFileSync(new URL('../../serverless.yml', import.meta.url), 'utf8')) as {
  params: { default: Record<string, unknown> };
};

describe('DEFAULT_DROP_RULES', () => {
  it('are the default stage params modelsPrefix and manifestName of serverless.yml', () => {
    const { modelsPrefix, manifestName } = serverless.params.default;
    expect({ modelsPrefix, manifestName }).toEqual({ ...DEFAULT_DROP_RULES });
  });
});
