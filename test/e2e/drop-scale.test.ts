/**
 * Drops against a local stack in its own process (so that its memory is its own), with the real
 * bin: the stack's memory does not follow model size, a drop stopped by Ctrl-C or killed mid-way
 * triggers nothing, and its re-run sends only what was missing and starts exactly one job. The
 * figures come from the stack's own `/_local/stats` and its log of the S3 requests it received.
 * No timing is asserted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { ListOptimizationJobsCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSyntheticModel } from '../../bench/drop/synthetic-model';
import { readEventsLog } from '../../harness/bus-events';
import type { S3RequestRecord } from '../../local/diagnostics/s3-request-log';
import { type ChildStack, type StackStats, startChildStack } from '../../local/startup/child-stack';
import { EXIT_CODES } from '../../src/cli/errors';
import { runCli, startCli } from '../support/cli';
import { type HoldProxy, startHoldProxy } from '../support/hold-proxy';

const MIB = 1024 * 1024;
const SHARD = 256 * MIB;
const EXAMPLES = new URL('../../examples/', import.meta.url).pathname;
/** Small parts, one request at a time: uploads slow and ordered enough to stop in the middle. */
const SLOW = ['--concurrency', '1', '--part-size', '5'];
const WRITES = new Set(['PutObject', 'UploadPart', 'CreateMultipartUpload', 'CompleteMultipartUpload']);

describe('drops against a stack in its own process: memory, Ctrl-C, kill and resume', () => {
  let dir: string;
  let stack: ChildStack;
  let env: Record<string, string>;
  let s3: S3Client;
  let bucket: string;
  let proxy: HoldProxy;
  /** `env` with the CLI's requests through `proxy`. */
  let viaProxy: Record<string, string>;
  const drop = async (...args: string[]) => {
    const run = await runCli(['drop', ...args, '--json'], env, 180_000);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    return run.json;
  };
  const requests = async () =>
    (await stack.admin<{ requests: S3RequestRecord[] }>('GET', '/_local/s3/requests')).requests;
  const until = async (what: string, done: (requests: S3RequestRecord[]) => boolean) => {
    const deadline = Date.now() + 120_000;
    while (!done(await requests())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  /** Waits for the job to end; the stack's stats then hold its peak RSS. */
  const ended = async (jobName: string) => {
    for (;;) {
      const stats = await stack.stats();
      const job = stats.jobs.find((j) => j.jobName === jobName);
      if (job && !job.running) return { job, stats };
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };
  const keysUnder = async (prefix: string) =>
    ((await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }))).Contents ?? []).map(
      (o) => o.Key,
    );
  const exists = (key: string) =>
    s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key })).then(
      () => true,
      () => false,
    );

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mop-scale-'));
    stack = await startChildStack({
      dataDir: join(dir, 'stack'),
      speed: 60,
      env: { LOCAL_SAGEMAKER_STARTING_SECONDS: '5', LOCAL_SAGEMAKER_INPROGRESS_SECONDS: '30' },
    });
    env = {
      AWS_ENDPOINT_URL: stack.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
    };
    const config = {
      endpoint: stack.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    };
    s3 = new S3Client({ ...config, forcePathStyle: true });
    proxy = await startHoldProxy(stack.endpoint);
    viaProxy = { ...env, AWS_ENDPOINT_URL: proxy.url };
    bucket = (await drop(join(EXAMPLES, 'tiny-llm'), '--model-id', 'warm-up')).bucket;
  });
  afterAll(async () => {
    s3?.destroy();
    await proxy?.close();
    await stack?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('peaks well under one shard above its resting size, for a folder drop and a .tar.gz drop', async () => {
    // The warm-up drop has loaded the functions and clients the big ones use.
    await ended((await drop(join(EXAMPLES, 'tiny-llm'), '--model-id', 'warm-up-2')).jobName);
    const resting: StackStats = await stack.stats();
    // What the stack has reached so far (start-up included) plus half a shard: one copy of the
    // shard in memory, anywhere in the stack, goes over it.
    const bound = Math.max(resting.maxRss, resting.rss) + SHARD / 2;
    const model = writeSyntheticModel(join(dir, 'big'), { shards: 1, shardBytes: SHARD });

    const folder = await ended((await drop(model.folder, '--model-id', 'big-folder')).jobName);
    const packed = await ended((await drop(model.folder, '--tar', '--model-id', 'big-packed')).jobName);

    expect(folder.job.peakRss).toBeLessThan(bound);
    expect(packed.job.peakRss).toBeLessThan(bound);
    expect(packed.stats.maxRss).toBeLessThan(bound);
    expect(await keysUnder(`optimized/big-packed/${packed.job.jobName}/`)).toHaveLength(
      model.files.length + 1,
    );
  }, 300_000);

  it('Ctrl-C (delivered twice, as npm relays it) ends a drop with exit code 130, leaves the manifest unsent and the open upload for the re-run, which sends only the missing parts', async () => {
    const model = writeSyntheticModel(join(dir, 'interrupted'), { shards: 4, shardBytes: 12 * MIB });
    // The drop stops at the second shard's second part, held by the proxy: Ctrl-C comes mid-drop,
    // twice (one Ctrl-C reaches `npm run drop` twice, from the terminal and relayed by npm).
    const shard2 = 'models/interrupted/model-00002-of-00004.safetensors';
    proxy.holdWhen(
      (method, url) => method === 'PUT' && /model-00002-of-00004\.safetensors\?.*partNumber=2\b/.test(url),
    );
    const running = startCli(['drop', model.folder, '--json', ...SLOW], viaProxy);
    await proxy.held();

    running.child.kill('SIGINT');
    running.child.kill('SIGINT');
    const run = await running.done;
    proxy.release();

    expect(run.code).toBe(EXIT_CODES.interrupted);
    expect(run.json.error.name).toBe('DropInterruptedError');
    expect(run.json.error.message).toMatch(
      /^interrupted after \d+\.\d MiB of 48\.\d MiB: \d of 10 object\(s\) are in place, and nothing was triggered \(models\/interrupted\/optimization\.json goes last\)\. Run the same command again to send the rest: it continues the 1 open multipart upload\(s\), sending only their missing parts\.$/,
    );
    expect(await exists('models/interrupted/optimization.json')).toBe(false);
    // The held request never reached the stack: it went with the client.
    await stack.admin('DELETE', '/_local/s3/requests');

    const rerun = await drop(model.folder, ...SLOW);

    // The second shard's first part was in place: the re-run read it and did not send it.
    expect(rerun.resumedParts).toBeGreaterThanOrEqual(1);
    const shard2Parts = (await requests()).filter((r) => r.key === shard2 && r.operation === 'UploadPart');
    expect(shard2Parts.map((r) => r.partNumber)).not.toContain(1);
    expect(rerun.sentBytes + rerun.skippedBytes + rerun.resumedBytes).toBe(model.bytes + 2);
    expect(await exists('models/interrupted/optimization.json')).toBe(true);
  }, 180_000);

  it('a drop killed mid-way, run again, sends only what was missing and starts exactly one job', async () => {
    const model = writeSyntheticModel(join(dir, 'resumed'), { shards: 4, shardBytes: 11 * MIB });
    // Killed once the second shard has landed, while the proxy holds the third shard's second
    // part: the third is under way, the fourth not yet begun.
    proxy.holdWhen(
      (method, url) => method === 'PUT' && /model-00003-of-00004\.safetensors\?.*partNumber=2\b/.test(url),
    );
    const killed = startCli(['drop', model.folder, '--json', ...SLOW], viaProxy);
    await proxy.held();
    await until('the second shard in place', (all) =>
      all.some(
        (r) =>
          r.key.endsWith('model-00002-of-00004.safetensors') &&
          r.operation === 'CompleteMultipartUpload' &&
          r.status === 200,
      ),
    );
    killed.child.kill('SIGKILL');
    expect((await killed.done).code).toBe(137);
    const inPlace = await keysUnder('models/resumed/');
    expect(inPlace).toEqual(expect.arrayContaining(['models/resumed/model-00002-of-00004.safetensors']));
    expect(inPlace).not.toContain('models/resumed/optimization.json');
    await stack.admin('DELETE', '/_local/s3/requests');

    const rerun = await drop(model.folder, ...SLOW);

    const missing = model.files
      .map((name) => `models/resumed/${name}`)
      .filter((key) => !inPlace.includes(key));
    expect(new Set(rerun.skippedKeys)).toEqual(new Set(inPlace));
    expect(new Set(rerun.sentKeys)).toEqual(new Set([...missing, 'models/resumed/optimization.json']));
    expect(rerun.uploadedKeys.at(-1)).toBe('models/resumed/optimization.json');
    const written = (await requests()).filter(
      (r) => r.key.startsWith('models/resumed/') && WRITES.has(r.operation),
    );
    expect(written.filter((r) => inPlace.includes(r.key))).toEqual([]);
    const bodyBytes = written
      .filter((r) => r.operation === 'PutObject' || r.operation === 'UploadPart')
      .reduce((n, r) => n + r.bytes, 0);
    expect(bodyBytes).toBe(rerun.sentBytes);
    // The '{}' manifest is the only byte not in the model folder. The third shard's first part
    // landed before the kill: the re-run continued that shard's upload without sending it.
    expect(rerun.sentBytes + rerun.skippedBytes + rerun.resumedBytes).toBe(model.bytes + 2);
    expect(rerun.resumedParts).toBeGreaterThanOrEqual(1);
    expect(
      written
        .filter((r) => r.key.endsWith('model-00003-of-00004.safetensors') && r.operation === 'UploadPart')
        .map((r) => r.partNumber),
    ).not.toContain(1);

    await ended(rerun.jobName);
    const sageMaker = new SageMakerClient({
      endpoint: stack.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    });
    const jobs = await sageMaker.send(new ListOptimizationJobsCommand({ NameContains: 'resumed' }));
    sageMaker.destroy();
    expect(jobs.OptimizationJobSummaries?.map((job) => job.OptimizationJobName)).toEqual([rerun.jobName]);
    const eventsLog = join(dir, 'stack', 'events.jsonl');
    const started = readEventsLog(eventsLog).filter(
      (e) => e['detail-type'] === 'Model Optimization Started' && e.detail.jobName === rerun.jobName,
    );
    expect(started).toHaveLength(1);

    const again = await drop(model.folder);
    expect(again).toMatchObject({ alreadyDropped: true, sentKeys: [], jobName: rerun.jobName });
  }, 180_000);
});
