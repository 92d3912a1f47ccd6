/**
 * What a model-sized upload asks of the local S3 beyond one request: multipart uploads of many
 * parts, joined without piling listeners on one stream; and the proxy's pooled connections to
 * s3rver, dropped by the proxy before s3rver's keep-alive timeout closes them under a request
 * (which failed that request with "socket hang up", seen once in bench:drop), and a request
 * without a body sent again when its pooled socket closes under it anyway (a fresh-clone CI run).
 */
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Proxy } from '../../local/s3/proxy';
import { type S3Service, startS3Service } from '../../local/s3/s3-service';

const BUCKET = 'models-bucket';
const MiB = 2 ** 20;

describe('a multipart upload of many parts', () => {
  let service: S3Service;
  let s3: S3Client;
  let directory: string;
  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'mop-s3-long-'));
    service = await startS3Service({
      directory: join(directory, 's3'),
      buckets: [BUCKET],
      region: 'us-east-1',
      notifications: [],
    });
    s3 = new S3Client({
      endpoint: service.internalEndpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'any', secretAccessKey: 'thing' },
    });
  });
  afterAll(async () => {
    s3?.destroy();
    await service?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('joins 24 parts in order, with no warning of a listener leak', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`);
    process.on('warning', onWarning);
    try {
      const Key = 'models/many-parts/model.safetensors';
      const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key }));
      const parts = [];
      for (let n = 1; n <= 24; n++) {
        // S3's smallest part is 5 MiB, but for the last; each part is filled with its number.
        const Body = Buffer.alloc(n < 24 ? 5 * MiB : 1024, n);
        const { ETag } = await s3.send(
          new UploadPartCommand({ Bucket: BUCKET, Key, UploadId, PartNumber: n, Body }),
        );
        parts.push({ PartNumber: n, ETag });
      }
      const done = await s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: BUCKET,
          Key,
          UploadId,
          MultipartUpload: { Parts: parts },
        }),
      );
      expect(done.ETag).toMatch(/-24"$/);

      const { Body } = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key }));
      const bytes = Buffer.from(
        await (Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
      );
      expect(bytes.length).toBe(23 * 5 * MiB + 1024);
      // The first byte of each part says which part it is: the parts are in order.
      expect(Array.from({ length: 24 }, (_, i) => bytes[i * 5 * MiB])).toEqual(
        Array.from({ length: 24 }, (_, i) => i + 1),
      );
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.filter((w) => /MaxListeners/.test(w))).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });
});

/** The S3 proxy in front of `upstream`, as the stack runs it: its URL, and a close for all three. */
async function proxyInFront(upstream: http.Server, onInternalError: (error: unknown) => void) {
  const proxy = createS3Proxy((upstream.address() as AddressInfo).port, onInternalError);
  const front = http.createServer((req, res) => void proxy.handle(req, res));
  front.listen(0, '127.0.0.1');
  await once(front, 'listening');
  return {
    url: `http://127.0.0.1:${(front.address() as AddressInfo).port}/bucket/key`,
    close: () => {
      proxy.close();
      front.closeAllConnections();
      front.close();
      upstream.closeAllConnections();
      upstream.close();
    },
  };
}

describe("the proxy's connections to s3rver", () => {
  it("drops an idle pooled connection itself, before the upstream's keep-alive timeout closes it", async () => {
    // An upstream that keeps idle connections 2 s (it says so in `Keep-Alive: timeout=2`), and
    // records which side ended each one.
    const ended: string[] = [];
    const upstream = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => res.end('ok'));
    });
    upstream.keepAliveTimeout = 2_000;
    upstream.on('connection', (socket) => {
      socket.on('end', () => ended.push('by the proxy'));
    });
    upstream.listen(0, '127.0.0.1');
    await once(upstream, 'listening');
    const front = await proxyInFront(upstream, (error) => {
      throw error;
    });
    try {
      const response = await fetch(front.url);
      expect(await response.text()).toBe('ok');
      // The proxy's pool must let the idle connection go a second before the upstream would:
      // the upstream then sees the proxy end it (a FIN), not its own timeout.
      const deadline = Date.now() + 10_000;
      while (ended.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(ended).toEqual(['by the proxy']);
    } finally {
      front.close();
    }
  });

  it('sends a request without a body again when the pooled socket it went out on was closed; one with a body fails', async () => {
    // An upstream that closes a connection, unanswered, when a second request arrives on it:
    // what a keep-alive timeout does to a request sent as it fires.
    let requests = 0;
    const upstream = http.createServer((req, res) => {
      requests += 1;
      const socket = req.socket as typeof req.socket & { served?: number };
      socket.served = (socket.served ?? 0) + 1;
      if (socket.served > 1) {
        socket.destroy();
        return;
      }
      req.resume();
      req.on('end', () => res.end('ok'));
    });
    upstream.listen(0, '127.0.0.1');
    await once(upstream, 'listening');
    const internalErrors: unknown[] = [];
    const front = await proxyInFront(upstream, (error) => internalErrors.push(error));
    const url = front.url;
    try {
      expect(await (await fetch(url)).text()).toBe('ok');
      const again = await fetch(url);
      expect([again.status, await again.text()]).toEqual([200, 'ok']);
      // The second GET went out twice: on the pooled socket, then on a new one.
      expect(requests).toBe(3);
      expect(internalErrors).toEqual([]);

      const put = await fetch(url, { method: 'PUT', body: 'bytes' });
      expect(put.status).toBe(500);
      expect(await put.text()).toContain('<Code>InternalError</Code>');
      expect(internalErrors).toEqual([expect.objectContaining({ code: 'ECONNRESET' })]);
    } finally {
      front.close();
    }
  });
});
