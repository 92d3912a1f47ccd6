/**
 * The local stack in a child process (`node --import tsx/esm local/main.ts --no-examples --quiet`),
 * for what an in-process stack cannot show: a `kill -9` and a restart on the same state, and
 * the stack's memory measured alone. The child is node itself (not the tsx CLI, which would
 * put a wrapper process in between), so its pid is the stack's. `tsx/esm`, as `npm start`: the
 * sources are ES modules, and tsx's CommonJS hook would only add a look at every `require()`
 * inside the SDK (a fifth of the start-up's CPU).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, openSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { adminClient } from '../admin/admin-client';
import { printService } from '../service/description';
import { LOCK_FILE, readLock } from './data-dir';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface ChildStackOptions {
  dataDir: string;
  /**
   * Default: one the stack's own listen picks (`--port 0`), read back from its data dir's lock.
   * A port found free beforehand can be taken by another process before the child listens.
   */
  port?: number;
  /** Simulated seconds per real second; keep it across restarts (the clock file is per speed). */
  speed: number;
  /** Continue from the state in `dataDir` (a restart) instead of starting empty. */
  keepState?: boolean;
  /** Over every function's environment (`--function-env`). */
  functionEnvironment?: Record<string, string>;
  /** The child's own environment on top of PATH and HOME, e.g. `LOCAL_SAGEMAKER_*`. */
  env?: Record<string, string>;
  /** Real ms to wait for the stack to answer. Default 120 s. */
  startTimeoutMs?: number;
  /** Node's own flags for the child, before the script, e.g. `--cpu-prof` (bench:drop-profile). */
  nodeArgs?: string[];
}

/** The stack process's `/_local/stats`: memory in bytes, and counters. */
export interface StackStats {
  rss: number;
  heapUsed: number;
  /** Peak resident set size of the process so far (getrusage). */
  maxRss: number;
  /** Highest sampled RSS since the start or the last `POST /_local/stats/reset-peak`. */
  sampledPeakRss: number;
  /** Each job's peak RSS (sampled) from its creation to its end, or so far while it runs. */
  jobs: { jobName: string; peakRss: number; running: boolean }[];
  /** File descriptors the process holds, sockets included (Linux only). */
  openFiles?: number;
  /** Bugs the stack survived: anything above 0 is a defect. */
  internalErrors: number;
  s3: { requests: number; clientsGone: number; notifications: number };
}

export interface ChildStack {
  endpoint: string;
  port: number;
  pid: number;
  /** Where the child's stdout and stderr go (appended): `<dataDir>.log`. */
  logPath: string;
  /** Calls the admin API (`/_local/...`). */
  admin<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
  stats(): Promise<StackStats>;
  /** True while the stack's process lives. */
  isRunning(): boolean;
  /** SIGKILL: no shutdown, state as the last write left it. */
  kill(): Promise<void>;
  /**
   * SIGTERM: the stack's own shutdown. Rejects afterwards if the stack counted an internal
   * error (a bug it survived; its stack trace is in the log).
   */
  stop(): Promise<void>;
}

/** Starts the stack in a child process; resolves once `/_local/health` answers. */
export async function startChildStack(options: ChildStackOptions): Promise<ChildStack> {
  // Beside the data folder: a fresh start empties that folder.
  const logPath = `${options.dataDir}.log`;
  const args = [
    ...(options.nodeArgs ?? []),
    '--import',
    'tsx/esm',
    join(ROOT, 'local/main.ts'),
    '--no-examples',
    '--quiet',
    '--port',
    String(options.port ?? 0),
    '--data-dir',
    options.dataDir,
    '--speed',
    String(options.speed),
    ...(options.keepState ? ['--keep-state'] : []),
    ...Object.entries(options.functionEnvironment ?? {}).flatMap(([k, v]) => ['--function-env', `${k}=${v}`]),
  ];
  mkdirSync(dirname(options.dataDir), { recursive: true });
  // What serverless.yml declares is cached across processes; reading it here, not in the
  // child, keeps a cold cache (minutes of `sls print` on a busy machine) out of the start timeout.
  await printService('local', 'us-east-1');
  const log = openSync(logPath, 'a');
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    stdio: ['ignore', log, log],
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      ...(process.env.TMPDIR && { TMPDIR: process.env.TMPDIR }),
      ...options.env,
    },
  });
  // A stack outliving its parent (a test that timed out, Ctrl-C) would hold its port and CPU.
  const orphanGuard = () => child.kill('SIGKILL');
  process.once('exit', orphanGuard);
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      process.off('exit', orphanGuard);
      resolve();
    }),
  );
  const endpoint = await waitForHealth(child, options.dataDir, options.startTimeoutMs ?? 120_000, logPath);
  const admin = adminClient(endpoint);
  const port = Number(new URL(endpoint).port);
  const signal = async (name: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(name);
    await exited;
  };
  return {
    endpoint,
    port,
    pid: child.pid ?? 0,
    logPath,
    admin,
    stats: () => admin<StackStats>('GET', '/_local/stats'),
    isRunning: () => child.exitCode === null && child.signalCode === null,
    kill: () => signal('SIGKILL'),
    async stop() {
      const internalErrors =
        child.exitCode === null
          ? await admin<StackStats>('GET', '/_local/stats').then(
              (stats) => stats.internalErrors,
              () => 0,
            )
          : 0;
      await signal('SIGTERM');
      if (internalErrors > 0)
        throw new Error(`the local stack counted ${internalErrors} internal error(s): see ${logPath}`);
    },
  };
}

/**
 * Waits until the child has written its endpoint into the data dir's lock and answers there;
 * returns the endpoint. A child that exits first fails with the end of its log.
 */
async function waitForHealth(
  child: ChildProcess,
  dataDir: string,
  timeoutMs: number,
  logPath: string,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `the stack exited (${child.exitCode ?? child.signalCode}) before it served; the end of ${logPath}:\n${logTail(logPath)}`,
      );
    }
    const endpoint = endpointOf(dataDir, child.pid);
    try {
      if (endpoint) {
        await adminClient(endpoint)('GET', '/_local/health');
        return endpoint;
      }
    } catch {
      // Not serving yet.
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(
        `the stack did not answer within ${timeoutMs} ms; the end of ${logPath}:\n${logTail(logPath)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The endpoint the stack with `pid` recorded in its lock, once it listens. */
function endpointOf(dataDir: string, pid: number | undefined): string | undefined {
  const lock = readLock(join(dataDir, LOCK_FILE));
  return lock !== undefined && lock.pid === pid ? lock.endpoint : undefined;
}

/** The last lines of a log, to put in an error: the folder may be gone when someone reads it. */
function logTail(path: string, lines = 30): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch (error) {
    return `(unreadable: ${(error as Error).message})`;
  }
}
