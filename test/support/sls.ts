import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = new URL('../../', import.meta.url).pathname;

/** Environment for the Framework CLI: offline, no credentials probing, a scratch HOME. */
export function slsEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const home = join(tmpdir(), 'mop-sls-home');
  mkdirSync(home, { recursive: true });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: home,
    AWS_EC2_METADATA_DISABLED: 'true',
    SLS_TELEMETRY_DISABLED: '1',
    // serverless-esbuild's work folder, one per test process (see serverless.yml custom.esbuild).
    ESBUILD_WORK_FOLDER: `.esbuild-test-${process.pid}`,
  };
  // Values set by the test setup must not leak into the packaged template.
  for (const name of ['STATE_MACHINE_ARN', 'SAGEMAKER_ROLE_ARN', 'NOTIFY_TOPIC_ARN']) delete env[name];
  // One JSON line per log entry, as in Lambda, so the handler's result is the only indented JSON.
  delete env.POWERTOOLS_DEV;
  return { ...env, ...extra };
}

/**
 * Runs the Framework CLI (osls) from the project root, always under `timeout`: a handler
 * that throws while loading makes serverless-esbuild hang instead of exiting.
 */
export async function sls(
  args: string[],
  { env = slsEnv(), timeoutSeconds = 120 }: { env?: NodeJS.ProcessEnv; timeoutSeconds?: number } = {},
): Promise<{ stdout: string; stderr: string }> {
  return run(
    'timeout',
    ['--kill-after=5', String(timeoutSeconds), join(ROOT, 'node_modules/.bin/sls'), ...args],
    {
      cwd: ROOT,
      env,
      maxBuffer: 64 * 1024 * 1024,
    },
  );
}

/**
 * The handler's return value from `sls invoke local` output: the last pretty-printed JSON
 * object (log lines, such as Powertools metrics, may come before it).
 */
export function invokeResult<T = Record<string, unknown>>(stdout: string): T {
  const start = stdout.startsWith('{\n') ? 0 : stdout.lastIndexOf('\n{\n') + 1;
  // sls prints it indented, so its closing brace is the first one at the start of a line.
  const end = stdout.indexOf('\n}', start);
  if (start === 0 && !stdout.startsWith('{\n')) throw new Error(`no JSON result in: ${stdout}`);
  return JSON.parse(stdout.slice(start, end + 2)) as T;
}
