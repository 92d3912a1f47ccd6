/**
 * A stored version is announced even when the stack dies between storing it and handing its
 * notification to the queue: its event waits in the store's outbox (local/s3/hashed-store.ts)
 * and is delivered when the service starts again. Here a delivery that throws stands in for the
 * process dying at that moment; the crash suite (test/clients/repeated-crashes.test.ts) kills
 * a real stack.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { S3EventRecord } from '../../local/s3/notifications';
import { type ServedS3, serveS3 } from '../support/served-s3';

const BUCKET = 'models-bucket';
const REGION = 'us-east-1';

let directory: string;
const delivered: S3EventRecord[] = [];
const internalErrors: unknown[] = [];

async function start(failDelivery = false): Promise<{ service: ServedS3; s3: S3Client }> {
  const service = await serveS3({
    directory: join(directory, 's3'),
    buckets: [BUCKET],
    region: REGION,
    onInternalError: (error) => internalErrors.push(error),
    notifications: [
      {
        bucket: BUCKET,
        configurationId: 'uploads',
        filter: { prefix: 'models/' },
        deliver: (_body, record) => {
          if (failDelivery) throw new Error('the process died before the queue had it');
          delivered.push(record);
        },
      },
    ],
  });
  const s3 = new S3Client({
    endpoint: service.endpoint,
    region: REGION,
    forcePathStyle: true,
    credentials: { accessKeyId: 'any', secretAccessKey: 'thing' },
  });
  return { service, s3 };
}

async function stop({ service, s3 }: { service: ServedS3; s3: S3Client }): Promise<void> {
  s3.destroy();
  await service.close();
}

const outbox = () => {
  const dir = join(directory, 's3', BUCKET, 'outbox');
  return existsSync(dir) ? readdirSync(dir) : [];
};

beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), 'mop-s3-outbox-'));
});
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('the outbox of object-created events', () => {
  it('leaves nothing behind once a version is announced', async () => {
    const running = await start();
    try {
      const { VersionId } = await running.s3.send(
        new PutObjectCommand({ Bucket: BUCKET, Key: 'models/a.tar.gz', Body: 'a' }),
      );
      expect(delivered.map((r) => r.s3.object.versionId)).toEqual([VersionId]);
      expect(outbox()).toEqual([]);
    } finally {
      await stop(running);
    }
  });

  it('announces at the next start a version whose notification never reached the queue, once', async () => {
    delivered.length = 0;
    const failing = await start(true);
    let versionId: string | undefined;
    try {
      ({ VersionId: versionId } = await failing.s3.send(
        new PutObjectCommand({ Bucket: BUCKET, Key: 'models/b.tar.gz', Body: 'bb' }),
      ));
    } finally {
      await stop(failing);
    }
    expect(delivered).toEqual([]);
    expect(outbox()).toEqual([`${versionId}.json`]);

    await stop(await start());
    expect(delivered).toHaveLength(1);
    expect(delivered[0]).toMatchObject({
      eventName: 'ObjectCreated:Put',
      s3: { bucket: { name: BUCKET }, object: { key: 'models/b.tar.gz', size: 2, versionId } },
    });
    expect(outbox()).toEqual([]);

    await stop(await start());
    expect(delivered).toHaveLength(1);
  });

  it('drops an entry whose version was never stored (a kill before its record), announcing nothing', async () => {
    delivered.length = 0;
    const dir = join(directory, 's3', BUCKET, 'outbox');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'never-stored.json'),
      JSON.stringify({ key: 'models/c.tar.gz', versionId: 'never-stored', event: 'ObjectCreated:Put' }),
    );

    await stop(await start());

    expect(delivered).toEqual([]);
    expect(outbox()).toEqual([]);
  });
});
