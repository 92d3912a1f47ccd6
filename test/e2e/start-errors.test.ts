/**
 * What `npm start` says when it cannot start: the real `local/main.ts` in a child process, and
 * its exact stderr and exit code. None of these starts a stack: each is caught before.
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  claimDataDir,
  dataDirError,
  findCorruptStateFile,
  LOCK_FILE,
  MARKER_FILE,
} from '../../local/startup/data-dir';
import { checkNodeVersion } from '../../local/startup/node-version';
import { BUILD_FOLDER } from '../support/sls';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `node [nodeArgs] --import tsx/esm local/main.ts args`, as `npm start -- args` runs it, with `env`. */
function start(
  args: string[],
  options: { nodeArgs?: string[]; env?: Record<string, string> } = {},
): Promise<Run> {
  const nodeArgs = options.nodeArgs ?? [];
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [...nodeArgs, '--import', 'tsx/esm', join(ROOT, 'local/main.ts'), ...args],
      {
        cwd: ROOT,
        // Never the default port 4566, even when a case goes wrong and a stack starts.
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOCAL_PORT: '0', ...options.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    // Each case exits before a stack would start; one that does not is ended before the test times out.
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.once('error', reject);
    // 'close': after the pipes are read to their end ('exit' can come before their last bytes).
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const scratches: string[] = [];
const scratch = () => {
  const dir = mkdtempSync(join(tmpdir(), 'start-errors-'));
  scratches.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of scratches.splice(0)) rmSync(dir, { recursive: true, force: true });
});
/** A folder a local stack made: it carries the marker. */
const stackDataDir = () => {
  const dir = join(scratch(), 'state');
  mkdirSync(dir);
  writeFileSync(join(dir, MARKER_FILE), '');
  return dir;
};
const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** A port something listens on, as LocalStack would on 4566. */
async function busyPort(): Promise<number> {
  const server = createServer();
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('npm start refuses to start, says why and what to do, exit 2, no stack trace', () => {
  it('when its port is in use', async () => {
    const port = await busyPort();
    const run = await start([
      '--port',
      String(port),
      '--no-examples',
      '--data-dir',
      join(scratch(), 'state'),
    ]);
    expect(run).toEqual({
      code: 2,
      stdout: '',
      stderr: `port ${port} is in use (another local stack or LocalStack?): stop it, or start on another port with --port ${port + 1} or LOCAL_PORT=${port + 1}\n`,
    });
  });

  it('when LOCAL_PORT names a port in use', async () => {
    const port = await busyPort();
    const run = await start(['--no-examples', '--data-dir', join(scratch(), 's')], {
      env: { LOCAL_PORT: String(port) },
    });
    expect(run).toEqual({
      code: 2,
      stdout: '',
      stderr: `port ${port} is in use (another local stack or LocalStack?): stop it, or start on another port with --port ${port + 1} or LOCAL_PORT=${port + 1}\n`,
    });
  });

  it('when another stack holds the data dir, and leaves that stack its state', async () => {
    const dataDir = stackDataDir();
    // This test's own process stands for the running stack: its pid is alive.
    writeFileSync(
      join(dataDir, LOCK_FILE),
      JSON.stringify({
        pid: process.pid,
        endpoint: 'http://127.0.0.1:4566',
        startedAt: new Date().toISOString(),
      }),
    );
    writeFileSync(join(dataDir, 'clock.json'), '{"start":1,"speed":60}');
    const run = await start(['--port', '0', '--no-examples', '--data-dir', dataDir]);
    expect(run).toEqual({
      code: 2,
      stdout: '',
      stderr: `another local stack (pid ${process.pid}, http://127.0.0.1:4566) is using the data dir ${dataDir}: stop it (Ctrl-C in its terminal), or give this one its own state with --data-dir <dir> and --port <n>\n`,
    });
    expect(readFileSync(join(dataDir, 'clock.json'), 'utf8')).toBe('{"start":1,"speed":60}');
  });

  it('when the data dir holds files the stack did not create, and touches none of them', async () => {
    const dataDir = join(scratch(), 'mine');
    mkdirSync(join(dataDir, 'sub'), { recursive: true });
    writeFileSync(join(dataDir, 'precious.txt'), 'keep me');
    writeFileSync(join(dataDir, 'sub', 'keep.txt'), 'me too');
    for (const extra of [[], ['--keep-state']]) {
      const run = await start(['--port', '0', '--no-examples', '--data-dir', dataDir, ...extra]);
      expect(run).toEqual({
        code: 2,
        stdout: '',
        stderr: `the data dir ${dataDir} holds files the local stack did not create (precious.txt, sub), and a fresh start would delete them: pass a new or empty folder with --data-dir <dir> (the stack marks it as its own with ${MARKER_FILE})\n`,
      });
      expect(readdirSync(dataDir).sort()).toEqual(['precious.txt', 'sub']);
      expect(readFileSync(join(dataDir, 'sub', 'keep.txt'), 'utf8')).toBe('me too');
    }
  });

  it('when the data dir is the project itself (--data-dir .)', async () => {
    // Other test files write gitignored build folders in the project while this runs, and
    // remove them: .esbuild-test-<pid>/ (bundles) and .serverless/ (`sls invoke local`, seen
    // in a full run). Only the project's own entries are compared.
    const projectEntries = () =>
      readdirSync(ROOT)
        .filter((entry) => !BUILD_FOLDER.test(entry) && entry !== '.serverless')
        .sort();
    const before = projectEntries();
    const run = await start(['--port', '0', '--no-examples', '--data-dir', '.']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(
      /^the data dir \S+ holds files the local stack did not create \(.*\), and a fresh start would delete them/,
    );
    expect(projectEntries()).toEqual(before);
    expect(existsSync(join(ROOT, '.git'))).toBe(true);
  });

  it('when the data dir cannot be a folder (a file is in its way)', async () => {
    const file = join(scratch(), 'a-file');
    writeFileSync(file, 'not a folder');
    const dataDir = join(file, 'state');
    const run = await start(['--port', '0', '--no-examples', '--data-dir', dataDir]);
    expect(run).toEqual({
      code: 2,
      stdout: '',
      stderr: `the data dir ${dataDir} cannot be a folder (ENOTDIR: a file is in its way): pass another folder with --data-dir <dir>, or move that file\n`,
    });
  });

  it('when a state file in the data dir is corrupt and --keep-state asks to keep it', async () => {
    const dataDir = stackDataDir();
    mkdirSync(join(dataDir, 'sagemaker'), { recursive: true });
    const torn = '{"version":1,"jobs":[{"request":';
    writeFileSync(join(dataDir, 'sagemaker', 'jobs.json'), torn);
    const reason = (() => {
      try {
        JSON.parse(torn);
      } catch (error) {
        return (error as Error).message;
      }
    })();
    const run = await start(['--port', '0', '--no-examples', '--keep-state', '--data-dir', dataDir]);
    expect(run).toEqual({
      code: 2,
      stdout: '',
      stderr: `the state file ${join(dataDir, 'sagemaker', 'jobs.json')} is corrupt (${reason}): start without --keep-state to begin with empty state (this empties ${dataDir}), or move that file away and start again\n`,
    });
    // Nothing was emptied, and the lock was given back.
    expect(readFileSync(join(dataDir, 'sagemaker', 'jobs.json'), 'utf8')).toBe(torn);
    expect(existsSync(join(dataDir, LOCK_FILE))).toBe(false);
  });

  it('when Node is older than package.json engines', async () => {
    const oldNode = 'data:text/javascript,Object.defineProperty(process,"version",{value:"v18.19.0"})';
    const run = await start(['--port', '0', '--no-examples', '--data-dir', join(scratch(), 's')], {
      nodeArgs: ['--import', oldNode],
    });
    const { engines } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(engines.node).toBe('>=22.13');
    expect(run).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'Node v18.19.0 is older than this project needs (package.json engines: node >=22.13): install Node 22.13.0 or newer (e.g. `nvm install 22`), then run `npm ci` and `npm start` again\n',
    });
  });

  it('when an option is unknown, with the help', async () => {
    const run = await start(['--bogus']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^Unknown option '--bogus'.*\n\nUsage: npm start -- \[options\]\n/s);
  });
});

describe('the data dir claim', () => {
  it('takes over the lock of a stack that is gone, and gives it back', () => {
    const dataDir = stackDataDir();
    const gone = spawnSync(process.execPath, ['-e', '']).pid;
    writeFileSync(join(dataDir, LOCK_FILE), JSON.stringify({ pid: gone, startedAt: '2026-01-01T00:00:00Z' }));
    writeFileSync(join(dataDir, 'events.jsonl'), '{}\n');
    const claim = claimDataDir(dataDir, { keepState: false });
    expect(JSON.parse(readFileSync(join(dataDir, LOCK_FILE), 'utf8')).pid).toBe(process.pid);
    expect(existsSync(join(dataDir, 'events.jsonl'))).toBe(false);
    claim.release();
    expect(existsSync(join(dataDir, LOCK_FILE))).toBe(false);
  });

  it('marks a new folder as its own, and empties only a marked one at a fresh start', () => {
    const dataDir = join(scratch(), 'fresh', 'state');
    claimDataDir(dataDir, { keepState: false }).release();
    expect(readdirSync(dataDir)).toEqual([MARKER_FILE]);
    writeFileSync(join(dataDir, 'events.jsonl'), '{}\n');
    mkdirSync(join(dataDir, 's3'));
    claimDataDir(dataDir, { keepState: false }).release();
    expect(readdirSync(dataDir)).toEqual([MARKER_FILE]);
  });

  it("resets the project's own .local/ (adopted) even from before the marker, and marks it", () => {
    const dataDir = join(scratch(), '.local');
    mkdirSync(join(dataDir, 's3'), { recursive: true });
    writeFileSync(join(dataDir, 'clock.json'), '{"start":1,"speed":60}');
    expect(() => claimDataDir(dataDir, { keepState: false })).toThrow(/did not create/);
    const claim = claimDataDir(dataDir, { keepState: false, adopt: true });
    expect(readdirSync(dataDir).sort()).toEqual([MARKER_FILE, LOCK_FILE].sort());
    claim.release();
  });

  it('says a folder it may not write is not writable', () => {
    const denied = Object.assign(new Error("EACCES: permission denied, mkdir '/srv/state'"), {
      code: 'EACCES',
    });
    expect(dataDirError('/srv/state', denied).message).toBe(
      'cannot write to the data dir /srv/state (EACCES): pass a folder you can write with --data-dir <dir>, or make this one writable',
    );
  });

  it('does not take a bad manifest the user dropped (in s3/) for a corrupt state file', () => {
    const dataDir = join(scratch(), 'state');
    mkdirSync(join(dataDir, 's3', 'bucket', 'models', 'x'), { recursive: true });
    writeFileSync(join(dataDir, 's3', 'bucket', 'models', 'x', 'optimization.json'), '{ not json');
    writeFileSync(join(dataDir, 'clock.json'), '{"start":1,"speed":60}');
    expect(findCorruptStateFile(dataDir)).toBeUndefined();
  });

  it('accepts this Node, and names the minimum for an older one', () => {
    expect(() => checkNodeVersion(process.version)).not.toThrow();
    expect(() => checkNodeVersion('v20.19.0')).toThrow(
      /^Node v20\.19\.0 is older .* install Node 22\.13\.0 or newer \(e\.g\. `nvm install 22`\)/,
    );
    expect(() => checkNodeVersion('v22.12.0')).toThrow(/install Node 22\.13\.0 or newer/);
    expect(() => checkNodeVersion('v24.0.0')).not.toThrow();
  });
});
