/**
 * The local stack listens on exactly one TCP port: the edge's, behind its one guard. Every
 * service (S3 included) is served there; nothing else in its process tree listens. The real
 * `local/main.ts` runs in a child process, and its listening sockets are read from /proc.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dataDir = join(mkdtempSync(join(tmpdir(), 'one-listener-')), 'state');
let child: ChildProcess | undefined;

afterAll(() => {
  child?.kill('SIGKILL');
  rmSync(join(dataDir, '..'), { recursive: true, force: true });
});

/** The process and its descendants, from /proc's parent links. */
function processTree(root: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(Number(entry), ppid);
    } catch {
      // gone meanwhile
    }
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++)
    for (const [pid, ppid] of parents) if (ppid === tree[i]) tree.push(pid);
  return tree;
}

/** The ports the processes listen on (TCP, v4 and v6), from their sockets' inodes. */
function listeningPorts(pids: number[]): number[] {
  const inodes = new Set<string>();
  for (const pid of pids) {
    let fds: string[] = [];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const socket = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1];
        if (socket) inodes.add(socket);
      } catch {
        // closed meanwhile
      }
    }
  }
  const ports: number[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      // st 0A is LISTEN; field 9 is the socket's inode.
      if (fields[3] === '0A' && inodes.has(fields[9] ?? ''))
        ports.push(Number.parseInt(fields[1]?.split(':')[1] ?? '', 16));
    }
  }
  return ports.sort((a, b) => a - b);
}

it('listens on one TCP port, the endpoint it prints', { timeout: 120_000 }, async () => {
  child = spawn(
    process.execPath,
    ['--import', 'tsx/esm', join(ROOT, 'local/main.ts'), '--no-examples', '--quiet', '--data-dir', dataDir],
    {
      cwd: ROOT,
      env: { ...process.env, LOCAL_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const endpoint = await new Promise<string>((resolve, reject) => {
    child?.stdout?.on('data', (chunk) => {
      output += chunk;
      const found = /endpoint\s+(http:\/\/\S+)/.exec(output)?.[1];
      if (found && output.includes('Serving.')) resolve(found);
    });
    child?.stderr?.on('data', (chunk) => (output += chunk));
    child?.once('exit', (code) =>
      reject(new Error(`the stack exited (${code}) before it served:\n${output}`)),
    );
  });
  // Each service answers on it: S3 (a listing) and a JSON-protocol one.
  const bucket = /bucket\s+(\S+)/.exec(output)?.[1];
  expect((await fetch(`${endpoint}/${bucket}?list-type=2`)).status).toBe(200);
  expect((await fetch(`${endpoint}/_local/health`)).status).toBe(200);

  const port = Number(new URL(endpoint).port);
  expect(listeningPorts(processTree(child.pid as number))).toEqual([port]);
});
