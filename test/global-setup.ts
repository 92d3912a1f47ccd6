import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { sls } from './support/sls';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The CloudFormation template `sls package --stage ci` produced for this run, as JSON text. */
    packagedTemplate: string;
    /** The folder holding that package (template and function zips). */
    packageDir: string;
  }
}

/** Packages the service once per test run; template tests read the result. */
export default async function setup(project: TestProject): Promise<void> {
  const packageDir = mkdtempSync(join(tmpdir(), 'mop-package-'));
  await sls(['package', '--stage', 'ci', '--package', packageDir]);
  const template = readFileSync(join(packageDir, 'cloudformation-template-update-stack.json'), 'utf8');
  project.provide('packagedTemplate', template);
  project.provide('packageDir', packageDir);
}
