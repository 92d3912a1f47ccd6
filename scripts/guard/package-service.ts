/** Packages the service offline into a fresh folder, the way CI does, for the guard to read. */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = new URL('../../', import.meta.url).pathname;

/** `sls package --stage <stage> --package <temp dir>`; returns the update-stack template's path. */
export async function packageService(stage: string, extraArgs: string[] = []): Promise<string> {
  const packageDir = mkdtempSync(join(tmpdir(), `mop-guard-${stage}-`));
  const home = mkdtempSync(join(tmpdir(), 'mop-guard-home-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: home,
    AWS_EC2_METADATA_DISABLED: 'true',
    SLS_TELEMETRY_DISABLED: '1',
    ESBUILD_WORK_FOLDER: `.esbuild-guard-${process.pid}`,
  };
  // Shell values of these would replace the stack's own references in the template.
  for (const name of ['STATE_MACHINE_ARN', 'SAGEMAKER_ROLE_ARN', 'NOTIFY_TOPIC_ARN']) delete env[name];
  try {
    // Under `timeout`: a handler that throws while loading makes serverless-esbuild hang.
    await run(
      'timeout',
      [
        '--kill-after=10',
        '300',
        join(ROOT, 'node_modules/.bin/sls'),
        'package',
        '--stage',
        stage,
        '--package',
        packageDir,
        ...extraArgs,
      ],
      { cwd: ROOT, env, maxBuffer: 64 * 1024 * 1024 },
    );
  } finally {
    rmSync(home, { recursive: true, force: true });
    rmSync(join(ROOT, env.ESBUILD_WORK_FOLDER as string), { recursive: true, force: true });
  }
  return join(packageDir, 'cloudformation-template-update-stack.json');
}
