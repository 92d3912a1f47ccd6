/**
 * What the S3 semantics suites share: the local S3 service alone in a fresh folder, an SDK
 * client, the AWS CLI pointed at it, raw HTTP for what no client sends (bad request targets,
 * UTF-8 header bytes, a 304's headers), and the object-created notifications it sent.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { decodeS3Key } from '../../src/drop/decode-key';
import { awsCli } from './aws-cli';
import { type ServedS3, serveS3 } from './served-s3';

export const BUCKET = 'models-bucket';
export const REGION = 'us-east-1';
export const MiB = 2 ** 20;

export interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface S3Suite {
  service: ServedS3;
  s3: S3Client;
  /** Keys of the object-created notifications sent so far, in order. */
  announced: string[];
  /** `aws <args>` against the service; resolves with stdout. */
  cli(args: string[]): Promise<string>;
  /** `aws <args>` whose output is JSON. */
  cliJson<T = Record<string, unknown>>(args: string[]): Promise<T>;
  /** One request exactly as given: the target is sent as is, never normalised. */
  raw(method: string, target: string, headers?: http.OutgoingHttpHeaders, body?: Buffer): Promise<RawAnswer>;
  close(): Promise<void>;
}

export async function startS3Suite(name: string): Promise<S3Suite> {
  const directory = mkdtempSync(join(tmpdir(), `mop-${name}-`));
  const announced: string[] = [];
  const service = await serveS3({
    directory: join(directory, 's3'),
    buckets: [BUCKET],
    region: REGION,
    notifications: [
      {
        bucket: BUCKET,
        configurationId: 'all',
        filter: {},
        deliver: (_body, record) => announced.push(decodeS3Key(record.s3.object.key)),
      },
    ],
  });
  const s3 = new S3Client({
    endpoint: service.endpoint,
    region: REGION,
    forcePathStyle: true,
    credentials: { accessKeyId: 'any', secretAccessKey: 'thing' },
  });
  const cli = (args: string[]) => awsCli(service.endpoint, REGION, args);
  return {
    service,
    s3,
    announced,
    cli,
    async cliJson<T>(args: string[]) {
      const out = await cli([...args, '--output', 'json']);
      return (out.trim() === '' ? {} : JSON.parse(out)) as T;
    },
    raw: (method, target, headers = {}, body) => rawRequest(service.endpoint, method, target, headers, body),
    async close() {
      s3.destroy();
      await service.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

export function rawRequest(
  endpoint: string,
  method: string,
  target: string,
  headers: http.OutgoingHttpHeaders = {},
  body?: Buffer,
): Promise<RawAnswer> {
  const { hostname, port } = new URL(endpoint);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: hostname, port, method, path: target, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The S3 error a call failed with: its code (`name`) and HTTP status. */
export async function s3Error(call: Promise<unknown>): Promise<{ name: string; status: number | undefined }> {
  try {
    await call;
  } catch (error) {
    if (error instanceof S3ServiceException)
      return { name: error.name, status: error.$metadata.httpStatusCode };
    throw error;
  }
  throw new Error('the call succeeded; an S3 error was expected');
}

/** The AWS CLI's failure: its stderr (the CLI exits non-zero on an S3 error). */
export async function cliFailure(run: Promise<unknown>): Promise<string> {
  try {
    await run;
  } catch (error) {
    return String((error as { stderr?: string }).stderr ?? error);
  }
  throw new Error('the AWS CLI succeeded; a failure was expected');
}

/** Bytes that say where they are: every 4-byte word is its offset (plus `seed`). */
export function patterned(size: number, seed = 0): Buffer {
  const body = Buffer.alloc(size);
  for (let i = 0; i + 4 <= size; i += 4) body.writeUInt32BE((i + seed) >>> 0, i);
  return body;
}

/** A GetObject body's bytes. Compare big buffers with `.equals`: `toEqual` walks them byte by byte. */
export async function bytesOf(body: unknown): Promise<Buffer> {
  return Buffer.from(await (body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
}
