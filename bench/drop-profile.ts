/**
 * npm run bench:drop-profile — where the local stack's CPU goes while it takes one model upload.
 * Writes a synthetic model folder (bench/drop/synthetic-model.ts) under os.tmpdir(), starts a
 * fresh local stack in a child process under V8's sampling profiler (`node --cpu-prof`), and
 * uploads the folder once with each client in turn, each on its own stack: `model-opt drop` and
 * `aws s3 cp --recursive` (skipped when the AWS CLI is missing). Only the samples taken while the
 * upload ran count; the job the upload starts afterwards does not. Prints a Markdown summary:
 * the stack's CPU seconds per GiB from /proc (every thread), and the main thread's busy time by
 * kind of work and by function, from the profile. Method and figures: docs/benchmarks.md, "Drop".
 *
 *   npm run bench:drop-profile -- [--size 1] [--shards 4] [--clients model-opt,aws]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startChildStack } from '../local/startup/child-stack';
import { clientEnvFor } from '../local/wiring/client-env';
import { type MeasuredRun, procStats, startMeasured } from './drop/measured-process';
import { type CpuProfile, summariseProfile } from './drop/profile-summary';
import { writeSyntheticModel } from './drop/synthetic-model';

const ROOT = new URL('../', import.meta.url).pathname;
const CLIENTS = ['model-opt', 'aws'] as const;
type ClientName = (typeof CLIENTS)[number];

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: '1' },
    shards: { type: 'string', default: '4' },
    clients: { type: 'string', default: CLIENTS.join(',') },
  },
});
const sizeBytes = Number(values.size) * 2 ** 30;
const shards = Number(values.shards);
const clients = values.clients.split(',') as ClientName[];
if (!(sizeBytes > 0) || !(shards >= 1) || clients.some((c) => !CLIENTS.includes(c))) {
  console.error('usage: npm run bench:drop-profile -- [--size 1] [--shards 4] [--clients model-opt,aws]');
  process.exit(2);
}
const log = (line: string) => process.stderr.write(`${line}\n`);
/** CLOCK_MONOTONIC in µs: the time base of V8's profile timestamps on Linux. */
const monotonicMicros = () => Number(process.hrtime.bigint() / 1000n);

const work = mkdtempSync(join(tmpdir(), 'mop-bench-profile-'));
try {
  log(`writing a ${values.size} GiB model (${shards} shards) under ${work}`);
  const model = writeSyntheticModel(join(work, 'model'), {
    shards,
    shardBytes: Math.floor(sizeBytes / shards),
  });
  const gib = model.bytes / 2 ** 30;
  console.log(`## Drop profile: one ${gib.toFixed(2)} GiB upload of a model folder per client\n`);
  for (const client of clients) {
    if (client === 'aws' && spawnSync('aws', ['--version']).status !== 0) {
      console.log('The AWS CLI row is skipped: `aws` is not installed.\n');
      continue;
    }
    const profileDir = join(work, `profile-${client}`);
    mkdirSync(profileDir);
    const stack = await startChildStack({
      dataDir: join(work, `stack-${client}`),
      speed: 60,
      nodeArgs: ['--cpu-prof', '--cpu-prof-dir', profileDir, '--cpu-prof-interval', '500'],
    });
    const env = { ...process.env, ...clientEnvFor(stack.endpoint, 'us-east-1') };
    let window: { from: number; to: number; stackCpu: number; run: MeasuredRun };
    try {
      const bucket = spawnSync(
        'aws',
        ['s3api', 'list-buckets', '--query', 'Buckets[].Name', '--output', 'text'],
        {
          env,
          encoding: 'utf8',
        },
      )
        .stdout.split(/\s+/)
        .find((name) => name.includes('-models-'));
      log(`${client}: uploading to ${stack.endpoint}`);
      const cpuBefore = procStats(stack.pid)?.cpuSeconds ?? 0;
      const from = monotonicMicros();
      const run =
        client === 'model-opt'
          ? await startMeasured(
              process.execPath,
              [join(ROOT, 'bin/model-opt.js'), 'drop', model.folder, '--model-id', 'profiled', '--json'],
              env,
            ).done
          : await startMeasured(
              'aws',
              ['s3', 'cp', '--recursive', '--quiet', model.folder, `s3://${bucket}/models/profiled/`],
              env,
            ).done;
      const to = monotonicMicros();
      const stackCpu = (procStats(stack.pid)?.cpuSeconds ?? 0) - cpuBefore;
      if (run.code !== 0) throw new Error(`${client} upload failed: ${run.stderr}`);
      window = { from, to, stackCpu, run };
      log(`  ${run.seconds.toFixed(1)} s, stack CPU ${stackCpu.toFixed(1)} s`);
    } finally {
      // SIGTERM: the stack exits on its own, and V8 writes the profile as it does.
      await stack.stop();
    }
    const file = readdirSync(profileDir).find((name) => name.endsWith('.cpuprofile'));
    if (!file) throw new Error(`the stack wrote no profile into ${profileDir}`);
    const profile = JSON.parse(readFileSync(join(profileDir, file), 'utf8')) as CpuProfile;
    const summary = summariseProfile(profile, window.from, window.to);
    const label = client === 'model-opt' ? '`model-opt drop <folder>`' : '`aws s3 cp --recursive`';
    console.log(`### ${label}\n`);
    console.log(
      `${window.run.seconds.toFixed(1)} s (${(model.bytes / 2 ** 20 / window.run.seconds).toFixed(0)} MiB/s). ` +
        `Stack CPU, every thread (/proc): ${(window.stackCpu / gib).toFixed(2)} s/GiB. ` +
        `Main thread busy in the profile: ${(summary.busyMicros / 1e6 / gib).toFixed(2)} s/GiB ` +
        `(${summary.samples} samples).\n`,
    );
    console.log('| kind of work | share of busy main thread | s/GiB |\n|---|--:|--:|');
    for (const kind of summary.kinds) {
      console.log(
        `| ${kind.name} | ${((100 * kind.micros) / summary.busyMicros).toFixed(1)} % | ${(kind.micros / 1e6 / gib).toFixed(2)} |`,
      );
    }
    console.log('\n<details><summary>top functions by self time</summary>\n');
    console.log('| function | where | share |\n|---|---|--:|');
    for (const fn of summary.functions.slice(0, 15)) {
      console.log(`| ${fn.name} | ${fn.where} | ${((100 * fn.micros) / summary.busyMicros).toFixed(1)} % |`);
    }
    console.log('\n</details>\n');
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
