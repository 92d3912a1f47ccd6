/** Packages the service offline into a fresh folder, the way CI does, for the guard to read. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { offlineSlsEnv, runSls, SLS_PROJECT_ROOT } from '../../local/service/sls-cli';

/** `sls package --stage <stage> --package <temp dir>`; returns the update-stack template's path. */
export async function packageService(stage: string, extraArgs: string[] = []): Promise<string> {
  const packageDir = mkdtempSync(join(tmpdir(), `mop-guard-${stage}-`));
  const home = mkdtempSync(join(tmpdir(), 'mop-guard-home-'));
  const workFolder = `.esbuild-guard-${process.pid}`;
  try {
    await runSls(['package', '--stage', stage, '--package', packageDir, ...extraArgs], {
      env: offlineSlsEnv({ home, workFolder }),
      timeoutSeconds: 300,
    });
  } finally {
    rmSync(home, { recursive: true, force: true });
    rmSync(join(SLS_PROJECT_ROOT, workFolder), { recursive: true, force: true });
  }
  return join(packageDir, 'cloudformation-template-update-stack.json');
}
