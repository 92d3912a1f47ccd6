/**
 * Drops for the fault suite, through the S3 API only: a small good model (`.tar.gz` of
 * examples/tiny-llm) and a bad manifest. Each drop knows its job name (what the pipeline names
 * the job and its events) and the S3 notification body, to deliver it again.
 */
import { ListObjectVersionsCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { tarGzFolder } from '../src/client';
import { classifyObject, DEFAULT_DROP_RULES } from '../src/drop';
import { jobNameFor, uploadedVersion, variantJobNameFor } from '../src/job/job-name';
import type { Target } from './stack-target';

const TINY_LLM = new URL('../examples/tiny-llm/', import.meta.url).pathname;
const BROKEN_MODEL = new URL('../examples/broken-model/', import.meta.url).pathname;

/** The event a drop must end in. */
export type Expected = 'Completed' | 'Failed' | 'Stopped' | 'Rejected';

export interface Drop {
  key: string;
  jobName: string;
  expect: Expected;
  /** The S3 notification body, as the upload queue received it. */
  notification: string;
}

let tarball: Promise<Buffer> | undefined;
let broken: Promise<Buffer> | undefined;

/** Uploads a good model as `models/<modelId>.tar.gz`. */
export function dropModel(target: Target, modelId: string, expect: Expected = 'Completed'): Promise<Drop> {
  tarball ??= tarGzFolder(TINY_LLM);
  return tarball.then((body) => put(target, modelId, `models/${modelId}.tar.gz`, body, expect));
}

/** Uploads a model without `config.json`: SageMaker fails the job reading it. */
export function dropBrokenModel(target: Target, modelId: string): Promise<Drop> {
  broken ??= tarGzFolder(BROKEN_MODEL);
  return broken.then((body) => put(target, modelId, `models/${modelId}.tar.gz`, body, 'Failed'));
}

/** Uploads a folder drop: a `config.json`, then `optimization.json` holding `manifest`. */
export async function dropManifest(
  target: Target,
  modelId: string,
  manifest: object,
  expect: Expected,
): Promise<Drop> {
  await target.s3.send(
    new PutObjectCommand({ Bucket: target.bucket, Key: `models/${modelId}/config.json`, Body: '{}' }),
  );
  const body = Buffer.from(JSON.stringify(manifest));
  return put(target, modelId, `models/${modelId}/optimization.json`, body, expect);
}

/** Uploads a manifest the pipeline must reject (an unknown technique). */
export function dropBadManifest(target: Target, modelId: string): Promise<Drop> {
  return dropManifest(target, modelId, { techniques: [{ pruning: {} }] }, 'Rejected');
}

/**
 * Every version S3 stored of the good `.tar.gz` models under `models/<prefix>`, as drops. A
 * PUT the stack stored but could not acknowledge (killed before it answered) is a drop on S3 as
 * much as an acknowledged one: the bucket is versioned, so the client's retry of the same bytes
 * is another version and, as on AWS, another job. Each must still end exactly once.
 */
export async function storedDrops(target: Target, prefix: string): Promise<Drop[]> {
  const drops: Drop[] = [];
  // The SDK has no paginator for ListObjectVersions: it pages by two markers.
  let markers: { KeyMarker?: string; VersionIdMarker?: string } = {};
  for (;;) {
    const page = await target.s3.send(
      new ListObjectVersionsCommand({ Bucket: target.bucket, Prefix: `models/${prefix}`, ...markers }),
    );
    for (const version of page.Versions ?? []) {
      const key = version.Key ?? '';
      // Named as the pipeline names them: by the drop contract's model id.
      const drop = classifyObject(
        {
          bucket: target.bucket,
          key,
          size: version.Size ?? 0,
          eventName: 'ObjectCreated:Put',
          eventTime: (version.LastModified ?? new Date()).toISOString(),
        },
        DEFAULT_DROP_RULES,
      );
      if (drop.kind !== 'artifact') continue;
      const identity = { bucket: target.bucket, key, version: uploadedVersion(version) };
      drops.push({ key, jobName: jobNameFor(drop.modelId, identity), expect: 'Completed', notification: '' });
    }
    if (!page.IsTruncated) return drops;
    markers = { KeyMarker: page.NextKeyMarker, VersionIdMarker: page.NextVersionIdMarker };
  }
}

/**
 * The jobs of a folder drop whose manifest lists these variants, as drops of their own (each
 * must end exactly once): named as start-optimization names them, from the notification.
 */
export function variantJobs(
  drop: Drop,
  modelId: string,
  variants: string[],
  expect: Expected = 'Completed',
): Drop[] {
  const [record] = JSON.parse(drop.notification).Records;
  const { bucket, object } = record.s3;
  const identity = { bucket: bucket.name, key: object.key, version: object.versionId ?? object.eTag };
  return variants.map((name) => ({ ...drop, jobName: variantJobNameFor(modelId, identity, name), expect }));
}

/** Sends the drop's notification again (S3 and SQS deliver at least once). */
export async function redeliver(target: Target, drop: Drop, times = 1): Promise<void> {
  for (let i = 0; i < times; i++) {
    await target.sqs.send(
      new SendMessageCommand({ QueueUrl: target.uploadQueueUrl, MessageBody: drop.notification }),
    );
  }
}

async function put(
  target: Target,
  modelId: string,
  key: string,
  body: Buffer,
  expect: Expected,
): Promise<Drop> {
  const result = await target.s3.send(new PutObjectCommand({ Bucket: target.bucket, Key: key, Body: body }));
  const eTag = result.ETag?.replace(/"/g, '');
  const versionId = result.VersionId;
  const notification = JSON.stringify({
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: target.region,
        eventTime: new Date().toISOString(),
        eventName: 'ObjectCreated:Put',
        s3: { bucket: { name: target.bucket }, object: { key, size: body.length, eTag, versionId } },
      },
    ],
  });
  return {
    key,
    jobName: jobNameFor(modelId, { bucket: target.bucket, key, version: uploadedVersion(result) }),
    expect,
    notification,
  };
}
