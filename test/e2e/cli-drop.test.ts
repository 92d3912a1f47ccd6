/**
 * `model-opt drop` against the local stack, as a user runs it (the real bin, a child process):
 * bad input, interruptions and resumed drops. Requests are counted from the stack's own log of
 * the S3 requests it received. No timing is asserted.
 */
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { ListOptimizationJobsCommand } from '@aws-sdk/client-sagemaker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSyntheticModel } from '../../bench/drop/synthetic-model';
import type { S3RequestRecord } from '../../local/s3-request-log';
import { dropModel } from '../../src/cli/drop';
import { FileReadError } from '../../src/cli/drop-errors';
import { EXIT_CODES } from '../../src/cli/errors';
import { runCli, startCli } from '../support/cli';
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
  const until = async (what: string, done: () => boolean, timeoutMs = 60_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
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
    t.stack.s3Requests.clear();

    const runs = await Promise.all([
      cli('drop', missing),
      cli('drop', notArchive),
      cli('drop', empty),
      cli('drop', noConfig),
      cli('drop', notArchive, '--tar'),
      cli('drop', join(EXAMPLES, 'tiny-llm'), '--concurrency', '0'),
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
    ]);
    expect(writes('')).toEqual([]);
  });

  it('Ctrl-C ends a drop with exit code 130, leaves the manifest unsent, and says how to resume', async () => {
    const model = writeSyntheticModel(join(dir, 'interrupted'), { shards: 4, shardBytes: 12 * MIB });
    const running = startCli(['drop', model.folder, '--json', ...SLOW], env);
    await until('the second shard to be under way', () =>
      requests().some(
        (r) => r.key.endsWith('model-00002-of-00004.safetensors') && r.operation === 'UploadPart',
      ),
    );

    running.child.kill('SIGINT');
    const run = await running.done;

    expect(run.code).toBe(EXIT_CODES.interrupted);
    expect(run.json.error.name).toBe('DropInterruptedError');
    expect(run.json.error.message).toMatch(
      /^interrupted: \d of 9 file\(s\) \(\d+(\.\d)? MiB of 48\.\d MiB\) are in place, and nothing was triggered \(models\/interrupted\/optimization\.json goes last\)\. Run the same command again to send the rest\.$/,
    );
    expect(await exists('models/interrupted/optimization.json')).toBe(false);
  });

  it('a file that changes while it is sent ends the drop with exit code 5, and nothing is triggered', async () => {
    const model = writeSyntheticModel(join(dir, 'changing'), { shards: 1, shardBytes: 30 * MIB });
    const shard = join(model.folder, 'model-00001-of-00001.safetensors');
    const running = startCli(['drop', model.folder, '--json', ...SLOW], env);
    await until('the shard to be under way', () =>
      requests().some(
        (r) => r.key === 'models/changing/model-00001-of-00001.safetensors' && r.operation === 'UploadPart',
      ),
    );

    appendFileSync(shard, 'more weights');
    const run = await running.done;

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

    await expect(dropping).rejects.toThrow(FileReadError);
    await expect(dropping).rejects.toMatchObject({
      exitCode: EXIT_CODES.incomplete,
      message: `could not read ${shard}: EIO: i/o error, read; nothing was triggered. Run the same command again once the file can be read: what is in place is not sent again.`,
    });
    expect(await exists('models/unreadable/optimization.json')).toBe(false);
  });

  it('a drop killed mid-way, run again, sends only what was missing and starts exactly one job', async () => {
    const model = writeSyntheticModel(join(dir, 'resumed'), { shards: 5, shardBytes: 11 * MIB });
    const killed = startCli(['drop', model.folder, '--json', ...SLOW], env);
    await until('three shards in place', () =>
      requests().some(
        (r) =>
          r.key.endsWith('model-00003-of-00005.safetensors') && r.operation === 'CompleteMultipartUpload',
      ),
    );
    killed.child.kill('SIGKILL');
    expect((await killed.done).code).toBe(137);
    const inPlace = await keysUnder('models/resumed/');
    expect(inPlace).not.toContain('models/resumed/optimization.json');
    expect(inPlace).toEqual(expect.arrayContaining(['models/resumed/model-00003-of-00005.safetensors']));
    t.stack.s3Requests.clear();

    const rerun = await cli('drop', model.folder, ...SLOW);

    expect(rerun.code).toBe(0);
    const missing = model.files
      .map((name) => `models/resumed/${name}`)
      .filter((key) => !inPlace.includes(key));
    expect(new Set(rerun.json.skippedKeys)).toEqual(new Set(inPlace));
    expect(new Set(rerun.json.sentKeys)).toEqual(new Set([...missing, 'models/resumed/optimization.json']));
    expect(rerun.json.uploadedKeys.at(-1)).toBe('models/resumed/optimization.json');
    const written = writes('models/resumed/');
    expect(written.filter((r) => inPlace.includes(r.key))).toEqual([]);
    const sentBytes = written
      .filter((r) => r.operation === 'PutObject' || r.operation === 'UploadPart')
      .reduce((n, r) => n + r.bytes, 0);
    expect(sentBytes).toBe(rerun.json.sentBytes);
    expect(rerun.json.sentBytes + rerun.json.skippedBytes).toBe(model.bytes + 2);

    await t.waitForEvents((events) =>
      events.some(
        (e) => e.detail.jobName === rerun.json.jobName && e['detail-type'] === 'Model Optimization Started',
      ),
    );
    const jobs = await t.sageMaker.send(new ListOptimizationJobsCommand({ NameContains: 'resumed' }));
    expect(jobs.OptimizationJobSummaries?.map((job) => job.OptimizationJobName)).toEqual([
      rerun.json.jobName,
    ]);
    const started = t
      .events()
      .filter(
        (e) =>
          e['detail-type'] === 'Model Optimization Started' &&
          e.detail.model?.key?.startsWith('models/resumed/'),
      );
    expect(started).toHaveLength(1);

    const again = await cli('drop', model.folder);
    expect(again.json).toMatchObject({ alreadyDropped: true, sentKeys: [], jobName: rerun.json.jobName });
  }, 120_000);

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
