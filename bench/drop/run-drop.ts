/**
 * One size of `npm run bench:drop`: a synthetic model folder and its `.tar.gz`, uploaded to a
 * local stack in a child process by each contender in turn, and measured (see bench/drop.ts).
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import {
  DeleteObjectsCommand,
  ListBucketsCommand,
  ListObjectVersionsCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { pipelineQueuesBusy } from '../../harness/drop-audit';
import type { S3RequestRecord } from '../../local/diagnostics/s3-request-log';
import { type ChildStack, type StackStats, startChildStack } from '../../local/startup/child-stack';
import { clientEnvFor } from '../../local/wiring/client-env';
import { listModelFolder, tarGzStream } from '../../src/client';
import { type MeasuredRun, procStats, startMeasured } from './measured-process';
import { writeSyntheticModel } from './synthetic-model';

const ROOT = new URL('../../', import.meta.url).pathname;
const MODEL_OPT = join(ROOT, 'bin/model-opt.js');

export type RowName =
  | 'raw HTTP PUT (ceiling)'
  | 'aws s3 cp --recursive'
  | 'aws s3 cp <.tar.gz>'
  | 'model-opt drop <folder>'
  | 'model-opt drop <.tar.gz>'
  | 'model-opt drop <folder>, resumed after a kill with ~50% in place';

/** Short names for `--rows`, to run only some rows. */
export const ROW_KEYS: Record<string, RowName> = {
  ceiling: 'raw HTTP PUT (ceiling)',
  'cli-folder': 'aws s3 cp --recursive',
  'cli-archive': 'aws s3 cp <.tar.gz>',
  folder: 'model-opt drop <folder>',
  archive: 'model-opt drop <.tar.gz>',
  resumed: 'model-opt drop <folder>, resumed after a kill with ~50% in place',
};

/** The AWS CLI row each row is compared with: the same bytes, as files or as the one archive. */
export const YARDSTICK: Record<RowName, RowName> = {
  'raw HTTP PUT (ceiling)': 'aws s3 cp --recursive',
  'aws s3 cp --recursive': 'aws s3 cp --recursive',
  'aws s3 cp <.tar.gz>': 'aws s3 cp <.tar.gz>',
  'model-opt drop <folder>': 'aws s3 cp --recursive',
  'model-opt drop <.tar.gz>': 'aws s3 cp <.tar.gz>',
  'model-opt drop <folder>, resumed after a kill with ~50% in place': 'aws s3 cp --recursive',
};

/** One measured upload. */
export interface Row {
  name: RowName;
  run: number;
  /** Bytes the model has, and bytes this run sent. */
  modelBytes: number;
  sentBytes: number;
  seconds: number;
  /** Peak RSS and CPU of the uploading process (undefined for the in-process ceiling, or off Linux). */
  clientPeakRss?: number;
  clientCpuSeconds?: number;
  /** CPU the stack spent while this row uploaded. */
  stackCpuSeconds?: number;
  /** The stack's peak RSS (sampled) while this row uploaded, and during the job it started. */
  stackUploadPeakRss: number;
  stackJobPeakRss?: number;
  note?: string;
}

export interface SizeResult {
  sizeBytes: number;
  shards: number;
  rows: Row[];
  /** The stack process's peak RSS over the whole size (getrusage). */
  stackMaxRss: number;
  /** Why the AWS CLI row is missing, if it is. */
  awsCliSkipped?: string;
}

export interface SizeOptions {
  sizeBytes: number;
  shards: number;
  runs: number;
  /** The rows to run; all when absent. */
  rows?: ReadonlySet<RowName>;
  log: (line: string) => void;
}

/** The requests that put an object in place. */
const PLACING_OPERATIONS = new Set(['PutObject', 'CompleteMultipartUpload']);

/** Whether the AWS CLI can be run, or why not. */
function awsCliMissing(): string | undefined {
  const probe = spawnSync('aws', ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) return 'the AWS CLI (`aws`) is not installed on this machine';
  return undefined;
}

/** Runs every row `runs` times, in turn, for one model size. */
export async function benchSize(options: SizeOptions): Promise<SizeResult> {
  const { log } = options;
  const work = mkdtempSync(join(tmpdir(), 'mop-bench-drop-'));
  let stack: ChildStack | undefined;
  try {
    log(
      `writing a ${(options.sizeBytes / 2 ** 30).toFixed(2)} GiB model (${options.shards} shards) under ${work}`,
    );
    const model = writeSyntheticModel(join(work, 'model'), {
      shards: options.shards,
      shardBytes: Math.floor(options.sizeBytes / options.shards),
    });
    const archivePath = join(work, 'model.tar.gz');
    await pipeline(tarGzStream(listModelFolder(model.folder), { level: 0 }), createWriteStream(archivePath));
    const archiveBytes = statSync(archivePath).size;

    stack = await startChildStack({
      dataDir: join(work, 'stack'),
      speed: 60,
      env: { LOCAL_SAGEMAKER_STARTING_SECONDS: '30', LOCAL_SAGEMAKER_INPROGRESS_SECONDS: '60' },
    });
    const env = { ...process.env, ...clientEnvFor(stack.endpoint, 'us-east-1') };
    const s3 = new S3Client({
      endpoint: stack.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    });
    const bucket = await findBucket(s3);
    const awsCliSkipped = awsCliMissing();
    const rows: Row[] = [];
    const running = stack;

    /**
     * Measures one row. `upload` calls `begin()` right before the part it times: the stack's CPU
     * and sampled peak count from there.
     */
    const measure = async (
      name: RowName,
      run: number,
      upload: (begin: () => Promise<void>) => Promise<{
        result?: MeasuredRun;
        seconds: number;
        sentBytes: number;
        jobName?: string;
        note?: string;
      }>,
      modelBytes = model.bytes,
    ) => {
      if (options.rows && !options.rows.has(name)) return;
      log(`  run ${run + 1}: ${name}`);
      let cpuBefore: number | undefined;
      const begin = async () => {
        await running.admin('POST', '/_local/stats/reset-peak');
        cpuBefore = procStats(running.pid)?.cpuSeconds;
      };
      const done = await upload(begin);
      const cpuAfter = procStats(running.pid)?.cpuSeconds;
      const { sampledPeakRss } = await running.stats();
      const jobPeak = done.jobName ? await jobPeakRss(running, done.jobName) : undefined;
      const row: Row = {
        name,
        run,
        modelBytes,
        sentBytes: done.sentBytes,
        seconds: done.seconds,
        ...(done.result?.peakRss !== undefined && { clientPeakRss: done.result.peakRss }),
        ...(done.result?.cpuSeconds !== undefined && { clientCpuSeconds: done.result.cpuSeconds }),
        ...(cpuBefore !== undefined && cpuAfter !== undefined && { stackCpuSeconds: cpuAfter - cpuBefore }),
        stackUploadPeakRss: sampledPeakRss,
        ...(jobPeak !== undefined && { stackJobPeakRss: jobPeak }),
        ...(done.note && { note: done.note }),
      };
      rows.push(row);
      log(
        `    ${(row.sentBytes / 2 ** 20 / row.seconds).toFixed(1)} MiB/s in ${row.seconds.toFixed(1)} s; stack peak ${mib(row.stackUploadPeakRss)} upload${row.stackJobPeakRss ? `, ${mib(row.stackJobPeakRss)} job` : ''}`,
      );
      // Every row's trigger starts a job, the AWS CLI's too (its folder has the manifest, its
      // archive is a .tar.gz): the next row starts once the stack is idle again, or it would be
      // timed against this row's job unpacking and copying the model.
      await untilIdle(running);
      await clearBucket(s3, bucket);
      // This row's writes still dirty in the page cache would be written back during the next.
      spawnSync('sync');
    };

    const modelOpt = async (args: string[], begin: () => Promise<void>) => {
      await begin();
      const result = await startMeasured(process.execPath, [MODEL_OPT, 'drop', ...args, '--json'], env).done;
      if (result.code !== 0) throw new Error(`model-opt drop ${args.join(' ')} failed: ${result.stderr}`);
      return { result, json: JSON.parse(result.stdout) as { jobName: string; sentBytes: number } };
    };

    for (let run = 0; run < options.runs; run++) {
      await measure('raw HTTP PUT (ceiling)', run, async (begin) => {
        await begin();
        const started = performance.now();
        await Promise.all(
          model.files.map((name) =>
            rawPut(`${running.endpoint}/${bucket}/ceiling/${run}/${name}`, join(model.folder, name)),
          ),
        );
        return { seconds: (performance.now() - started) / 1000, sentBytes: model.bytes };
      });

      if (!awsCliSkipped) {
        await measure('aws s3 cp --recursive', run, async (begin) => {
          await begin();
          const result = await startMeasured(
            'aws',
            ['s3', 'cp', '--recursive', '--quiet', model.folder, `s3://${bucket}/models/awscli-${run}/`],
            env,
          ).done;
          if (result.code !== 0) throw new Error(`aws s3 cp failed: ${result.stderr}`);
          return { result, seconds: result.seconds, sentBytes: model.bytes };
        });
      }

      if (!awsCliSkipped) {
        await measure(
          'aws s3 cp <.tar.gz>',
          run,
          async (begin) => {
            await begin();
            const result = await startMeasured(
              'aws',
              ['s3', 'cp', '--quiet', archivePath, `s3://${bucket}/models/awscli-${run}.tar.gz`],
              env,
            ).done;
            if (result.code !== 0) throw new Error(`aws s3 cp failed: ${result.stderr}`);
            return { result, seconds: result.seconds, sentBytes: archiveBytes };
          },
          archiveBytes,
        );
      }

      await measure('model-opt drop <folder>', run, async (begin) => {
        const { result, json } = await modelOpt([model.folder, '--model-id', `folder-${run}`], begin);
        return { result, seconds: result.seconds, sentBytes: json.sentBytes, jobName: json.jobName };
      });

      await measure(
        'model-opt drop <.tar.gz>',
        run,
        async (begin) => {
          const { result, json } = await modelOpt([archivePath, '--model-id', `archive-${run}`], begin);
          return { result, seconds: result.seconds, sentBytes: json.sentBytes, jobName: json.jobName };
        },
        archiveBytes,
      );

      await measure(
        'model-opt drop <folder>, resumed after a kill with ~50% in place',
        run,
        async (begin) => {
          const modelId = `resumed-${run}`;
          // The run to kill sends one request at a time, so that its files land one by one: the
          // local stack completes a multipart upload by rewriting the object, and with many parts
          // arriving meanwhile those rewrites all end near the end of the upload.
          const first = startMeasured(
            process.execPath,
            [MODEL_OPT, 'drop', model.folder, '--model-id', modelId, '--json', '--concurrency', '1'],
            env,
          );
          const sizes = new Map(listModelFolder(model.folder).map((f) => [f.name, f.size]));
          await untilInPlace(running, `models/${modelId}/`, sizes, model.bytes / 2);
          first.kill('SIGKILL');
          await first.done;
          // The re-run starts once the stack has answered everything the killed drop sent.
          await untilQuiet(running);
          await running.admin('DELETE', '/_local/s3/requests');
          const { result, json } = await modelOpt([model.folder, '--model-id', modelId], begin);
          return {
            result,
            seconds: result.seconds,
            sentBytes: json.sentBytes,
            jobName: json.jobName,
            note: `sent ${mib(json.sentBytes)} of ${mib(model.bytes)} (${((100 * json.sentBytes) / model.bytes).toFixed(0)} %)`,
          };
        },
      );
    }

    const stats: StackStats = await running.stats();
    s3.destroy();
    return {
      sizeBytes: model.bytes,
      shards: options.shards,
      rows,
      stackMaxRss: stats.maxRss,
      ...(awsCliSkipped && { awsCliSkipped }),
    };
  } finally {
    try {
      await stack?.stop();
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
}

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

async function findBucket(s3: S3Client): Promise<string> {
  const { Buckets } = await s3.send(new ListBucketsCommand({}));
  const bucket = Buckets?.find((b) => b.Name?.includes('-models-'))?.Name;
  if (!bucket) throw new Error('the stack has no models bucket');
  return bucket;
}

/** One PUT of a file's bytes through the edge, streamed: what the stack can take at best. */
function rawPut(url: string, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'PUT', headers: { 'content-length': statSync(path).size } }, (res) => {
      res.resume();
      res.on('end', () =>
        res.statusCode === 200 ? resolve() : reject(new Error(`PUT ${url}: ${res.statusCode}`)),
      );
    });
    req.on('error', reject);
    pipeline(createReadStream(path), req).catch(reject);
  });
}

/**
 * Waits until objects holding at least `bytes` under `prefix` are in place: their PutObject or
 * CompleteMultipartUpload answered 200. `sizes` are the objects' sizes by key under `prefix`.
 */
async function untilInPlace(stack: ChildStack, prefix: string, sizes: Map<string, number>, bytes: number) {
  for (;;) {
    const { requests } = await stack.admin<{ requests: S3RequestRecord[] }>('GET', '/_local/s3/requests');
    const placed = requests
      .filter((r) => r.key.startsWith(prefix) && PLACING_OPERATIONS.has(r.operation) && r.status === 200)
      .reduce((n, r) => n + (sizes.get(r.key.slice(prefix.length)) ?? 0), 0);
    if (placed >= bytes) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Waits until every S3 request the stack received has been answered (or cut off). */
async function untilQuiet(stack: ChildStack): Promise<void> {
  for (;;) {
    const { requests } = await stack.admin<{ requests: S3RequestRecord[] }>('GET', '/_local/s3/requests');
    if (requests.every((r) => r.ms !== undefined)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Waits until the stack has nothing left to do: no message in any queue and no job running,
 * seen twice a second apart (a notification becomes a job a moment after its upload).
 */
async function untilIdle(stack: ChildStack): Promise<void> {
  const deadline = Date.now() + 30 * 60_000;
  let idleChecks = 0;
  while (idleChecks < 2) {
    if (Date.now() > deadline) throw new Error('the stack was still busy after 30 minutes');
    await new Promise((resolve) => setTimeout(resolve, 500));
    const queues = await stack.admin<Record<string, { total: number }>>('GET', '/_local/queues');
    const running = (await stack.stats()).jobs.some((job) => job.running);
    idleChecks = pipelineQueuesBusy(queues) || running ? 0 : idleChecks + 1;
  }
}

/** Waits for the job to end; its peak RSS as the stack sampled it. */
async function jobPeakRss(stack: ChildStack, jobName: string): Promise<number> {
  const deadline = Date.now() + 30 * 60_000;
  for (;;) {
    const job = (await stack.stats()).jobs.find((j) => j.jobName === jobName);
    if (job && !job.running) return job.peakRss;
    if (Date.now() > deadline) throw new Error(`job ${jobName} did not end within 30 minutes`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Deletes every object (models and outputs) so that the next row starts from an empty bucket. */
async function clearBucket(s3: S3Client, bucket: string): Promise<void> {
  // The bucket is versioned: a delete without a version id only adds a delete marker and frees
  // no disk. Each version (and marker) is removed by its id; 4 GiB rows fill a disk otherwise.
  for (;;) {
    const { Versions = [], DeleteMarkers = [] } = await s3.send(
      new ListObjectVersionsCommand({ Bucket: bucket }),
    );
    const objects = [...Versions, ...DeleteMarkers].map((v) => ({ Key: v.Key, VersionId: v.VersionId }));
    if (objects.length === 0) return;
    await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects.slice(0, 1000) } }));
  }
}
