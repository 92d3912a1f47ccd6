import { type ChildProcess, execFile, spawn } from 'node:child_process';
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
        env: { ...base, ...env },
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

/** A `model-opt` run in progress, to signal or kill mid-way. */
export interface RunningCli {
  child: ChildProcess;
  /** Resolves when it exits; `code` is 128 + the signal number when a signal ended it. */
  done: Promise<CliRun>;
}

const SIGNAL_NUMBERS: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };

/** Starts `model-opt` as a child process (like {@link runCli}) without waiting for it. */
export function startCli(args: string[], env: Record<string, string>): RunningCli {
  const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_')));
  const child = spawn(process.execPath, [MODEL_OPT_BIN, ...args], {
    env: { ...base, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  const done = new Promise<CliRun>((resolve) =>
    child.on('close', (code, signal) => {
      let json: unknown;
      try {
        json = args.includes('--json') && stdout ? JSON.parse(stdout) : undefined;
      } catch {
        json = undefined;
      }
      resolve({ code: code ?? 128 + (SIGNAL_NUMBERS[signal as NodeJS.Signals] ?? 0), stdout, stderr, json });
    }),
  );
  return { child, done };
}
