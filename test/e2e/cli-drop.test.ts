/**
 * `model-opt drop` against the local stack, as a user runs it (the real bin, a child process):
 * bad input and failures mid-way. Requests are counted from the stack's own log of the S3
 * requests it received. Kills, Ctrl-C and resumed drops: drop-scale.test.ts.
 */
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { DescribeOptimizationJobCommand } from '@aws-sdk/client-sagemaker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSyntheticModel } from '../../bench/drop/synthetic-model';
import { eventsOf } from '../../harness/bus-events';
import type { S3RequestRecord } from '../../local/diagnostics/s3-request-log';
import { EXIT_CODES, exitCodeOfError } from '../../src/cli/errors';
import { dropModel } from '../../src/client/drop-upload';
import { FileReadError } from '../../src/client/errors';
import { jobNameFor, uploadedVersion } from '../../src/job/job-name';
import { awsCli } from '../support/aws-cli';
import { runCli, startCli } from '../support/cli';
import { startHoldProxy } from '../support/hold-proxy';
import { startTestStack, type TestStack } from '../support/local-stack';

const MIB = 1024 * 1024;
const EXAMPLES = new URL('../../examples/', import.meta.url).pathname;
/** Small parts, one request at a time: uploads slow and ordered enough to stop in the middle. */
const SLOW = ['--concurrency', '1', '--part-size', '5'];

describe('model-opt drop: bad input, interruptions, resumed drops', () => {
  let t: TestStack;
  let env: Record<string, string>;
  let dir: string;
  const cli = (...args: string[]) => runCli([...args, '--json'], env);
  const requests = (): S3RequestRecord[] => t.stack.s3Requests.list();
  const writes = (keyPrefix: string) =>
    requests().filter(
      (r) =>
        r.key.startsWith(keyPrefix) &&
        ['PutObject', 'UploadPart', 'CreateMultipartUpload', 'CompleteMultipartUpload'].includes(r.operation),
    );
  const keysUnder = async (prefix: string) =>
    (
      (await t.s3.send(new ListObjectsV2Command({ Bucket: t.stack.bucket, Prefix: prefix }))).Contents ?? []
    ).map((o) => o.Key);
  const exists = (key: string) =>
    t.s3.send(new HeadObjectCommand({ Bucket: t.stack.bucket, Key: key })).then(
      () => true,
      () => false,
    );

  beforeAll(async () => {
    t = await startTestStack();
    env = t.stack.clientEnv;
    dir = mkdtempSync(join(tmpdir(), 'mop-drop-'));
  });
  afterAll(async () => {
    await t?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses bad paths with exit code 4 and a message saying what is wrong, and sends nothing', async () => {
    const missing = join(dir, 'no-such-model');
    const notArchive = join(dir, 'weights.bin');
    writeFileSync(notArchive, 'w');
    const empty = join(dir, 'empty-model');
    mkdirSync(join(empty, 'nested'), { recursive: true });
    const noConfig = join(dir, 'no-config');
    mkdirSync(noConfig);
    writeFileSync(join(noConfig, 'model.safetensors'), 'w');
    const archive = join(dir, 'packed.tar.gz');
    writeFileSync(archive, 'not really gzip');
    t.stack.s3Requests.clear();

    const runs = await Promise.all([
      cli('drop', missing),
      cli('drop', notArchive),
      cli('drop', empty),
      cli('drop', noConfig),
      cli('drop', notArchive, '--tar'),
      cli('drop', join(EXAMPLES, 'tiny-llm'), '--concurrency', '0'),
      cli('drop', archive, '--exclude', '*.bin'),
      cli('drop', join(EXAMPLES, 'tiny-llm'), '--exclude', '!config.json'),
    ]);

    expect(runs.map((run) => [run.code, run.json.error])).toEqual([
      [4, { name: 'DropError', message: `no such file or folder: ${missing}` }],
      [4, { name: 'DropError', message: `a file drop must be a .tar.gz: ${notArchive}` }],
      [4, { name: 'DropError', message: `folder ${empty} has no files to drop` }],
      [
        4,
        {
          name: 'DropError',
          message: `folder ${noConfig} has no config.json at its root, so its optimization job would fail; pass --allow-missing-config to drop it anyway`,
        },
      ],
      [4, { name: 'DropError', message: `--tar packs a folder, and ${notArchive} is a file` }],
      [
        4,
        {
          name: 'UsageError',
          message: "option '--concurrency <n>' argument '0' is invalid. expected a whole number from 1 to 64",
        },
      ],
      [4, { name: 'DropError', message: '--include and --exclude apply to folder drops only' }],
      [
        4,
        {
          name: 'DropError',
          message:
            '--exclude takes a gitignore pattern that does not start with ! or # (use --include to bring something back): "!config.json"',
        },
      ],
    ]);
    expect(writes('')).toEqual([]);
    // Eight CLI processes start at once: on 2 shared cores, their start-up alone can pass 30 s.
  }, 120_000);

  it('refuses a manifest combining sharding with quantization before any request (exit 4); uploaded by the AWS CLI, it gives one Model Upload Rejected naming the rule', async () => {
    const folder = join(dir, 'shard-and-quantize');
    mkdirSync(folder);
    writeFileSync(join(folder, 'config.json'), '{}');
    writeFileSync(join(folder, 'model.safetensors'), 'w');
    writeFileSync(
      join(folder, 'optimization.json'),
      JSON.stringify({
        techniques: [
          { quantization: { environment: { OPTION_QUANTIZE: 'awq' } } },
          { sharding: { environment: { OPTION_TENSOR_PARALLEL_DEGREE: '2' } } },
        ],
      }),
    );
    const error = {
      path: '$.techniques[1]',
      message:
        'sharding cannot be combined with another technique (also asked for: quantization); shard in a drop of its own, with sharding as its only technique [rule sharding-alone]',
    };
    t.stack.s3Requests.clear();

    const run = await cli('drop', folder);

    expect(run.code).toBe(EXIT_CODES.usage);
    expect(run.json.error).toEqual({
      name: 'IncompatibleManifestError',
      message: `manifest ${join(folder, 'optimization.json')} asks for an optimization job SageMaker would fail, so nothing was sent: ${error.path}: ${error.message}`,
    });
    expect(requests()).toEqual([]);

    // The same folder from another client, manifest last: the pipeline refuses it at drop time.
    const aws = (...args: string[]) =>
      awsCli(t.stack.endpoint, t.stack.region, ['s3api', 'put-object', ...args]);
    const key = (name: string) => `models/shard-and-quantize/${name}`;
    for (const name of ['config.json', 'model.safetensors'])
      await aws('--bucket', t.stack.bucket, '--key', key(name), '--body', join(folder, name));
    const put = JSON.parse(
      await aws(
        '--bucket',
        t.stack.bucket,
        '--key',
        key('optimization.json'),
        '--body',
        join(folder, 'optimization.json'),
      ),
    ) as { ETag?: string; VersionId?: string };
    const jobName = jobNameFor('shard-and-quantize', {
      bucket: t.stack.bucket,
      key: key('optimization.json'),
      version: uploadedVersion(put),
    });

    const events = await t.waitForEvents((all) => eventsOf(all, jobName).length > 0);
    await t.waitForQueuesEmpty();

    expect(eventsOf(t.events(), jobName)).toEqual(['Model Upload Rejected']);
    expect(events.find((e) => e.detail.jobName === jobName)?.detail.errors).toEqual([error]);
    await expect(
      t.sageMaker.send(new DescribeOptimizationJobCommand({ OptimizationJobName: jobName })),
    ).rejects.toMatchObject({ name: 'ResourceNotFound' });
  }, 120_000);

  it('a file that changes while it is sent ends the drop with exit code 5, and nothing is triggered', async () => {
    const model = writeSyntheticModel(join(dir, 'changing'), { shards: 1, shardBytes: 30 * MIB });
    const shard = join(model.folder, 'model-00001-of-00001.safetensors');
    // The proxy holds the shard's second part while the file grows: it changes mid-upload.
    const proxy = await startHoldProxy(t.stack.endpoint);
    proxy.holdWhen(
      (method, url) => method === 'PUT' && /model-00001-of-00001\.safetensors\?.*partNumber=2\b/.test(url),
    );
    const running = startCli(['drop', model.folder, '--json', ...SLOW], {
      ...env,
      AWS_ENDPOINT_URL: proxy.url,
    });
    await proxy.held();

    appendFileSync(shard, 'more weights');
    proxy.release();
    const run = await running.done;
    await proxy.close();

    expect(run.code).toBe(EXIT_CODES.incomplete);
    expect(run.json.error).toEqual({
      name: 'FileChangedError',
      message: `${shard} changed while it was uploaded; nothing was triggered. Run the same command again once the file is complete: what is in place is not sent again.`,
    });
    expect(await exists('models/changing/optimization.json')).toBe(false);
  });

  it('a disk read error ends the drop with exit code 5, and nothing is triggered', async () => {
    const model = writeSyntheticModel(join(dir, 'unreadable'), { shards: 1, shardBytes: 6 * MIB });
    const shard = join(model.folder, 'model-00001-of-00001.safetensors');
    // The disk fails under the shard: its reads fail as a failing device makes them fail.
    const failingDisk = async (path: string): Promise<FileHandle> => {
      const handle = await open(path, 'r');
      if (path !== shard) return handle;
      return Object.assign(Object.create(handle), {
        read: () =>
          Promise.reject(
            Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO', errno: -5, syscall: 'read' }),
          ),
        close: () => handle.close(),
        stat: () => handle.stat(),
      });
    };

    const dropping = dropModel({
      s3: t.s3,
      bucket: t.stack.bucket,
      path: model.folder,
      openFile: failingDisk,
    });

    const error = await dropping.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FileReadError);
    expect(exitCodeOfError(error)).toBe(EXIT_CODES.incomplete);
    expect(error).toMatchObject({
      message: `could not read ${shard}: EIO: i/o error, read; nothing was triggered. Run the same command again once the file can be read: what is in place is not sent again.`,
    });
    expect(await exists('models/unreadable/optimization.json')).toBe(false);
  });

  it('a cloned model is sent without its .git/ (nor what .modelignore names), and the plan says so', async () => {
    const clone = join(dir, 'cloned-llm');
    const lfsObject = join(clone, '.git/lfs/objects/4f/a1/4fa1c0ffee');
    mkdirSync(join(clone, '.git/lfs/objects/4f/a1'), { recursive: true });
    mkdirSync(join(clone, 'runs'));
    writeFileSync(join(clone, 'config.json'), '{"model_type":"llama"}');
    writeFileSync(join(clone, 'model.safetensors'), Buffer.alloc(MIB, 7));
    writeFileSync(lfsObject, Buffer.alloc(MIB, 7)); // LFS keeps a second copy of every shard.
    writeFileSync(join(clone, '.git/HEAD'), 'ref: refs/heads/main\n');
    writeFileSync(join(clone, '.DS_Store'), 'finder');
    writeFileSync(join(clone, '.modelignore'), 'runs/\n');
    writeFileSync(join(clone, 'runs/eval.log'), 'loss 0.1');
    t.stack.s3Requests.clear();

    const run = await cli('drop', clone);

    expect(run.code).toBe(0);
    const gitBytes = MIB + 'ref: refs/heads/main\n'.length;
    expect(run.stderr).toContain(
      'leaving out 4 paths, 1.0 MiB: .git/ (1.0 MiB), runs/ (8 B), .DS_Store (6 B), .modelignore (6 B)',
    );
    expect(run.json.leftOut).toEqual([
      { path: '.DS_Store', bytes: 6, complete: true },
      { path: '.git/', bytes: gitBytes, complete: true },
      { path: '.modelignore', bytes: 6, complete: true },
      { path: 'runs/', bytes: 8, complete: true },
    ]);
    expect(await keysUnder('models/cloned-llm/')).toEqual([
      'models/cloned-llm/config.json',
      'models/cloned-llm/model.safetensors',
      'models/cloned-llm/optimization.json',
    ]);
    expect(requests().filter((r) => /\/(\.git|runs)\/|\.DS_Store|\.modelignore/.test(r.key))).toEqual([]);

    // Resuming checks the same files: all are in place, and nothing is sent again.
    const again = await cli('drop', clone);
    expect(again.json).toMatchObject({ alreadyDropped: true, sentKeys: [] });

    // --include brings back what the defaults leave out.
    const whole = await cli('drop', clone, '--model-id', 'cloned-whole', '--include', '.git/');
    expect(whole.json.leftOut.map((e: { path: string }) => e.path)).toEqual([
      '.DS_Store',
      '.modelignore',
      'runs/',
    ]);
    expect(await keysUnder('models/cloned-whole/.git/')).toEqual([
      'models/cloned-whole/.git/HEAD',
      'models/cloned-whole/.git/lfs/objects/4f/a1/4fa1c0ffee',
    ]);
  });

  it('--tar streams a folder into one .tar.gz object, which starts a job on the unpacked model', async () => {
    const run = await cli('drop', join(EXAMPLES, 'tiny-llm'), '--tar', '--model-id', 'tiny-packed');

    expect(run.code).toBe(0);
    expect(run.json).toMatchObject({
      triggerKey: 'models/tiny-packed.tar.gz',
      uploadedKeys: ['models/tiny-packed.tar.gz'],
    });
    await t.waitForEvents((events) =>
      events.some(
        (e) => e.detail.jobName === run.json.jobName && e['detail-type'] === 'Model Optimization Completed',
      ),
    );
    expect(await keysUnder(`optimized/tiny-packed/${run.json.jobName}/`)).toEqual(
      expect.arrayContaining([`optimized/tiny-packed/${run.json.jobName}/config.json`]),
    );
  }, 60_000);
});
