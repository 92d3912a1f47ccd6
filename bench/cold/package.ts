/**
 * Runs `sls package` the way the test setup and CI do (offline, scratch HOME, under `timeout`),
 * so the bench measures exactly the artifacts a deployment would upload.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The repository root. */
export const ROOT = new URL('../../', import.meta.url).pathname;

/** Packages the service for `stage` into `outDir`; the CLI's output goes to stderr. */
export async function slsPackage(outDir: string, stage = 'ci'): Promise<void> {
  const env = {
    ...process.env,
    HOME: mkdtempSync(join(tmpdir(), 'mop-bench-home-')),
    AWS_EC2_METADATA_DISABLED: 'true',
    SLS_TELEMETRY_DISABLED: '1',
    // serverless.yml reads this: a work folder of its own, so a concurrent test run can't clash.
    ESBUILD_WORK_FOLDER: `.esbuild-bench-${process.pid}`,
  };
  const args = ['--kill-after=10', '300', join(ROOT, 'node_modules/.bin/sls')];
  args.push('package', '--stage', stage, '--package', outDir);
  const child = spawn('timeout', args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] });
  child.stdout.pipe(process.stderr);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`sls package exited with ${code === 124 ? 'a timeout' : code}`);
}

/** The resolved `custom.esbuild` block and runtime that `sls package` used. */
export function packagedBuildConfig(packageDir: string): {
  esbuild: Record<string, unknown>;
  runtime: string;
} {
  const state = JSON.parse(readFileSync(join(packageDir, 'serverless-state.json'), 'utf8')) as {
    service: { custom?: { esbuild?: Record<string, unknown> }; provider: { runtime: string } };
  };
  return { esbuild: state.service.custom?.esbuild ?? {}, runtime: state.service.provider.runtime };
}
