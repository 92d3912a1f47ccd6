/**
 * npm run bench:drop — how fast `model-opt drop` uploads a model to the local stack, beside the
 * AWS CLI and a raw HTTP upload of the same bytes, and what the stack's memory does meanwhile.
 * For each size: a synthetic model folder (shards of incompressible bytes plus the small files)
 * and a `.tar.gz` of it are written under os.tmpdir() and removed afterwards; a fresh local stack
 * runs in a child process; each row uploads the same bytes in turn. Progress on stderr, a
 * Markdown report on stdout. Method and figures: docs/benchmarks.md, "Drop".
 *
 *   npm run bench:drop -- [--sizes 1,4] [--shards 4] [--runs 1] [--rows cli-folder,folder]
 *
 * `--sizes` are GiB per model (decimals allowed, e.g. 0.25); `--runs` repeats every row, in turn,
 * and the report gives medians (ratios are taken run by run, then their median). `--rows` runs
 * only the rows named (ceiling, cli-folder, cli-archive, folder, archive, resumed); a row's ratio
 * needs its AWS CLI row.
 */
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { median } from './cold/runs';
import { benchSize, ROW_KEYS, type Row, type RowName, type SizeResult, YARDSTICK } from './drop/run-drop';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1,4' },
    shards: { type: 'string', default: '4' },
    runs: { type: 'string', default: '1' },
    rows: { type: 'string' },
  },
});
const sizes = values.sizes.split(',').map((s) => Number(s) * 2 ** 30);
const shards = Number(values.shards);
const runs = Number(values.runs);
const rowKeys = values.rows?.split(',');
const rows = rowKeys && new Set(rowKeys.map((key) => ROW_KEYS[key]).filter((r): r is RowName => !!r));
if (
  sizes.some((s) => !(s > 0)) ||
  !(shards >= 1) ||
  !(runs >= 1) ||
  (rowKeys && rows?.size !== rowKeys.length)
) {
  console.error(
    `usage: npm run bench:drop -- [--sizes 1,4] [--shards 4] [--runs 1] [--rows ${Object.keys(ROW_KEYS).join(',')}]`,
  );
  process.exit(2);
}

const log = (line: string) => process.stderr.write(`${line}\n`);
const mib = (bytes: number | undefined) =>
  bytes === undefined ? 'n/a' : `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const medianOf = (rows: Row[], pick: (row: Row) => number | undefined) => {
  const picked = rows.map(pick).filter((v): v is number => v !== undefined);
  return picked.length ? median(picked) : undefined;
};

const load = loadavg();
log(
  `bench:drop: sizes ${values.sizes} GiB, ${shards} shards, ${runs} run(s); ${cpus().length} cores, load ${load.map((l) => l.toFixed(1)).join(' ')}`,
);
const results: SizeResult[] = [];
for (const sizeBytes of sizes)
  results.push(await benchSize({ sizeBytes, shards, runs, log, ...(rows && { rows }) }));
const loadAfter = loadavg();

console.log(
  `## Drop: ${runs} run(s) per row, ${cpus().length} cores, load average ${load[0]?.toFixed(1)} before, ${loadAfter[0]?.toFixed(1)} after\n`,
);
for (const result of results) {
  const gib = result.sizeBytes / 2 ** 30;
  console.log(
    `### ${gib.toFixed(2)} GiB model (${result.shards} shards of ${mib(result.sizeBytes / result.shards)} and 5 small files)\n`,
  );
  if (result.awsCliSkipped) console.log(`The AWS CLI row is skipped: ${result.awsCliSkipped}.\n`);
  console.log(
    '| upload | MiB/s | × AWS CLI (same bytes) | client peak RSS | client CPU s/GiB | stack CPU s/GiB | stack peak RSS, upload | stack peak RSS, job | note |',
  );
  console.log('|---|--:|--:|--:|--:|--:|--:|--:|---|');
  const names = [...new Set(result.rows.map((r) => r.name))];
  for (const name of names) {
    const rows = result.rows.filter((r) => r.name === name);
    const rate = (r: Row) => r.sentBytes / 2 ** 20 / r.seconds;
    const perGib = (seconds: number | undefined, r: Row) =>
      seconds === undefined || r.sentBytes === 0 ? undefined : seconds / (r.sentBytes / 2 ** 30);
    const ratios = rows
      .map((r) => {
        const yardstick = result.rows.find((a) => a.name === YARDSTICK[r.name] && a.run === r.run);
        return yardstick && r.sentBytes > 0 ? rate(r) / rate(yardstick) : undefined;
      })
      .filter((v): v is number => v !== undefined);
    const cpu = (v: number | undefined) => (v === undefined ? 'n/a' : v.toFixed(1));
    const cells = [
      name,
      (medianOf(rows, rate) ?? 0).toFixed(1),
      ratios.length ? `${median(ratios).toFixed(2)}×` : 'n/a',
      mib(medianOf(rows, (r) => r.clientPeakRss)),
      cpu(medianOf(rows, (r) => perGib(r.clientCpuSeconds, r))),
      cpu(medianOf(rows, (r) => perGib(r.stackCpuSeconds, r))),
      mib(medianOf(rows, (r) => r.stackUploadPeakRss)),
      rows.some((r) => r.stackJobPeakRss !== undefined) ? mib(medianOf(rows, (r) => r.stackJobPeakRss)) : '—',
      rows
        .map((r) => r.note)
        .filter(Boolean)
        .join('; '),
    ];
    console.log(`| ${cells.join(' | ')} |`);
  }
  console.log(
    `\nStack peak RSS over the whole ${gib.toFixed(2)} GiB run (getrusage): ${mib(result.stackMaxRss)}.\n`,
  );
  const perRun = result.rows.map(
    (r) =>
      `${r.name} #${r.run + 1}: ${r.seconds.toFixed(1)} s, ${(r.sentBytes / 2 ** 20 / r.seconds).toFixed(1)} MiB/s`,
  );
  console.log(
    `<details><summary>every run</summary>\n\n${perRun.map((l) => `- ${l}`).join('\n')}\n\n</details>\n`,
  );
}
if (results.length > 1) {
  const peaks = results.map((r) => `${(r.sizeBytes / 2 ** 30).toFixed(2)} GiB: ${mib(r.stackMaxRss)}`);
  const first = results[0]?.stackMaxRss ?? 1;
  const last = results.at(-1)?.stackMaxRss ?? 1;
  console.log(
    `Stack peak RSS by model size: ${peaks.join(', ')} (largest / smallest: ${(last / first).toFixed(2)}).`,
  );
}
