/**
 * The local stack in a child process (`node --import tsx local/main.ts --no-examples --quiet`),
 * for what an in-process stack cannot show: a `kill -9` and a restart on the same state, and
 * the stack's memory measured alone. The child is node itself (not the tsx CLI, which would
 * put a wrapper process in between), so its pid is the stack's.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, openSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { adminClient } from './admin-client';
import { printService } from './service/description';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

export interface ChildStackOptions {
  dataDir: string;
  /** Default: a free port. */
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
  const port = options.port ?? (await freePort());
  const endpoint = `http://127.0.0.1:${port}`;
  // Beside the data folder: a fresh start empties that folder.
  const logPath = `${options.dataDir}.log`;
  const args = [
    '--import',
    'tsx',
    join(ROOT, 'local/main.ts'),
    '--no-examples',
    '--quiet',
    '--port',
    String(port),
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
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
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
  const admin = adminClient(endpoint);
  await waitForHealth(child, admin, options.startTimeoutMs ?? 120_000, logPath);
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

async function waitForHealth(
  child: ChildProcess,
  admin: (method: string, path: string) => Promise<unknown>,
  timeoutMs: number,
  logPath: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `the stack exited (${child.exitCode ?? child.signalCode}) before it served; see ${logPath}`,
      );
    }
    try {
      await admin('GET', '/_local/health');
      return;
    } catch {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`the stack did not answer within ${timeoutMs} ms; see ${logPath}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

/** A port nothing listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()));
    });
  });
}
