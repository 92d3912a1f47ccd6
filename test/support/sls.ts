import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { offlineSlsEnv, runSls, SLS_PROJECT_ROOT } from '../../local/service/sls-cli';

/**
 * Part of the junk ARNs the global setup exports while packaging (STATE_MACHINE_ARN and the
 * like, as docs/local.md has users export them for `sls invoke local`): no template may hold it.
 */
export const SHELL_ARN_MARKER = 'exported-in-the-shell';

/** The esbuild work folder of a test process, in the project: `.esbuild-test-<pid>`. */
export const BUILD_FOLDER = /^\.esbuild-test-(\d+)$/;

/** Environment for the Framework CLI in tests: offline, a scratch HOME, a work folder per test process. */
export function slsEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const home = join(tmpdir(), 'mop-sls-home');
  mkdirSync(home, { recursive: true });
  const env = offlineSlsEnv({ home, workFolder: `.esbuild-test-${process.pid}` });
  // One JSON line per log entry, as in Lambda, so the handler's result is the only indented JSON.
  delete env.POWERTOOLS_DEV;
  return { ...env, ...extra };
}

/**
 * The timeout of a test that runs the Framework CLI: its own bound (`sls` below, 120 s), plus
 * the waits around it. A hang detector, not a pace: one `sls invoke local` takes 8 s on an idle
 * 2-core machine and 25 s beside a second suite, past vitest's 30 s default (a fresh-clone CI
 * run failed two invoke-local tests that way).
 */
export const SLS_TEST_TIMEOUT_MS = 180_000;

/** Runs the Framework CLI from the project root, under `timeout` (see local/service/sls-cli.ts). */
export function sls(
  args: string[],
  { env = slsEnv(), timeoutSeconds = 120 }: { env?: NodeJS.ProcessEnv; timeoutSeconds?: number } = {},
): Promise<{ stdout: string; stderr: string }> {
  return runSls(args, { env, timeoutSeconds });
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

/**
 * Removes the work folders of this process and of processes that no longer run; another run's
 * live ones stay. For the end of a test run: a worker that vitest ends with a signal cannot
 * remove its own.
 */
export function removeEndedBuildFolders(): void {
  for (const entry of readdirSync(SLS_PROJECT_ROOT)) {
    const pid = BUILD_FOLDER.exec(entry)?.[1];
    const ended = pid !== undefined && (Number(pid) === process.pid || !isRunning(Number(pid)));
    if (ended) rmSync(join(SLS_PROJECT_ROOT, entry), { recursive: true, force: true });
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
