/**
 * npm run bench:cold — what each deployable function costs at cold start. Packages the service
 * with `sls package` (so the bundles are exactly the deployed ones), unzips every artifact and
 * loads each bundle in a fresh node process with a Lambda-like environment: module load plus
 * the handler's init code, nothing invoked. Reports, side by side from one set of alternating
 * rounds: bundle size, load time as a multiple of a bare node process, peak RSS; the naive
 * esbuild baseline; and the experiments behind the settings (SDK external, no Tracer, source
 * maps). Progress goes to stderr, the report (Markdown) to stdout.
 *
 * Options: --runs N (rounds, default 15, at least 10), --no-experiments, --keep (keep the
 * temporary folder). Method and figures: docs/benchmarks.md, "Cold start".
 */
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, machine, release, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import type { BuildOptions } from 'esbuild';
import { budgetFor, kb } from './cold/budgets';
import {
  type Built,
  buildHandler,
  contributors,
  NAIVE_OPTIONS,
  slsEsbuildOptions,
  withoutTracer,
} from './cold/builds';
import { type PackagedFunction, packagedFunctions, readPackagedTemplate } from './cold/functions';
import { lambdaEnv } from './cold/lambda-env';
import { packagedBuildConfig, ROOT, slsPackage } from './cold/package';
import { type LoadRow, measureAlternating, median, type RowResult } from './cold/runs';

interface Experiment {
  id: string;
  label: string;
  options: (sls: BuildOptions) => BuildOptions;
  nodeFlags?: string[];
  /** Resolve `@aws-sdk/*` from node_modules at run time, as Lambda's NODE_PATH does its own SDK. */
  sdkOnNodePath?: boolean;
}

const EXPERIMENTS: Experiment[] = [
  {
    id: 'sdk-external',
    label: '@aws-sdk/* external (runtime SDK)',
    options: (sls) => ({ ...sls, external: [...(sls.external ?? []), '@aws-sdk/*'] }),
    sdkOnNodePath: true,
  },
  {
    id: 'no-tracer',
    label: 'without Powertools Tracer (stubbed)',
    options: (sls) => ({ ...sls, plugins: [withoutTracer] }),
  },
  {
    id: 'map-lean',
    label: 'linked map, no sourcesContent, --enable-source-maps',
    options: (sls) => ({ ...sls, sourcemap: 'linked', sourcesContent: false }),
    nodeFlags: ['--enable-source-maps'],
  },
  {
    id: 'map-full',
    label: 'linked map with sourcesContent, --enable-source-maps',
    options: (sls) => ({ ...sls, sourcemap: 'linked' }),
    nodeFlags: ['--enable-source-maps'],
  },
];

interface ReportRow {
  fn: string;
  label: string;
  bundleBytes: number;
  mapBytes?: number;
  zipBytes?: number;
  budget?: string;
  load: LoadRow;
}

function parseArgs(argv: string[]) {
  const runsAt = argv.indexOf('--runs');
  const runs = runsAt >= 0 ? Number(argv[runsAt + 1]) : 15;
  if (!Number.isInteger(runs) || runs < 10) throw new Error('--runs must be an integer ≥ 10');
  return { runs, experiments: !argv.includes('--no-experiments'), keep: argv.includes('--keep') };
}

const log = (message: string) => process.stderr.write(`${message}\n`);

function unzipTo(fn: PackagedFunction, dir: string): string {
  for (const file of fn.files) {
    const path = join(dir, file.name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, file.read());
  }
  return join(dir, fn.entry.name);
}

function budgetCell(fn: PackagedFunction): string {
  const { budget, goal, explicit } = budgetFor(fn.name);
  const size = fn.entry.size;
  const mark = (limit: number) => (size <= limit ? 'met' : 'over');
  return `≤ ${kb(budget)}${explicit ? '' : ' (default)'} ${mark(budget)}; goal ${kb(goal)} ${mark(goal)}`;
}

function sizeCell(bytes: number, mapBytes = 0): string {
  return mapBytes ? `${kb(bytes)} + ${kb(mapBytes)} map` : kb(bytes);
}

function printTable(title: string, rows: ReportRow[], results: Map<string, RowResult>, bareMs: number) {
  console.log(`\n${title}\n`);
  console.log(
    '| function | build | bundle | zip | load (ms) | × bare node | require + init (ms) | peak RSS (MiB) | size budget |',
  );
  console.log('|---|---|--:|--:|--:|--:|--:|--:|---|');
  for (const row of rows) {
    const result = results.get(row.load.key) as RowResult;
    const head = `| ${row.fn} | ${row.label} | ${sizeCell(row.bundleBytes, row.mapBytes)} | ${row.zipBytes ? kb(row.zipBytes) : '—'}`;
    if (result.error || result.samples.length === 0) {
      console.log(`${head} | failed: ${result.error ?? 'no samples'} | | | | ${row.budget ?? ''} |`);
      continue;
    }
    const wall = median(result.samples.map((s) => s.wallMs));
    const init = median(result.samples.map((s) => s.requireMs));
    const rss = median(result.samples.map((s) => s.maxRssKiB)) / 1024;
    console.log(
      `${head} | ${wall.toFixed(1)} | ${(wall / bareMs).toFixed(2)} | ${init.toFixed(1)} | ${rss.toFixed(1)} | ${row.budget ?? ''} |`,
    );
  }
}

async function main() {
  const { runs, experiments, keep } = parseArgs(process.argv.slice(2));
  const work = mkdtempSync(join(tmpdir(), 'mop-cold-'));
  const packageDir = join(work, 'package');
  log(`sls package --stage ci → ${packageDir}`);
  await slsPackage(packageDir);

  const template = readPackagedTemplate(packageDir);
  const functions = packagedFunctions(packageDir, template);
  const config = packagedBuildConfig(packageDir);
  const slsOptions = slsEsbuildOptions(config.esbuild, config.runtime);
  log(`functions: ${functions.map((f) => f.name).join(', ')}`);

  const packagedRows: ReportRow[] = [];
  const experimentRows: ReportRow[] = [];
  const rebuilt = new Map<string, { built: Built; identical: boolean }>();
  for (const fn of functions) {
    const dir = join(work, fn.name);
    const env = lambdaEnv(fn, template, join(dir, 'packaged'));
    const row = (id: string, file: string, extra: Partial<LoadRow> = {}): LoadRow => ({
      key: `${fn.name}/${id}`,
      bundle: { file, exportName: fn.exportName },
      env,
      ...extra,
    });
    packagedRows.push({
      fn: fn.name,
      label: 'sls package (serverless.yml)',
      bundleBytes: fn.entry.size,
      zipBytes: statSync(fn.zipPath).size,
      budget: budgetCell(fn),
      load: row('packaged', unzipTo(fn, join(dir, 'packaged'))),
    });

    log(`${fn.name}: esbuild rebuilds`);
    const built = await buildHandler(fn.modulePath, slsOptions, join(dir, 'rebuilt'));
    rebuilt.set(fn.name, {
      built,
      identical: Buffer.compare(Buffer.from(built.code), fn.entry.read()) === 0,
    });
    const naive = await buildHandler(fn.modulePath, NAIVE_OPTIONS, join(dir, 'naive'));
    packagedRows.push({
      fn: fn.name,
      label: 'naive baseline: esbuild cjs, default mainFields, no minify',
      bundleBytes: naive.bytes,
      load: row('naive', naive.file),
    });
    if (!experiments) continue;
    for (const experiment of EXPERIMENTS) {
      const variant = await buildHandler(
        fn.modulePath,
        experiment.options(slsOptions),
        join(dir, experiment.id),
      );
      const nodePath: Record<string, string> = experiment.sdkOnNodePath
        ? { NODE_PATH: join(ROOT, 'node_modules') }
        : {};
      experimentRows.push({
        fn: fn.name,
        label: experiment.label,
        bundleBytes: variant.bytes,
        mapBytes: variant.mapBytes,
        load: row(experiment.id, variant.file, {
          env: { ...env, ...nodePath },
          nodeFlags: experiment.nodeFlags,
        }),
      });
    }
  }

  const bare: LoadRow = { key: 'bare', env: lambdaEnv(functions[0] as PackagedFunction, template, work) };
  const rows = [bare, ...[...packagedRows, ...experimentRows].map((r) => r.load)];
  log(`${runs} alternating rounds over ${rows.length} rows`);
  const results = measureAlternating(rows, runs, (round) => log(`  round ${round}/${runs}`));
  const bareSamples = (results.get('bare') as RowResult).samples;
  const bareMs = median(bareSamples.map((s) => s.wallMs));
  const bareRss = median(bareSamples.map((s) => s.maxRssKiB)) / 1024;

  const cpu = cpus();
  console.log('## Cold start (npm run bench:cold)\n');
  console.log(
    `Machine: ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ` +
      `Linux ${release()}, uname -m ${machine()}; node ${process.version} ` +
      `(Lambda: ${config.runtime}). Medians of ${runs} alternating rounds; bare node ` +
      `(the loader with nothing to load): ${bareMs.toFixed(1)} ms, ${bareRss.toFixed(1)} MiB. KB = 1024 bytes.`,
  );
  printTable('### Deployed bundles and the naive baseline', packagedRows, results, bareMs);
  if (experiments) {
    printTable('### Experiments (not deployed; same rounds)', experimentRows, results, bareMs);
  }

  console.log('\n### Where the bytes come from (esbuild metafile, the packaged settings)\n');
  for (const fn of functions) {
    const { built, identical } = rebuilt.get(fn.name) as { built: Built; identical: boolean };
    const top = contributors(built.metafile)
      .slice(0, 10)
      .map((c) => `${c.name} ${kb(c.bytes)} (${((100 * c.bytes) / built.bytes).toFixed(0)} %)`);
    const check = identical
      ? 'rebuild identical to the packaged bundle'
      : 'rebuild DIFFERS from the packaged bundle';
    console.log(`- **${fn.name}** (${kb(built.bytes)}; ${check}): ${top.join(', ')}`);
  }
  if (keep) log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}

main().catch((error: unknown) => {
  log(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exitCode = 1;
});
