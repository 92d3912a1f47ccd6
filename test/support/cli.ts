import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The file package.json's `bin.model-opt` points at. */
export const MODEL_OPT_BIN = fileURLToPath(new URL('../../bin/model-opt.js', import.meta.url));

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as one JSON document (the test fails if it is not). */
  json: any;
}

/**
 * Runs `model-opt` as a child process, the way a user does, with `env` on top of a clean AWS
 * environment (nothing from the test process's own AWS_* variables).
 */
export function runCli(args: string[], env: Record<string, string>, timeoutMs = 60_000): Promise<CliRun> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_')));
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [MODEL_OPT_BIN, ...args],
      {
        env: { ...base, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
        timeout: timeoutMs,
        maxBuffer: 16 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        if (code === -1)
          return reject(new Error(`model-opt ${args.join(' ')} did not exit: ${error?.message}\n${stderr}`));
        let json: unknown;
        try {
          json = args.includes('--json') ? JSON.parse(stdout) : undefined;
        } catch {
          return reject(
            new Error(`model-opt ${args.join(' ')}: stdout is not one JSON document:\n${stdout}\n${stderr}`),
          );
        }
        resolve({ code, stdout, stderr, json });
      },
    );
  });
}
