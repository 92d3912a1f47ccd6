/**
 * The flake hunt: `npm run test:repeat -- <n> [--load] [-- vitest args]` runs the whole suite
 * (`npm test`'s vitest run) n times in a row, optionally with one busy loop per core (`--load`,
 * as a shared CI machine has), and prints every test that failed at least once, how often, and
 * its errors. Exit 1 when any run failed. Each run's JSON report and output are kept in
 * test-output/repeat/ for a closer look.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const USAGE = 'Usage: npm run test:repeat -- <n> [--load] [-- <vitest args, e.g. a test file>]';

interface VitestReport {
  numTotalTests: number;
  numFailedTests: number;
  numPassedTests: number;
  numPendingTests: number;
  testResults: {
    name: string;
    status: string;
    message?: string;
    assertionResults: { fullName: string; status: string; failureMessages: string[] }[];
  }[];
}

interface Failure {
  runs: number[];
  errors: string[];
}

const { values, positionals } = parseArgs({
  options: { load: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h' } },
  allowPositionals: true,
});
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const [count, ...vitestArgs] = positionals;
const runs = Number(count);
if (!Number.isInteger(runs) || runs < 1) {
  console.error(`${USAGE}\n<n> must be a whole number of runs, 1 or more; got ${count ?? 'nothing'}`);
  process.exit(2);
}

const root = new URL('../', import.meta.url).pathname;
const outDir = join(root, 'test-output', 'repeat');
mkdirSync(outDir, { recursive: true });

/** One busy loop per core: the load of a machine shared with other jobs. */
function startLoad(): ChildProcess[] {
  return Array.from({ length: availableParallelism() }, () =>
    spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }),
  );
}

function runSuite(index: number): Promise<{ report?: VitestReport; code: number | null; seconds: number }> {
  const reportPath = join(outDir, `run-${index}.json`);
  const logPath = join(outDir, `run-${index}.log`);
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [
        join(root, 'node_modules/vitest/vitest.mjs'),
        'run',
        '--reporter=dot',
        '--reporter=json',
        `--outputFile.json=${reportPath}`,
        ...vitestArgs,
      ],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('exit', (code) => {
      writeFileSync(logPath, output);
      let report: VitestReport | undefined;
      try {
        report = JSON.parse(readFileSync(reportPath, 'utf8')) as VitestReport;
      } catch {
        // No report: the run itself broke; its log says why.
      }
      resolve({ ...(report && { report }), code, seconds: (Date.now() - started) / 1000 });
    });
  });
}

/** An error's message and its first frames outside node_modules. */
function briefly(error: string): string {
  const lines = error.split('\n').filter((line) => !line.includes('node_modules') && line.trim() !== '');
  return lines.slice(0, 5).join('\n    ');
}

const load = values.load ? startLoad() : [];
const stopLoad = () => {
  for (const loop of load) loop.kill('SIGKILL');
};
process.on('exit', stopLoad);
process.on('SIGINT', () => process.exit(130));

console.log(
  `${runs} run(s) of the suite${vitestArgs.length ? ` (${vitestArgs.join(' ')})` : ''}${values.load ? `, with ${load.length} busy loops on the ${availableParallelism()} cores` : ''}; reports in ${outDir}`,
);
const failures = new Map<string, Failure>();
const brokenRuns: number[] = [];
for (let run = 1; run <= runs; run++) {
  const { report, code, seconds } = await runSuite(run);
  if (!report) {
    brokenRuns.push(run);
    console.log(`run ${run}/${runs}: no report (exit ${code}), ${seconds.toFixed(0)} s: see run-${run}.log`);
    continue;
  }
  for (const file of report.testResults) {
    const failed = file.assertionResults.filter((test) => test.status === 'failed');
    // A file that failed outside any test (a hook, an import) has no failed assertion result.
    const entries =
      failed.length > 0
        ? failed.map((test) => ({ name: `${file.name} › ${test.fullName}`, errors: test.failureMessages }))
        : file.status === 'failed'
          ? [{ name: `${file.name} (the file)`, errors: [file.message ?? 'failed'] }]
          : [];
    for (const entry of entries) {
      const name = entry.name.replace(root, '');
      const failure = failures.get(name) ?? { runs: [], errors: [] };
      failure.runs.push(run);
      failure.errors.push(...entry.errors.map((e) => `run ${run}: ${briefly(e)}`));
      failures.set(name, failure);
    }
  }
  console.log(
    `run ${run}/${runs}: ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${report.numPendingTests} skipped; exit ${code}; ${seconds.toFixed(0)} s`,
  );
}
stopLoad();

console.log('');
if (failures.size === 0 && brokenRuns.length === 0) {
  console.log(`No test failed in ${runs} run(s).`);
} else {
  console.log(`${failures.size} test(s) failed at least once:`);
  for (const [name, failure] of failures) {
    console.log(`\n✗ ${name}: failed in run(s) ${failure.runs.join(', ')} of ${runs}`);
    for (const error of failure.errors) console.log(`    ${error}`);
  }
  if (brokenRuns.length) console.log(`\nrun(s) ${brokenRuns.join(', ')} gave no report: see their logs`);
}
process.exit(failures.size === 0 && brokenRuns.length === 0 ? 0 : 1);
