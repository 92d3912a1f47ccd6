/**
 * npm run bench:uploads — the S3 upload path in time and memory: the aws-chunked decoder alone,
 * then whole uploads through the local stack (edge, S3 router, store) in a child process,
 * plain and aws-chunked. Sizes double from --from to --to MiB: a linear path takes twice the
 * time for twice the bytes, and a constant-memory one keeps the same peak RSS. Last, multipart
 * uploads: CompleteMultipartUpload keeps the parts as the object, so its time stays flat.
 *
 *   npm run bench:uploads -- [--from 128] [--to 1024]
 */

import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { keyPath } from '../harness/dropped-uploads';
import { fuzzContext } from '../harness/fuzz-context';
import { AwsChunkedDecoder } from '../local/s3/aws-chunked';
import { startChildStack } from '../local/startup/child-stack';
import { median } from './cold/runs';

const { values } = parseArgs({
  options: { from: { type: 'string', default: '128' }, to: { type: 'string', default: '1024' } },
});
const MiB = 2 ** 20;
/** `model-opt drop`'s default part size. */
const PART_MIB = 32;
const CHUNK = 64 * 1024;
const sizes: number[] = [];
for (let mib = Number(values.from); mib <= Number(values.to); mib *= 2) sizes.push(mib);

/** `size` bytes in `CHUNK` pieces, aws-chunked framed or not; one buffer reused, so the source costs no memory. */
function* body(size: number, framed: boolean): Generator<Buffer> {
  const piece = Buffer.alloc(CHUNK, 0x61);
  for (let sent = 0; sent < size; sent += CHUNK) {
    const bytes = piece.subarray(0, Math.min(CHUNK, size - sent));
    if (framed) yield Buffer.from(`${bytes.length.toString(16)}\r\n`);
    yield bytes;
    if (framed) yield Buffer.from('\r\n');
  }
  if (framed) yield Buffer.from('0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n');
}

function framedLength(size: number): number {
  let length = Buffer.byteLength('0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n');
  for (let sent = 0; sent < size; sent += CHUNK) {
    const n = Math.min(CHUNK, size - sent);
    length += `${n.toString(16)}\r\n`.length + n + 2;
  }
  return length;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const rate = (bytes: number, ms: number) => `${(bytes / MiB / (ms / 1000)).toFixed(0)} MiB/s`;
const mib = (bytes: number) => `${(bytes / MiB).toFixed(0)} MiB`;

console.log('\nThe aws-chunked decoder alone (this process)\n');
console.log('| payload | time | rate | peak RSS of the process |');
console.log('|--:|--:|--:|--:|');
for (const size of sizes) {
  const start = performance.now();
  let decoded = 0;
  await pipeline(
    Readable.from(body(size * MiB, true)),
    new AwsChunkedDecoder(size * MiB),
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        decoded += chunk.length;
        done();
      },
    }),
  );
  const ms = performance.now() - start;
  if (decoded !== size * MiB) throw new Error(`decoded ${decoded} of ${size * MiB} bytes`);
  console.log(
    `| ${size} MiB | ${seconds(ms)} | ${rate(decoded, ms)} | ${mib(process.resourceUsage().maxRSS * 1024)} |`,
  );
}

// A body whose framing never ends a line: a decoder that buffers until CRLF grows with it.
{
  const size = 64 * MiB;
  const start = performance.now();
  const piece = Buffer.alloc(CHUNK, 0x61);
  const outcome = await pipeline(
    Readable.from(
      (function* () {
        yield Buffer.from('1;');
        for (let sent = 0; sent < size; sent += CHUNK) yield piece;
      })(),
    ),
    new AwsChunkedDecoder(),
    new Writable({ write: (_chunk, _encoding, done) => done() }),
  ).then(
    () => 'accepted',
    (error: Error) => `refused: ${error.message.slice(0, 60)}`,
  );
  const ms = performance.now() - start;
  console.log(
    `| ${size / MiB} MiB without a line end | ${seconds(ms)} | ${outcome} | ${mib(process.resourceUsage().maxRSS * 1024)} |`,
  );
}

console.log('\nWhole uploads through the local stack (child process: edge, S3 router, hashed store)\n');
const dataDir = join(mkdtempSync(join(tmpdir(), 'mop-uploads-')), 'data');
const stack = await startChildStack({ dataDir, speed: 60, env: { LOCAL_FUNCTION_LOG_LEVEL: 'SILENT' } });
try {
  const { bucket } = await fuzzContext(stack.endpoint);
  const idle = await stack.stats();
  console.log(`stack RSS before: ${mib(idle.rss)}\n`);
  console.log('| upload | payload | time | rate | stack RSS after | stack peak RSS so far |');
  console.log('|---|--:|--:|--:|--:|--:|');
  for (const framed of [false, true]) {
    for (const size of sizes) {
      const key = `bench/${framed ? 'chunked' : 'plain'}-${size}`;
      const start = performance.now();
      const versionId = await put(stack.endpoint, bucket, key, size * MiB, framed);
      const ms = performance.now() - start;
      const stats = await stack.stats();
      console.log(
        `| ${framed ? 'aws-chunked' : 'plain PUT'} | ${size} MiB | ${seconds(ms)} | ${rate(size * MiB, ms)} | ${mib(stats.rss)} | ${mib(stats.maxRss)} |`,
      );
      // The bucket is versioned: a plain DELETE would keep the bytes behind a delete marker.
      await fetch(`${stack.endpoint}/${bucket}/${keyPath(key)}?versionId=${encodeURIComponent(versionId)}`, {
        method: 'DELETE',
      });
    }
  }

  // CompleteMultipartUpload keeps the parts as the object: its time should not grow with size.
  console.log(`\nMultipart uploads through the local stack, in ${PART_MIB} MiB parts (median of 3 each)\n`);
  console.log('| payload | parts | UploadPart, all | CompleteMultipartUpload | stack peak RSS so far |');
  console.log('|--:|--:|--:|--:|--:|');
  const s3 = new S3Client({
    endpoint: stack.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'any', secretAccessKey: 'thing' },
  });
  const part = Buffer.alloc(PART_MIB * MiB, 0x62);
  for (const size of sizes.filter((mib) => mib >= PART_MIB)) {
    const runs: { parts: number; complete: number }[] = [];
    for (let run = 0; run < 3; run++)
      runs.push(await multipart(s3, bucket, `bench/multipart-${size}`, size, part));
    console.log(
      `| ${size} MiB | ${size / PART_MIB} | ${seconds(median(runs.map((r) => r.parts)))} | ${seconds(median(runs.map((r) => r.complete)))} | ${mib((await stack.stats()).maxRss)} |`,
    );
  }
  s3.destroy();
} finally {
  await stack.stop();
  rmSync(dataDir, { recursive: true, force: true });
}

/** A multipart upload of `size` MiB in parts of `part`, timed; its version is then deleted for good. */
async function multipart(
  s3: S3Client,
  Bucket: string,
  Key: string,
  size: number,
  part: Buffer,
): Promise<{ parts: number; complete: number }> {
  const started = performance.now();
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key }));
  const Parts = [];
  for (let n = 1; n <= size / PART_MIB; n++) {
    const { ETag } = await s3.send(
      new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: n, Body: part }),
    );
    Parts.push({ PartNumber: n, ETag });
  }
  const completing = performance.now();
  const { VersionId } = await s3.send(
    new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts } }),
  );
  const done = performance.now();
  await s3.send(new DeleteObjectCommand({ Bucket, Key, VersionId }));
  return { parts: completing - started, complete: done - completing };
}

/** One PUT of `size` bytes, streamed; the version it made, or a rejection unless S3 answers 200. */
function put(endpoint: string, bucket: string, key: string, size: number, framed: boolean): Promise<string> {
  const { hostname, port } = new URL(endpoint);
  const headers: Record<string, string | number> = framed
    ? {
        'content-encoding': 'aws-chunked',
        'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
        'x-amz-decoded-content-length': size,
        'x-amz-trailer': 'x-amz-checksum-crc32',
        'content-length': framedLength(size),
      }
    : { 'content-length': size };
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: hostname, port, method: 'PUT', path: `/${bucket}/${keyPath(key)}`, headers },
      (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode === 200
            ? resolve(String(res.headers['x-amz-version-id']))
            : reject(new Error(`PUT ${key}: ${res.statusCode}`)),
        );
      },
    );
    req.on('error', reject);
    pipeline(Readable.from(body(size, framed)), req).catch(reject);
  });
}
