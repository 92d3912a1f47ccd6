/**
 * Running the Framework CLI (osls) offline, as the local stack, the tests, the benchmarks and
 * the guard all do: a scratch HOME (it writes under ~/.serverless), no metadata-service probe,
 * no telemetry, an esbuild work folder of the caller's own (serverless.yml reads
 * ESBUILD_WORK_FOLDER) and always under `timeout`, because a handler that throws while loading
 * makes serverless-esbuild hang instead of exiting.
 */
import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Where the Framework's caches go: `sls print` results (description.ts) and V8's code cache. */
export const SLS_CACHE_DIR = join(tmpdir(), 'model-optimization-pipeline-cache');

/** The repository root, where serverless.yml is. */
export const SLS_PROJECT_ROOT = new URL('../../', import.meta.url).pathname;

/**
 * The CLI's environment. ARN variables of the shell are dropped: `sls invoke local` reads
 * STATE_MACHINE_ARN and the like from it (config/invoke-local-env.cjs), and a value left over
 * from the shell must not reach an invocation that meant the stack's own. (Packaging ignores
 * them anyway.) `extra` comes last: callers pass the ones they mean.
 */
export function offlineSlsEnv(options: {
  home: string;
  workFolder?: string;
  extra?: Record<string, string>;
}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: options.home,
    AWS_EC2_METADATA_DISABLED: 'true',
    SLS_TELEMETRY_DISABLED: '1',
    // V8's code cache for the Framework's CommonJS, which a start spends most of its CPU
    // compiling (an `sls` start: 2.6 s of CPU without it, 2.0 s with it, once warm).
    NODE_COMPILE_CACHE: join(SLS_CACHE_DIR, 'node-compile-cache'),
    ...(options.workFolder && { ESBUILD_WORK_FOLDER: options.workFolder }),
  };
  for (const name of Object.keys(env)) if (/_ARN$/.test(name)) delete env[name];
  return { ...env, ...options.extra };
}

/** `timeout`'s arguments to run the CLI with `args` for at most `timeoutSeconds`. */
export function timedSlsArgs(args: string[], timeoutSeconds: number): string[] {
  return ['--kill-after=5', String(timeoutSeconds), join(SLS_PROJECT_ROOT, 'node_modules/.bin/sls'), ...args];
}

/** Runs the CLI from the project root and resolves with its output; rejects when it fails. */
export function runSls(
  args: string[],
  { env, timeoutSeconds = 120 }: { env: NodeJS.ProcessEnv; timeoutSeconds?: number },
): Promise<{ stdout: string; stderr: string }> {
  return run('timeout', timedSlsArgs(args, timeoutSeconds), {
    cwd: SLS_PROJECT_ROOT,
    env,
    maxBuffer: 64 * 1024 * 1024,
  });
}
