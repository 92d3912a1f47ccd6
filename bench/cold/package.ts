/**
 * Runs `sls package` the way the test setup and CI do (offline, scratch HOME, under `timeout`),
 * so the bench measures exactly the artifacts a deployment would upload.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { offlineSlsEnv, SLS_PROJECT_ROOT, timedSlsArgs } from '../../local/service/sls-cli';

/** The repository root. */
export const ROOT = SLS_PROJECT_ROOT;

/** Packages the service for `stage` into `outDir`; the CLI's output goes to stderr. */
export async function slsPackage(outDir: string, stage = 'ci'): Promise<void> {
  const env = offlineSlsEnv({
    home: mkdtempSync(join(tmpdir(), 'mop-bench-home-')),
    // A work folder of its own, so a concurrent test run can't clash.
    workFolder: `.esbuild-bench-${process.pid}`,
  });
  const args = timedSlsArgs(['package', '--stage', stage, '--package', outDir], 300);
  // Spawned rather than run, so the CLI's progress streams out as it packages.
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
