import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { SHELL_ARN_MARKER, sls, slsEnv } from './support/sls';
import { type PackagedShape, packageShape, type ShapeName } from './support/stage-shapes';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The CloudFormation template `sls package --stage ci` produced for this run, as JSON text. */
    packagedTemplate: string;
    /** The folder holding that package (template and function zips). */
    packageDir: string;
    /** The other shapes the template tests check (test/support/stage-shapes.ts). */
    shapes: Record<ShapeName, PackagedShape>;
  }
}

/**
 * Packages the service once per test run, in each shape the template tests check; they read
 * the results. It packages the `ci` shape with the
 * ARN variables that `sls invoke local` reads exported to junk, as a user who followed
 * docs/local.md would have them: the template must hold the stack's references all the same.
 */
export default async function setup(project: TestProject): Promise<void> {
  const packageDir = mkdtempSync(join(tmpdir(), 'mop-package-'));
  const shell = {
    STATE_MACHINE_ARN: `arn:aws:states:us-east-1:000000000000:stateMachine:${SHELL_ARN_MARKER}`,
    SAGEMAKER_ROLE_ARN: `arn:aws:iam::000000000000:role/${SHELL_ARN_MARKER}`,
    NOTIFY_TOPIC_ARN: `arn:aws:sns:us-east-1:000000000000:${SHELL_ARN_MARKER}`,
  };
  // One at a time: two `sls package` in one project race on its .serverless/ folder (ENOENT
  // on serverless-state.json when they ran side by side).
  await sls(['package', '--stage', 'ci', '--package', packageDir], { env: slsEnv(shell) });
  const vpc = await packageShape('vpc');
  const prod = await packageShape('prod');
  const template = readFileSync(join(packageDir, 'cloudformation-template-update-stack.json'), 'utf8');
  project.provide('packagedTemplate', template);
  project.provide('packageDir', packageDir);
  project.provide('shapes', { vpc, prod });
}
