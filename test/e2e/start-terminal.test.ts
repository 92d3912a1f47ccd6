/**
 * `npm start` as a user runs it, in a terminal: under a pseudo-terminal (`script` from
 * util-linux), so `isTTY` is true for real, with the bytes it writes fed into a terminal
 * emulator whose screen the assertions read. Slow (a whole stack and the four examples).
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { LOCK_FILE } from '../../local/startup/data-dir';
import { logicalLines, type ScreenRow, type VirtualTerminal, virtualTerminal } from '../support/terminal';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RUN_TIMEOUT_MS = 240_000;

interface PtyRun {
  term: VirtualTerminal;
  child: ChildProcessWithoutNullStreams;
  exited: Promise<number | null>;
}

const children: ChildProcessWithoutNullStreams[] = [];
const scratches: string[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  for (const dir of scratches.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A data dir of its own, removed after the test. */
function scratchDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'start-terminal-'));
  scratches.push(dir);
  return join(dir, 'state');
}

/** `npm start -- args` in a `columns` × `rows` pseudo-terminal. */
function npmStartInTerminal(args: string[], columns: number, rows: number): PtyRun {
  const term = virtualTerminal(columns, rows);
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_')));
  // noflsh: a terminal discards the output it has not yet shown when Ctrl-C is typed. The test
  // types Ctrl-C while the stack writes, so under load that discarded "Stopped…" (CI).
  const command = `stty cols ${columns} rows ${rows} noflsh; exec npm start -- ${args.join(' ')}`;
  const child = spawn('script', ['--quiet', '--return', '--command', command, '/dev/null'], {
    cwd: ROOT,
    env: { ...env, LOCAL_PORT: '0', TERM: 'xterm-256color' },
  });
  children.push(child);
  child.stdout.on('data', (data: Buffer) => term.stdout.write(data));
  // 'close', not 'exit': 'exit' can come before the last bytes the process wrote have been read
  // (CI, under load: the screen ended at "Stopping the local stack…", its next line unread).
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return { term, child, exited };
}

/** Waits until the screen shows `text` (bounded, so a hung start fails instead of hanging). */
async function waitForScreen(run: PtyRun, text: string): Promise<void> {
  const deadline = Date.now() + RUN_TIMEOUT_MS;
  while (!run.term.screen().some((row) => row.includes(text))) {
    if (run.child.exitCode !== null || Date.now() > deadline)
      throw new Error(`never showed "${text}":\n${run.term.screen().join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const texts = (rows: ScreenRow[]) => rows.map((r) => r.text.trimEnd());
/** Rows of the drop table: a job name followed by a status. */
const tableRows = (rows: ScreenRow[]) =>
  texts(rows).filter((t) =>
    /^\S.*\s(DROPPED|STARTING|INPROGRESS|STOPPING|COMPLETED|FAILED|STOPPED|REJECTED)\s/.test(t),
  );

describe('npm start in a real terminal', () => {
  it(
    'leaves a clean 160x45 screen with --once: the banner, the examples, one final table, the events and the verdict',
    async () => {
      const dataDir = scratchDataDir();
      const run = npmStartInTerminal(['--once', '--data-dir', dataDir], 160, 45);
      expect(await run.exited).toBe(0);
      await run.term.settle();

      const all = run.term.rows();
      expect(all.filter((r) => r.wrapped || r.text.length > 160).map((r) => r.text)).toEqual([]);
      const lines = texts(all);
      const once = (line: string) =>
        expect(
          lines.filter((l) => l === line),
          line,
        ).toHaveLength(1);
      once('model-optimization-pipeline local stack (stage local, clock ×60)');
      once('Dropped 4 examples:');
      once(
        'DROP                                            JOB                               STATUS     ELAPSED  LAST EVENT',
      );
      // One row per drop, each once, every one settled as its example expects.
      const table = tableRows(all);
      expect(table.map((row) => row.split(/\s+/)[0]).sort()).toEqual([
        'models/broken-model/optimization.json',
        'models/tiny-llm-bad-manifest/optimization.json',
        'models/tiny-llm-folder/optimization.json',
        'models/tiny-llm.tar.gz',
      ]);
      expect(table.map((row) => row.split(/\s+/)[2]).sort()).toEqual([
        'COMPLETED',
        'COMPLETED',
        'FAILED',
        'REJECTED',
      ]);
      // The final screen: the table, the events, the verdict last.
      const screen = run.term.screen().map((row) => row.trimEnd());
      const header = screen.findIndex((row) => row.startsWith('DROP '));
      expect(header).toBeGreaterThanOrEqual(0);
      expect(screen.slice(header + 1, header + 5)).toEqual(table);
      expect(screen.filter(Boolean).at(-1)).toBe('✓ all 4 example drops settled as expected');
      expect(existsSync(join(dataDir, LOCK_FILE))).toBe(false);
    },
    RUN_TIMEOUT_MS + 30_000,
  );

  it(
    'stops on Ctrl-C at 80x24, repeats included, leaving the narrow table and where the state is kept',
    async () => {
      const dataDir = scratchDataDir();
      const run = npmStartInTerminal(['--data-dir', dataDir], 80, 24);
      await waitForScreen(run, 'Serving. Ctrl-C to stop.');
      await waitForScreen(run, 'JOB (OR DROP)');
      expect(existsSync(join(dataDir, LOCK_FILE))).toBe(true);
      // Ctrl-C typed at the terminal: the line discipline sends SIGINT to npm, tsx and the stack,
      // and npm relays it again, maybe after the stack has begun to stop. That repeat must
      // not cut the stop short (CI saw one keypress end it without "Stopped."): a second Ctrl-C,
      // typed once the stop has begun, stands for it.
      let repeated = false;
      run.child.stdout.on('data', (data: Buffer) => {
        if (repeated || !data.toString().includes('Stopping the local stack…')) return;
        repeated = true;
        run.child.stdin.write('\x03');
      });
      run.child.stdin.write('\x03');
      await run.exited;
      await run.term.settle();

      const all = run.term.rows();
      const table = tableRows(all);
      expect(table).toHaveLength(4);
      expect(texts(all).filter((t) => t.startsWith('JOB (OR DROP)'))).toHaveLength(1);
      expect(all.filter((r) => r.text.length > 80)).toEqual([]);
      // The table as it stood, then the stop, last on screen.
      // (The terminal echoes each Ctrl-C as ^C where the cursor stands.)
      const lines = logicalLines(all)
        .map((line) => line.replace(/^(\^C)+/, ''))
        .filter(Boolean);
      expect(lines.slice(-4)).toEqual([
        'Stopping the local stack…',
        `Stopped. The state is kept in ${dataDir}`,
        '  npm start -- --keep-state   continues from it',
        '  npm start                   starts empty',
      ]);
      expect(lines.slice(-9, -4)).toEqual([expect.stringMatching(/^JOB \(OR DROP\)/), ...table]);
      expect(existsSync(join(dataDir, LOCK_FILE))).toBe(false);
    },
    RUN_TIMEOUT_MS + 30_000,
  );
});
